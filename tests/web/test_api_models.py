"""Mining a model version in the background and reading its rules, over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tactful.domain.affinity import Baskets, FrequentItemsets, LocalEngine, MiningConfig
from tactful.services.model_jobs import in_thread
from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.services.test_models import _orders, _store

BODY = {"min_support": 0.05, "min_confidence": 0.2}


def _auth(settings: Settings, secret: bool = True) -> dict[str, str]:
    key = settings.secret_key if secret else settings.publishable_key
    return {"Authorization": f"Bearer {key}"}


def _finished(url: str, auth: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    """Poll the job's URL until it has succeeded or failed."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = httpx.get(f"{url}{job['url']}", headers=auth).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job['id']} did not finish")


def test_mine_then_current_then_rules(
    live_server: LiveServer, engine: Engine, settings: Settings
) -> None:
    url, auth = live_server.url, _auth(settings)
    assert httpx.get(f"{url}/v1/models/current", headers=auth).status_code == 404
    assert httpx.get(f"{url}/v1/rules?sku=tent", headers=auth).status_code == 404

    _store(engine, _orders(40))
    accepted = httpx.post(f"{url}/v1/models", headers=auth, json=BODY, timeout=60)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert accepted.headers["Location"] == f"/v1/models/jobs/{job['id']}"
    assert job["params"]["min_support"] == 0.05
    assert (job["params"]["top_k"], job["params"]["min_lift"]) == (20, 1.0)
    done = _finished(url, auth, job)
    assert done["status"] == "succeeded", done
    assert done["progress"] == {"stage": "done", "fraction": 1.0}
    assert done["error"] is None

    current = httpx.get(f"{url}/v1/models/current", headers=auth).json()
    assert current["version"] == done["model_version"]
    assert current["status"] == "active"
    assert current["summary"]["n_baskets"] == 40
    assert current["params"]["mining"]["min_support"] == 0.05

    rules = httpx.get(f"{url}/v1/rules", params={"sku": "tent", "limit": 5}, headers=auth)
    assert rules.status_code == 200
    body = rules.json()
    assert body["model_version"] == done["model_version"]
    top = body["rules"][0]
    assert top["antecedent"] == ["tent"]
    assert top["consequent"] == "pegs"
    assert top["confidence"] == 1.0
    assert top["count"] == 20


def test_mining_without_orders_fails_the_job_with_the_reason(
    live_server: LiveServer, settings: Settings
) -> None:
    url, auth = live_server.url, _auth(settings)
    accepted = httpx.post(f"{url}/v1/models", headers=auth, json=BODY)
    assert accepted.status_code == 202
    failed = _finished(url, auth, accepted.json())
    assert failed["status"] == "failed"
    assert "no stored orders" in failed["error"]
    assert failed["model_version"] is None
    assert httpx.get(f"{url}/v1/models/current", headers=auth).status_code == 404
    unknown = httpx.get(f"{url}/v1/models/jobs/job_nope", headers=auth)
    assert unknown.status_code == 404


class GatedEngine:
    """The local engine, held at the start of counting until the test opens the gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()

    def frequent_itemsets(self, baskets: Baskets, config: MiningConfig) -> FrequentItemsets:
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return LocalEngine().frequent_itemsets(baskets, config)


@pytest.fixture
def gated(settings: Settings, engine: Engine) -> Iterator[tuple[LiveServer, GatedEngine]]:
    """A live server whose mining jobs wait at a gate the test holds."""
    from tactful.web.app import create_app

    app = create_app(settings, engine=engine)
    gate = GatedEngine()
    container = app.state.tactful
    # in a thread of this process, where the test's gate is (the server uses a child process)
    container.model_jobs = replace(container.model_jobs, mining_engine=gate, launch=in_thread)
    with LiveServer(app) as server:
        yield server, gate


def test_the_job_runs_after_the_202_and_decisions_keep_the_old_model(
    gated: tuple[LiveServer, GatedEngine], engine: Engine, settings: Settings
) -> None:
    server, gate = gated
    url, auth = server.url, _auth(settings)
    _store(engine, _orders(40))
    gate.gate.set()
    first = _finished(url, auth, httpx.post(f"{url}/v1/models", headers=auth, json=BODY).json())
    old = first["model_version"]

    gate.gate.clear()
    gate.entered.clear()
    _store(engine, _orders(40, start=40))
    began = time.monotonic()
    accepted = httpx.post(f"{url}/v1/models", headers=auth, json=BODY)
    assert accepted.status_code == 202
    assert time.monotonic() - began < 2.0
    assert gate.entered.wait(10)
    job = accepted.json()
    running = httpx.get(f"{url}{job['url']}", headers=auth).json()
    assert (running["status"], running["progress"]["stage"]) == ("running", "mining")
    again = httpx.post(f"{url}/v1/models", headers=auth, json={"min_support": 0.1})
    assert again.status_code == 202
    assert again.json()["id"] == job["id"]

    rules = httpx.get(f"{url}/v1/rules", params={"sku": "tent"}, headers=auth).json()
    assert rules["model_version"] == old
    decision = httpx.post(
        f"{url}/v1/decisions",
        headers=_auth(settings, secret=False),
        json={"customer_id": "c1", "moment": "cart", "cart": [{"sku": "tent"}]},
    )
    assert decision.status_code == 200, decision.text

    gate.gate.set()
    done = _finished(url, auth, job)
    assert done["status"] == "succeeded"
    assert done["model_version"] != old
    current = httpx.get(f"{url}/v1/models/current", headers=auth).json()
    assert current["version"] == done["model_version"]
    assert current["summary"]["n_baskets"] == 80
    rules = httpx.get(f"{url}/v1/rules", params={"sku": "tent"}, headers=auth).json()
    assert rules["model_version"] == done["model_version"]


def test_bad_thresholds_and_keys_are_refused(live_server: LiveServer, settings: Settings) -> None:
    url = live_server.url
    bad = httpx.post(f"{url}/v1/models", headers=_auth(settings), json={"min_support": 1.5})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "min_support"
    top_k = httpx.post(f"{url}/v1/models", headers=_auth(settings), json={"top_k": 0})
    assert top_k.status_code == 422
    assert top_k.json()["errors"][0]["field"] == "top_k"
    assert httpx.post(f"{url}/v1/models", json=BODY).status_code == 401
    publishable = _auth(settings, secret=False)
    assert httpx.post(f"{url}/v1/models", headers=publishable, json=BODY).status_code == 403
    assert httpx.get(f"{url}/v1/models/jobs/x", headers=publishable).status_code == 403
    limit = httpx.get(f"{url}/v1/rules?sku=x&limit=0", headers=_auth(settings))
    assert limit.status_code == 422
