"""Guardrails of stored experiments on SQLite and PostgreSQL: a variant that earns more but is
declined far more often and drives unsubscribes is flagged for both, and only for those."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.experiments import Variant
from tests.contracts.test_measurement_reads import decide
from tests.services.guardrail_seed import CUSTOMERS, NOW, START, plant, ranks, service


def planted_shares(experiment_id: str, engine: Engine) -> dict[str, dict[str, float]]:
    """The rates the seed plants in each arm, worked out from the customers' places in them."""
    experiment = service(engine, NOW).get(experiment_id)
    rank = ranks(experiment)
    arms: dict[str, list[int]] = {"control": [], "pushy": []}
    for number in range(CUSTOMERS):
        customer = f"g{number:04d}"
        arms[experiment.variant_of(customer).name].append(rank[customer])
    control, pushy = arms["control"], arms["pushy"]
    return {
        "decline_rate": {
            "control": sum(k % 10 == 0 for k in control) / len(control),
            "variant": sum(k % 10 < 6 for k in pushy) / len(pushy),
        },
        "refund_rate": {
            "control": sum(k % 10 == 3 for k in control) / len(control),
            "variant": sum(k % 10 == 3 for k in pushy) / len(pushy),
        },
        "unsubscribe_rate": {
            "control": 0.0,
            "variant": sum(k % 5 == 0 for k in pushy) / len(pushy),
        },
        "satisfaction": {
            "control": sum(4 + k % 2 for k in control) / len(control),
            "variant": sum(4 + k % 2 for k in pushy) / len(pushy),
        },
    }


def test_a_variant_that_earns_more_is_flagged_for_the_guardrails_it_harms(
    engine: Engine,
) -> None:
    experiment = plant(engine)
    found = service(engine, NOW).results(experiment.experiment_id)
    (compared,) = found["results"]
    assert compared["revenue_per_customer"]["ci_low"] > 0  # it does earn more
    (guarded,) = found["guardrails"]
    assert guarded["variant"] == "pushy"
    assert guarded["harms"] == ["decline_rate", "unsubscribe_rate"]
    assert guarded["flag"] == "harms decline rate and unsubscribe rate"
    metrics = guarded["metrics"]
    for name, planted in planted_shares(experiment.experiment_id, engine).items():
        assert metrics[name]["control"] == pytest.approx(planted["control"], abs=1e-4), name
        assert metrics[name]["variant"] == pytest.approx(planted["variant"], abs=1e-4), name
    decline = metrics["decline_rate"]
    assert decline["status"] == "harms"
    assert decline["worse_when"] == "higher"
    assert decline["ci_low"] > decline["threshold"] == 0.02
    assert decline["reason"].startswith("harms decline rate: decline rate +")
    assert metrics["refund_rate"]["status"] == "ok"
    assert metrics["satisfaction"]["status"] == "ok"
    assert metrics["satisfaction"]["worse_when"] == "lower"


def test_a_variant_that_behaves_like_the_control_raises_no_flag(engine: Engine) -> None:
    experiment = plant(engine, harmful=False)
    (guarded,) = service(engine, NOW).results(experiment.experiment_id)["guardrails"]
    assert guarded["harms"] == []
    assert guarded["flag"] is None
    assert {m["status"] for m in guarded["metrics"].values()} == {"ok"}


def test_each_variant_shows_its_always_valid_status(engine: Engine) -> None:
    experiment = plant(engine)
    (compared,) = service(engine, NOW).results(experiment.experiment_id)["results"]
    sequential = compared["sequential"]
    assert sequential["method"].startswith("mSPRT")
    assert 0 <= sequential["p_value"] <= 1
    assert sequential["ci_low"] <= sequential["ci_high"]
    assert sequential["significant"] is (sequential["p_value"] <= 0.05)


def test_results_before_any_order_are_plain_json(engine: Engine) -> None:
    """Nobody has bought yet: no spread, so the confidence sequence is unbounded (None), the
    guardrails that need orders or ratings wait, and nothing is infinite."""
    experiment = service(engine, START).create("early", [Variant("a", 50), Variant("b", 50)])
    decided = [
        decide(f"d{n}", f"e{n}", "cart", START + timedelta(hours=1), held=False) for n in range(40)
    ]
    with SqlDatabase(engine).transaction() as tx:
        tx.offers.save_decisions(decided)
    found = service(engine, NOW).results(experiment.experiment_id)
    json.dumps(found, allow_nan=False)
    (compared,) = found["results"]
    assert compared["status"] == "ok"
    assert compared["sequential"]["ci_low"] is None
    assert compared["sequential"]["p_value"] == 1.0
    metrics = found["guardrails"][0]["metrics"]
    assert metrics["refund_rate"]["status"] == "not_enough_data"
    assert metrics["satisfaction"]["status"] == "not_enough_data"
    assert metrics["unsubscribe_rate"]["status"] == "ok"
