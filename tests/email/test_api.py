"""`POST /v1/sequences` (secret key) and the outbox viewer, over real HTTP."""

from __future__ import annotations

import httpx
import yaml

from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.email.support import SEQUENCE_YAML


def test_sequences_are_versioned_and_checked(live_server: LiveServer, settings: Settings) -> None:
    secret = {"Authorization": f"Bearer {settings.secret_key}"}
    document = yaml.safe_load(SEQUENCE_YAML)
    url = f"{live_server.url}/v1/sequences"
    public = {"Authorization": f"Bearer {settings.publishable_key}"}
    assert httpx.post(url, json=document, headers=public).status_code == 403
    first = httpx.post(url, json=document, headers=secret)
    assert first.status_code == 201
    assert first.json() == {"sequences": [{"id": "course-followup", "version": 1, "created": True}]}
    document["sequences"][0]["holdout"] = 0.2
    second = httpx.post(url, json=document, headers=secret).json()
    assert second["sequences"][0]["version"] == 2
    listed = httpx.get(url, headers=secret).json()["sequences"]
    assert [(s["id"], s["version"], s["trigger"]) for s in listed] == [
        ("course-followup", 2, "order_placed")
    ]
    del document["sequences"][0]["exit"]
    refused = httpx.post(url, json=document, headers=secret)
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "sequences[0].exit"
    outbox = httpx.get(f"{live_server.url}/v1/email/outbox", headers=secret)
    assert outbox.status_code == 200
    assert outbox.json() == {"mails": []}
