"""/v1/experiments over real HTTP: secret key only, bad definitions 422 naming the field with
nothing stored, create, list, read with results, stop."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}
BODY = {
    "name": "one offer or two",
    "variants": [{"name": "control", "weight": 50}, {"name": "one", "weight": 50, "max_offers": 1}],
}


def test_experiments_need_the_secret_key(live_server: LiveServer) -> None:
    url = live_server.url + "/v1/experiments"
    assert httpx.post(url, json=BODY).status_code == 401
    assert httpx.post(url, json=BODY, headers=PUBLISHABLE).status_code == 403
    assert httpx.get(url, headers=PUBLISHABLE).status_code == 403
    assert httpx.get(url, headers=SECRET).json() == {"experiments": []}


def test_create_list_read_and_stop(live_server: LiveServer) -> None:
    url = live_server.url + "/v1/experiments"
    created = httpx.post(url, json=BODY, headers=SECRET)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "running"
    assert body["variants"][1] == {"name": "one", "weight": 50, "max_offers": 1}
    listed = httpx.get(url, headers=SECRET).json()["experiments"]
    assert [e["id"] for e in listed] == [body["id"]]
    read = httpx.get(f"{url}/{body['id']}", headers=SECRET).json()
    assert read["customers"] == {"control": 0, "one": 0}
    assert read["results"][0]["status"] == "not_enough_data"
    stopped = httpx.post(f"{url}/{body['id']}/stop", headers=SECRET).json()
    assert stopped["status"] == "stopped"
    assert stopped["stopped_at"] is not None
    assert httpx.get(f"{url}/exp_nope", headers=SECRET).status_code == 404
    report = f"{live_server.url}/v1/reports/experiments"
    assert httpx.get(f"{report}/{body['id']}", headers=SECRET).json() == {
        **read,
        "status": "stopped",
        "stopped_at": stopped["stopped_at"],
    }
    assert httpx.get(f"{report}/exp_nope", headers=SECRET).status_code == 404
    assert httpx.get(f"{report}/{body['id']}", headers=PUBLISHABLE).status_code == 403
    assert httpx.post(f"{url}/exp_nope/stop", headers=SECRET).status_code == 404


def test_bad_definitions_are_422_naming_the_field_and_store_nothing(
    live_server: LiveServer,
) -> None:
    url = live_server.url + "/v1/experiments"
    cases = [
        ({**BODY, "colour": "red"}, "colour"),
        (
            {**BODY, "variants": [{"name": "a", "weight": 40}, {"name": "b", "weight": 40}]},
            "variants",
        ),
        (
            {**BODY, "variants": [{"name": "a", "weight": 50}, {"name": "a", "weight": 50}]},
            "variants",
        ),
        ({**BODY, "variants": [{"name": "a", "weight": 100}]}, "variants"),
    ]
    for body, field in cases:
        answer = httpx.post(url, json=body, headers=SECRET)
        assert answer.status_code == 422, body
        assert field in answer.text
    assert httpx.get(url, headers=SECRET).json() == {"experiments": []}
