"""Email sequences: definitions, their parsing, timing rules and contact caps (pure)."""

from tactful.domain.sequences.definition import (
    ALWAYS_EXIT,
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
from tactful.domain.sequences.parse import (
    SequenceFileError,
    parse_duration,
    parse_sequences,
)
from tactful.domain.sequences.rules import EmailCaps, FrequentBuyers, held_out, subject_variant
from tactful.domain.sequences.timing import after_wait, allowed, send_time, zone

__all__ = [
    "ALWAYS_EXIT",
    "DEFAULT_QUIET",
    "EmailCaps",
    "ExitRule",
    "FrequentBuyers",
    "Hours",
    "Sequence",
    "SequenceFileError",
    "SequenceId",
    "Step",
    "StepKind",
    "Trigger",
    "TriggerType",
    "after_wait",
    "allowed",
    "held_out",
    "parse_duration",
    "parse_sequences",
    "send_time",
    "subject_variant",
    "zone",
]
