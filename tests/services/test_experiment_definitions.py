"""`tactful experiments load FILE` and the stop record, on SQLite and PostgreSQL: a file starts
every experiment or none, and each fault names the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.domain.experiments import ExperimentError, Variant
from tactful.services.experiment_definitions import ExperimentFileError, load_experiments
from tactful.services.experiments import StopRequest
from tactful.services.ports.storage import Database
from tests.services.test_experiments import NOW, experiments_at

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "experiments.yaml"
GOOD = """\
experiments:
  - name: plain headline
    layer: checkout
    moments: [checkout]
    traffic: 50
    variants:
      - {name: control, weight: 50}
      - {name: plain, weight: 50, headline: plain, format: compact}
"""


def test_the_example_file_starts_every_experiment(database: Database) -> None:
    service = experiments_at(database, NOW)
    created = load_experiments(EXAMPLE.read_text(), str(EXAMPLE), service)
    assert len(created) == 3
    stored = {e.name: e for e in service.all()}
    plain = stored["outcome headline or plain name at checkout"]
    assert (plain.layer, plain.moments, plain.traffic) == ("checkout", ("checkout",), 50)
    assert plain.variants[1].headline == "plain"
    assert plain.variants[1].format == "compact"
    assert (
        stored["ten percent off the cross-sell after purchase"].variants[1].discount_percent == 10
    )
    assert stored["slower email sequence"].variants[1].wait_multiplier == 1.5


def test_a_variant_may_opt_in_to_thompson_allocation(database: Database) -> None:
    service = experiments_at(database, NOW)
    text = GOOD.replace("format: compact", "allocation: thompson")
    (created,) = load_experiments(text, "exp.yaml", service)
    assert [v.allocation for v in created.variants] == [None, "thompson"]
    assert [v.allocation for v in service.all()[0].variants] == [None, "thompson"]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (GOOD.replace("traffic: 50", "colour: red"), 5, "experiments[0].colour", "Extra inputs"),
        (
            GOOD.replace("weight: 50, headline", "weight: 40, headline"),
            6,
            "experiments[0].variants",
            "sum to 100",
        ),
        (
            GOOD.replace("headline: plain", "headline: loud"),
            8,
            "experiments[0].variants[1].headline",
            "",
        ),
        (
            GOOD.replace("format: compact", "allocation: greedy"),
            8,
            "experiments[0].variants[1].allocation",
            "",
        ),
        (GOOD.replace("[checkout]", "[teatime]"), 4, "experiments[0].moments[0]", "unknown moment"),
        (
            GOOD + GOOD.removeprefix("experiments:\n").replace("traffic: 50", "traffic: 60"),
            10,
            "experiments[1].layer",
            "no free 60%",
        ),
        ("experiments: [\n", 2, "file", "not valid YAML"),
    ],
)
def test_every_fault_names_file_line_and_field_and_stores_nothing(
    database: Database, text: str, line: int, field: str, words: str
) -> None:
    service = experiments_at(database, NOW)
    with pytest.raises(ExperimentFileError) as raised:
        load_experiments(text, "exp.yaml", service)
    assert (raised.value.source, raised.value.line, raised.value.field) == ("exp.yaml", line, field)
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"exp.yaml:{line}: {field}: ")
    assert service.all() == []


def test_two_halves_of_a_layer_load_together(database: Database) -> None:
    service = experiments_at(database, NOW)
    text = GOOD + GOOD.removeprefix("experiments:\n").replace("plain headline", "second half")
    first, second = load_experiments(text, "exp.yaml", service)
    assert (first.traffic_start, second.traffic_start) == (0, 50)


def test_a_stop_keeps_its_decision_record(database: Database) -> None:
    service = experiments_at(database, NOW)
    created = service.create("ab", [Variant("control", 50), Variant("b", 50, discount_percent=10)])
    for request, field in [
        (StopRequest("ship", "b pays", "ana"), "variant"),
        (StopRequest("ship", "b pays", "ana", "control"), "variant"),
        (StopRequest("keep_control", "b pays", "ana", "b"), "variant"),
        (StopRequest("abandon", "b pays", "ana"), "decision"),
        (StopRequest("inconclusive", "  ", "ana"), "reason"),
    ]:
        with pytest.raises(ExperimentError) as raised:
            service.stop(created.experiment_id, request)
        assert raised.value.field == field
        assert service.get(created.experiment_id).status == "running"
    stopped = service.stop(created.experiment_id, StopRequest("ship", "b pays", "ana", "b"))
    record = stopped.stop_record
    assert record is not None
    assert stopped.stopped_at == record.at == NOW
    assert (record.decision, record.variant, record.reason, record.by) == (
        "ship",
        "b",
        "b pays",
        "ana",
    )
    again = service.stop(created.experiment_id, StopRequest("inconclusive", "changed mind", "bo"))
    assert again.stop_record == record  # a stop is stored once
