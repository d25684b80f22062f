"""Sequence definitions from plain data (a YAML or JSON document), refused with a location.

Every problem names the file, the line (when the reader knows it) and the field path, e.g.
`sequences.yaml:12: sequences[0].steps[2].wait: a wait cannot be negative`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import time, timedelta
from typing import Any

from tactful.domain.sequences.branches import ARM_ORDER
from tactful.domain.sequences.definition import (
    DEFAULT_QUIET,
    ExitRule,
    Hours,
    Sequence,
    SequenceId,
    Step,
    StepKind,
    Trigger,
    TriggerType,
)

Path = tuple[str | int, ...]
Locate = Callable[[Path], int | None]

_DURATION = re.compile(r"^\s*(-?\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TRIGGER_KEYS = {"type", "kind", "sku", "category", "after", "minutes", "days", "views", "within"}
_DEFAULT_AFTER = {
    TriggerType.CART_ABANDONED: timedelta(minutes=60),
    TriggerType.LAPSED: timedelta(days=90),
    TriggerType.RENEWAL_UPCOMING: timedelta(days=7),
}
_STEP_KEYS = {"template", "subject", "subjects", "preheader", "max_offers", "question"}


class SequenceFileError(ValueError):
    """A definition that cannot be used, with where it is wrong."""

    def __init__(self, source: str, line: int | None, path: Path, message: str) -> None:
        self.source, self.line, self.field, self.problem = source, line, dotted(path), message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {self.field}: {message}")


def dotted(path: Path) -> str:
    """('sequences', 0, 'steps') as 'sequences[0].steps'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_duration(text: object) -> timedelta:
    """'30m', '12h', '1d', '2w' as a timedelta; ValueError otherwise (negative included)."""
    match = _DURATION.match(str(text))
    if match is None:
        raise ValueError(f"use a number and m, h, d or w (e.g. 3d), got {text!r}")
    amount = int(match.group(1))
    if amount < 0:
        raise ValueError("a wait cannot be negative")
    return timedelta(**{_UNITS[match.group(2)]: amount})


