"""Sequence definitions: read from YAML (with line numbers) or JSON, checked, stored per version.

Editing a live sequence stores a new version; enrolments keep the version they started on,
so mails already scheduled do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from tactful.domain.sequences import Sequence, SequenceFileError, parse_sequences
from tactful.domain.sequences.parse import Path as FieldPath
from tactful.services.ports.email import EmailStore, MailTemplates, TemplateError


@dataclass(frozen=True, slots=True)
class SavedSequence:
    """What loading did to one sequence: its id, the version now live, and if it is new."""

    sequence_id: str
    version: int
    created: bool


def _lines(node: yaml.Node, path: FieldPath, into: dict[FieldPath, int]) -> None:
    """Every field path of a composed YAML document with its 1-based line."""
    into[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            into[child] = key.start_mark.line + 1
            _lines(value, child, into)
            into[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), into)


def read_document(text: str, source: str) -> tuple[Any, dict[FieldPath, int]]:
    """The YAML (or JSON) document and the line of each field path in it."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SequenceFileError(source, line, (), f"not valid YAML: {exc}") from None
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _lines(node, (), lines)
    return document, lines


def parse_text(text: str, source: str, templates: MailTemplates | None = None) -> list[Sequence]:
    """The sequences of a YAML text, refused with file, line and field on any fault."""
    document, lines = read_document(text, source)
    parsed = parse_sequences(document, source=source, locate=lines.get)
    if templates is not None:
        for i, sequence in enumerate(parsed):
            _check_templates(sequence, templates, source, lines, i)
    return parsed


def _check_templates(
    sequence: Sequence,
    templates: MailTemplates,
    source: str,
    lines: Mapping[FieldPath, int],
    index: int,
) -> None:
    for number, step in enumerate(sequence.steps):
        if not step.sends:
            continue
        try:
            templates.check(step.template)
        except TemplateError as exc:
            path: FieldPath = ("sequences", index, "steps", number, step.kind.value)
            line = lines.get((*path, "template")) or lines.get(path)
            raise SequenceFileError(source, line, (*path, "template"), str(exc)) from None


@dataclass
class Sequences:
    """Loads, stores and reads sequence versions."""

    store: EmailStore
    templates: MailTemplates

    def load_text(self, text: str, source: str, now: datetime) -> list[SavedSequence]:
        """Check every sequence of a file, then store each (a new version when it changed)."""
        document, _ = read_document(text, source)
        parsed = parse_text(text, source, self.templates)
        return self._save(document, parsed, source, now)

    def load_file(self, path: Path, now: datetime) -> list[SavedSequence]:
        """`tactful sequences load FILE`."""
        return self.load_text(path.read_text(encoding="utf-8"), str(path), now)

    def load_document(self, document: Any, source: str, now: datetime) -> list[SavedSequence]:
        """`POST /v1/sequences`: the same checks on an already-parsed JSON body."""
        parsed = parse_sequences(document, source=source)
        for i, sequence in enumerate(parsed):
            _check_templates(sequence, self.templates, source, {}, i)
        return self._save(document, parsed, source, now)

    def _save(
        self, document: Any, parsed: list[Sequence], source: str, now: datetime
    ) -> list[SavedSequence]:
        saved = []
        for raw, sequence in zip(document["sequences"], parsed, strict=True):
            version, created = self.store.save_sequence(sequence.sequence_id, raw, source, now)
            saved.append(SavedSequence(sequence.sequence_id, version, created))
        return saved

    def active(self) -> list[tuple[int, Sequence]]:
        """Every live sequence with its version."""
        return [(s.version, parse_one(s.definition)) for s in self.store.active_sequences()]


def parse_one(definition: Mapping[str, Any]) -> Sequence:
    """A stored definition as a Sequence (it was checked when stored)."""
    return parse_sequences({"sequences": [dict(definition)]}, source="stored")[0]
