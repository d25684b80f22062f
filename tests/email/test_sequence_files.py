"""Sequence files: the contract's example loads; every fault names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.adapters.email import JinjaMailTemplates
from tactful.domain.sequences import SequenceFileError, StepKind, TriggerType
from tactful.services.sequences import parse_text
from tests.email.support import SEQUENCE_YAML

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sequences.yaml"


def test_the_contract_example_loads_with_built_in_templates() -> None:
    [sequence] = parse_text(SEQUENCE_YAML, "seq.yaml", JinjaMailTemplates())
    assert sequence.trigger.type is TriggerType.ORDER_PLACED
    assert sequence.trigger.kind == "digital"
    assert [s.kind for s in sequence.steps if s.sends] == [
        StepKind.VALUE,
        StepKind.OFFER,
        StepKind.CHECK_IN,
    ]


def test_the_shipped_examples_load() -> None:
    parsed = parse_text(EXAMPLES.read_text(), str(EXAMPLES), JinjaMailTemplates())
    assert len(parsed) == 6


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("type: order_placed", "type: order_shipped", 3, "sequences[0].trigger.type"),
        ("- wait: 3d", "- wait: -3d", 8, "sequences[0].steps[2].wait"),
        ("template: tips", "template: nowhere", 7, "sequences[0].steps[1].value.template"),
        ("    exit: [purchase_of_offer, unsubscribe]\n", "", 2, "sequences[0].exit"),
        ("holdout: 0.0", "holdout: 2", 4, "sequences[0].holdout"),
        ("- wait: 7d", "- sleep: 7d", 10, "sequences[0].steps[4].sleep"),
    ],
)
def test_faults_name_file_line_and_field(old: str, new: str, line: int, field: str) -> None:
    text = SEQUENCE_YAML.replace(old, new)
    with pytest.raises(SequenceFileError) as caught:
        parse_text(text, "flows.yaml", JinjaMailTemplates())
    assert caught.value.field == field
    assert caught.value.line == line
    assert str(caught.value).startswith(f"flows.yaml:{line}: {field}: ")


def test_a_template_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("{% if %}")
    (tmp_path / "broken.txt").write_text("fine")
    text = SEQUENCE_YAML.replace("template: tips", "template: broken")
    with pytest.raises(SequenceFileError, match="broken"):
        parse_text(text, "flows.yaml", JinjaMailTemplates(tmp_path))