def parse_hours(text: object) -> Hours:
    """'21:00-08:00' as Hours."""
    try:
        start, end = str(text).split("-")
        return Hours(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
    except ValueError as exc:
        raise ValueError(f"use HH:MM-HH:MM (e.g. 21:00-08:00), got {text!r}") from exc


class _Reader:
    def __init__(self, source: str, locate: Locate) -> None:
        self.source, self.locate = source, locate

    def fail(self, path: Path, message: str) -> SequenceFileError:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.locate(path[:cut])
            if line is not None:
                break
        return SequenceFileError(self.source, line, path, message)

    def mapping(self, value: object, path: Path) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, "must be a mapping")
        return value

    def sequence(self, raw: object, path: Path) -> Sequence:
        data = self.mapping(raw, path)
        seq_id = data.get("id")
        if not isinstance(seq_id, str) or not _ID.match(seq_id):
            raise self.fail((*path, "id"), "needs an id of letters, digits, '-', '_' or '.'")
        steps_raw = data.get("steps")
        if not isinstance(steps_raw, list) or not steps_raw:
            raise self.fail((*path, "steps"), "needs a list of steps")
        steps = tuple(
            step for i, s in enumerate(steps_raw) for step in self.steps(s, (*path, "steps", i))
        )
        if not any(step.sends for step in steps):
            raise self.fail((*path, "steps"), "needs at least one step that sends a mail")
        return Sequence(
            sequence_id=SequenceId(seq_id),
            trigger=self.trigger(data.get("trigger"), (*path, "trigger")),
            steps=steps,
            exits=self.exits(data.get("exit"), (*path, "exit")),
            holdout=self.share(data.get("holdout", 0.1), (*path, "holdout")),
            quiet_hours=self.hours(data.get("quiet_hours"), (*path, "quiet_hours"))
            or DEFAULT_QUIET,
            send_window=self.hours(data.get("send_window"), (*path, "send_window")),
            offer_url=str(data.get("offer_url", "")),
            checkout_page=str(data.get("checkout_page", "")),
            name=str(data.get("name", seq_id)),
            track_opens=self.flag(data.get("track_opens", False), (*path, "track_opens")),
        )

    def trigger(self, raw: object, path: Path) -> Trigger:
        if isinstance(raw, str):
            raw = {"type": raw}
        data = self.mapping(raw, path)
        unknown = set(data) - _TRIGGER_KEYS
        if unknown:
            raise self.fail((*path, sorted(unknown)[0]), "is not a trigger field")
        try:
            kind = TriggerType(str(data.get("type")))
        except ValueError:
            known = ", ".join(t.value for t in TriggerType)
            raise self.fail((*path, "type"), f"unknown trigger; use one of {known}") from None
        after = timedelta(0)
        for key, unit in (("minutes", "m"), ("days", "d"), ("after", "")):
            if key in data:
                after = self.duration(f"{data[key]}{unit}", (*path, key))
        after = after or _DEFAULT_AFTER.get(kind, timedelta(0))
        views, within = self.browsing(kind, data, path)
        text = {k: str(data[k]) for k in ("kind", "sku", "category") if data.get(k) is not None}
        return Trigger(kind, after=after, views=views, within=within, **text)

    def browsing(
        self, kind: TriggerType, data: Mapping[str, Any], path: Path
    ) -> tuple[int, timedelta]:
        if kind is not TriggerType.BROWSED:
            for key in ("views", "within"):
                if key in data:
                    raise self.fail((*path, key), "only a browsed trigger has this field")
            return 0, timedelta(0)
        views = data.get("views", 3)
        if isinstance(views, bool) or not isinstance(views, int) or not 1 <= views <= 100:
            raise self.fail((*path, "views"), "must be a whole number from 1 to 100")
        within = self.duration(data.get("within", "7d"), (*path, "within"))
        if not within:
            raise self.fail((*path, "within"), "must be longer than zero")
        return views, within

    def steps(self, raw: object, path: Path) -> list[Step]:
        data = self.mapping(raw, path)
        if len(data) != 1 or "branch" not in data:
            return [self.step(raw, path)]
        arms = self.mapping(data["branch"], (*path, "branch"))
        unknown = set(arms) - {r.value for r in ARM_ORDER}
        if unknown:
            known = ", ".join(r.value for r in ARM_ORDER)
            raise self.fail(
                (*path, "branch", sorted(unknown)[0]), f"is not a reaction; use {known}"
            )
        if not arms:
            raise self.fail((*path, "branch"), f"needs at least one of {', '.join(ARM_ORDER)}")
        laid_out = []
        for arm in ARM_ORDER:
            items = arms.get(arm.value, [])
            if not isinstance(items, list):
                raise self.fail((*path, "branch", arm.value), "needs a list of mail steps")
            for i, item in enumerate(items):
                step = self.step(item, (*path, "branch", arm.value, i))
                if not step.sends:
                    raise self.fail(
                        (*path, "branch", arm.value, i), "a branch holds mail steps, not waits"
                    )
                laid_out.append(replace(step, when=arm.value))
        return laid_out

    def step(self, raw: object, path: Path) -> Step:
        data = self.mapping(raw, path)
        if len(data) != 1:
            raise self.fail(path, "a step is one of wait, value, offer, check_in or branch")
        name, body = next(iter(data.items()))
        try:
            kind = StepKind(name)
        except ValueError:
            raise self.fail(
                (*path, name), "unknown step; use wait, value, offer, check_in or branch"
            ) from None
        if kind is StepKind.WAIT:
            return Step(kind, wait=self.duration(body, (*path, name)))
        fields = self.mapping(body if body is not None else {}, (*path, name))
        unknown = set(fields) - _STEP_KEYS
        if unknown:
            raise self.fail((*path, name, sorted(unknown)[0]), "is not a step field")
        subjects = fields.get("subjects", fields.get("subject", ()))
        subjects = (subjects,) if isinstance(subjects, str) else tuple(map(str, subjects))
        max_offers = fields.get("max_offers", 1)
        if not isinstance(max_offers, int) or not 1 <= max_offers <= 3:
            raise self.fail((*path, name, "max_offers"), "must be a whole number from 1 to 3")
        default = {StepKind.VALUE: "tips", StepKind.OFFER: "offer"}.get(kind, "check_in")
        return Step(
            kind,
            template=str(fields.get("template", default)),
            subjects=subjects,
            preheader=str(fields.get("preheader", "")),
            max_offers=max_offers,
            question=str(fields.get("question", "How is it going?")),
        )

    def exits(self, raw: object, path: Path) -> frozenset[ExitRule]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(path, "needs at least one exit rule (e.g. [purchase, unsubscribe])")
        rules = set()
        for i, rule in enumerate(raw):
            try:
                rules.add(ExitRule(str(rule)))
            except ValueError:
                known = ", ".join(r.value for r in ExitRule)
                raise self.fail((*path, i), f"unknown exit rule; use {known}") from None
        return frozenset(rules)

    def duration(self, raw: object, path: Path) -> timedelta:
        try:
            return parse_duration(raw)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None

    def flag(self, raw: object, path: Path) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(path, "must be true or false")
        return raw

    def share(self, raw: object, path: Path) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
            raise self.fail(path, "must be a share between 0 and 1")
        return float(raw)

    def hours(self, raw: object, path: Path) -> Hours | None:
        if raw is None:
            return None
        try:
            return parse_hours(raw)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None


def parse_sequences(
    document: object, *, source: str = "<input>", locate: Locate = lambda _p: None
) -> list[Sequence]:
    """Every sequence of a document `{sequences: [...]}`; SequenceFileError on the first fault."""
    reader = _Reader(source, locate)
    top = reader.mapping(document, ())
    items = top.get("sequences")
    if not isinstance(items, list) or not items:
        raise reader.fail(("sequences",), "needs a list of sequences")
    parsed = [reader.sequence(item, ("sequences", i)) for i, item in enumerate(items)]
    seen: set[str] = set()
    for i, sequence in enumerate(parsed):
        if sequence.sequence_id in seen:
            raise reader.fail(("sequences", i, "id"), "is used twice in this file")
        seen.add(sequence.sequence_id)
    return parsed
