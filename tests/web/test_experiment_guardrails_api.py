"""Guardrails over real HTTP: `GET /v1/reports/experiments/{id}` keeps its fields and adds
`guardrails`, with the thresholds TACTFUL_GUARDRAIL_* set."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.services.guardrail_seed import plant

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}


def test_the_report_flags_the_harmed_guardrails_with_the_configured_thresholds(
    engine: Engine, settings: Settings
) -> None:
    experiment = plant(engine)
    lenient = settings.model_copy(update={"guardrail_decline_rate": 0.9})
    path = f"/v1/reports/experiments/{experiment.experiment_id}"
    with LiveServer(create_app(settings, engine=engine)) as server:
        body = httpx.get(server.url + path, headers=SECRET).json()
    assert {"id", "variants", "customers", "srm_p_value", "srm_warning", "results"} <= set(body)
    assert body["results"][0]["sequential"] is not None
    (guarded,) = body["guardrails"]
    assert guarded["harms"] == ["decline_rate", "unsubscribe_rate"]
    with LiveServer(create_app(lenient, engine=engine)) as server:
        (relaxed,) = httpx.get(server.url + path, headers=SECRET).json()["guardrails"]
    assert relaxed["harms"] == ["unsubscribe_rate"]
    assert relaxed["metrics"]["decline_rate"]["threshold"] == 0.9
    assert (
        relaxed["metrics"]["decline_rate"]["estimate"]
        == guarded["metrics"]["decline_rate"]["estimate"]
    )
