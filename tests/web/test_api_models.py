"""Mining a model version and reading its rules over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.services.test_models import _orders, _store

BODY = {"min_support": 0.05, "min_confidence": 0.2}


def _auth(settings: Settings, secret: bool = True) -> dict[str, str]:
    key = settings.secret_key if secret else settings.publishable_key
    return {"Authorization": f"Bearer {key}"}


def test_mine_then_current_then_rules(
    live_server: LiveServer, engine: Engine, settings: Settings
) -> None:
    url, auth = live_server.url, _auth(settings)
    assert httpx.get(f"{url}/v1/models/current", headers=auth).status_code == 404
    assert httpx.get(f"{url}/v1/rules?sku=tent", headers=auth).status_code == 404
    empty = httpx.post(f"{url}/v1/models", headers=auth, json=BODY, timeout=60)
    assert empty.status_code == 409
    assert "no stored orders" in empty.json()["detail"]

    _store(engine, _orders(40))
    created = httpx.post(f"{url}/v1/models", headers=auth, json=BODY, timeout=60)
    assert created.status_code == 201, created.text
    info = created.json()
    assert info["status"] == "active"
    assert info["summary"]["n_baskets"] == 40
    assert info["params"]["mining"]["min_support"] == 0.05

    current = httpx.get(f"{url}/v1/models/current", headers=auth).json()
    assert current["version"] == info["version"]

    rules = httpx.get(f"{url}/v1/rules", params={"sku": "tent", "limit": 5}, headers=auth)
    assert rules.status_code == 200
    body = rules.json()
    assert body["model_version"] == info["version"]
    top = body["rules"][0]
    assert top["antecedent"] == ["tent"]
    assert top["consequent"] == "pegs"
    assert top["confidence"] == 1.0
    assert top["count"] == 20


def test_bad_thresholds_and_keys_are_refused(live_server: LiveServer, settings: Settings) -> None:
    url = live_server.url
    bad = httpx.post(f"{url}/v1/models", headers=_auth(settings), json={"min_support": 1.5})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "min_support"
    assert httpx.post(f"{url}/v1/models", json=BODY).status_code == 401
    publishable = _auth(settings, secret=False)
    assert httpx.post(f"{url}/v1/models", headers=publishable, json=BODY).status_code == 403
    limit = httpx.get(f"{url}/v1/rules?sku=x&limit=0", headers=_auth(settings))
    assert limit.status_code == 422
