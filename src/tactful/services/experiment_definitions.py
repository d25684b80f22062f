"""Experiment definitions as the API and `tactful experiments load FILE` read them: one set
of Pydantic models, so a YAML file and `POST /v1/experiments` are checked alike.

A file is refused as a whole (nothing stored) with its file, line and field, e.g.
`experiments.yaml:7: experiments[0].variants[1].weight: ...`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tactful.domain.experiments import (
    DEFAULT_LAYER,
    MAX_DISCOUNT,
    MAX_OFFERS,
    Experiment,
    ExperimentError,
    Variant,
)
from tactful.domain.sequences.parse import SequenceFileError, dotted
from tactful.services.experiments import ExperimentService
from tactful.services.sequences import read_document

__all__ = ["ExperimentFileError", "ExperimentIn", "StopIn", "VariantIn", "load_experiments"]


class VariantIn(BaseModel):
    """One arm: its name, share of customers (whole percent) and the policy it applies."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    weight: int = Field(ge=1, le=100)
    max_offers: int | None = Field(None, ge=0, le=MAX_OFFERS)
    headline: Literal["outcome", "plain"] | None = None
    discount_percent: int = Field(0, ge=0, le=MAX_DISCOUNT)
    format: Literal["card", "compact"] | None = None
    wait_multiplier: float | None = Field(None, ge=0.1, le=10)
    allocation: Literal["ranked", "thompson"] | None = None
    """`thompson`: Thompson sampling between one anchor's eligible candidates (opt-in)."""

    def variant(self) -> Variant:
        return Variant(
            self.name,
            self.weight,
            self.max_offers,
            self.headline,
            self.discount_percent,
            self.format,
            self.wait_multiplier,
            self.allocation,
        )


class ExperimentIn(BaseModel):
    """A new experiment; the first variant is the control. Weights must sum to 100; it takes
    `traffic` percent of its layer at `moments` (none: all) and may not overlap a running
    experiment of the same layer at a shared moment (409 naming `layer`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    variants: list[VariantIn] = Field(min_length=2, max_length=10)
    layer: str = Field(DEFAULT_LAYER, min_length=1, max_length=64)
    moments: list[str] = Field(default_factory=list, max_length=9)
    traffic: int = Field(100, ge=1, le=100)

    def draft(self, service: ExperimentService) -> Experiment:
        """The experiment checked by the service (weights, moments, layer name)."""
        return service.draft(
            self.name,
            [v.variant() for v in self.variants],
            layer=self.layer,
            moments=self.moments,
            traffic=self.traffic,
        )


class StopIn(BaseModel):
    """The decision taken on stopping: ship a variant, keep the control, or inconclusive."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["ship", "keep_control", "inconclusive"]
    variant: str | None = Field(None, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    by: str = Field("api", min_length=1, max_length=200)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiments: list[ExperimentIn] = Field(min_length=1, max_length=50)


class ExperimentFileError(ValueError):
    """A definitions file refused, with where: file, line (when known) and field."""

    def __init__(self, source: str, line: int | None, field: str, message: str) -> None:
        self.source, self.line, self.field, self.problem = source, line, field, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {field}: {message}")


FieldPath = tuple[str | int, ...]


def _line(lines: dict[FieldPath, int], path: FieldPath) -> int | None:
    for cut in range(len(path), -1, -1):
        found = lines.get(path[:cut])
        if found is not None:
            return found
    return None


def _path(field: str) -> FieldPath:
    """'experiments[0].variants[1].weight' as ('experiments', 0, 'variants', 1, 'weight')."""
    parts: list[str | int] = []
    for piece in field.replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            parts.append(int(piece[1:-1]))
        elif piece:
            parts.append(piece)
    return tuple(parts)


def parse_file(
    text: str, source: str, service: ExperimentService
) -> tuple[list[Experiment], dict[FieldPath, int]]:
    """The drafts a file defines, every one checked, and the line of each field path;
    raises `ExperimentFileError`."""
    try:
        document, lines = read_document(text, source)
    except SequenceFileError as exc:
        raise ExperimentFileError(source, exc.line, "file", exc.problem) from None
    try:
        parsed = _File.model_validate(document)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        path = tuple(error["loc"])
        raise ExperimentFileError(
            source, _line(lines, path), dotted(path) or "file", error["msg"]
        ) from None
    drafts = []
    for index, item in enumerate(parsed.experiments):
        try:
            drafts.append(item.draft(service))
        except ExperimentError as error:
            path = ("experiments", index, *_path(error.field))
            raise _located(source, lines, path, error) from None
    return drafts, lines


def _located(
    source: str, lines: dict[FieldPath, int], path: FieldPath, error: ExperimentError
) -> ExperimentFileError:
    message = str(error).removeprefix(f"{error.field}: ")
    return ExperimentFileError(source, _line(lines, path), dotted(path), message)


def load_experiments(text: str, source: str, service: ExperimentService) -> Sequence[Experiment]:
    """Start every experiment of a YAML text, or none (refused with file, line and field)."""
    drafts, lines = parse_file(text, source, service)
    try:
        return service.create_all(drafts)
    except ExperimentError as error:
        raise _located(source, lines, _path(error.field), error) from None
