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
    assert body["variants"][1]["name"] == "one"
    assert body["variants"][1]["max_offers"] == 1
    assert (body["layer"], body["moments"], body["traffic"]) == ("default", [], 100)
    listed = httpx.get(url, headers=SECRET).json()["experiments"]
    assert [e["id"] for e in listed] == [body["id"]]
    read = httpx.get(f"{url}/{body['id']}", headers=SECRET).json()
    assert read["customers"] == {"control": 0, "one": 0}
    assert read["results"][0]["status"] == "not_enough_data"
    stop = {"decision": "ship", "variant": "one", "reason": "fewer, better offers", "by": "ana"}
    stopped = httpx.post(f"{url}/{body['id']}/stop", json=stop, headers=SECRET).json()
    assert stopped["status"] == "stopped"
    record = stopped["stop_decision"]
    assert (record["decision"], record["variant"], record["by"]) == ("ship", "one", "ana")
    assert record["reason"] == "fewer, better offers"
    assert record["at"] == stopped["stopped_at"]
    assert stopped["stopped_at"] is not None
    assert httpx.get(f"{url}/exp_nope", headers=SECRET).status_code == 404
    report = f"{live_server.url}/v1/reports/experiments"
    assert httpx.get(f"{report}/{body['id']}", headers=SECRET).json() == {
        **read,
        "status": "stopped",
        "stopped_at": stopped["stopped_at"],
        "stop_decision": record,
    }
    assert httpx.get(f"{report}/exp_nope", headers=SECRET).status_code == 404
    assert httpx.get(f"{report}/{body['id']}", headers=PUBLISHABLE).status_code == 403
    assert httpx.post(f"{url}/exp_nope/stop", json=stop, headers=SECRET).status_code == 404


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


def test_a_taken_layer_is_409_naming_it_and_variant_settings_round_trip(
    live_server: LiveServer,
) -> None:
    url = live_server.url + "/v1/experiments"
    variants = [
        {"name": "control", "weight": 50},
        {
            "name": "off",
            "weight": 50,
            "discount_percent": 10,
            "headline": "plain",
            "format": "compact",
            "wait_multiplier": 2.0,
        },
    ]
    body = {
        "name": "ten off",
        "variants": variants,
        "layer": "checkout",
        "moments": ["checkout"],
        "traffic": 60,
    }
    created = httpx.post(url, json=body, headers=SECRET)
    assert created.status_code == 201, created.text
    assert created.json()["variants"][1] == {**variants[1], "max_offers": None, "allocation": None}
    clash = httpx.post(url, json={**body, "name": "clash", "traffic": 50}, headers=SECRET)
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "layer"
    assert "no free 50%" in clash.json()["detail"]
    fits = httpx.post(url, json={**body, "name": "fits", "traffic": 40}, headers=SECRET)
    assert fits.status_code == 201
    elsewhere = {**body, "name": "email", "moments": ["email"], "traffic": 100}
    assert httpx.post(url, json=elsewhere, headers=SECRET).status_code == 201
    assert len(httpx.get(url, headers=SECRET).json()["experiments"]) == 3
    arms = {e["id"]: e for e in httpx.get(url, headers=SECRET).json()["experiments"]}
    for n in range(40):  # the checkout layer is split 60/40: one arm at checkout, no more
        answer = httpx.post(
            live_server.url + "/v1/decisions",
            json={"customer_id": f"c{n}", "moment": "checkout", "cart": []},
            headers=PUBLISHABLE,
        ).json()
        if answer["held_out"]:
            assert answer["experiments"] == []
            continue
        [arm] = answer["experiments"]
        assert arms[arm["experiment_id"]]["layer"] == "checkout"
        compact = arm["variant"] == "off"
        assert answer["presentation"] == ("compact" if compact else None)
    for bad, field in [
        ({**body, "moments": ["teatime"]}, "moments"),
        ({**body, "layer": "Bad Layer!"}, "layer"),
        (
            {**body, "variants": [variants[0], {**variants[1], "discount_percent": 70}]},
            "discount_percent",
        ),
        ({**body, "variants": [variants[0], {**variants[1], "format": "poster"}]}, "format"),
        (
            {**body, "variants": [variants[0], {**variants[1], "allocation": "greedy"}]},
            "allocation",
        ),
    ]:
        answer = httpx.post(url, json=bad, headers=SECRET)
        assert answer.status_code == 422, bad
        assert field in answer.text
    stop = f"{url}/{created.json()['id']}/stop"
    assert httpx.post(stop, headers=SECRET).status_code == 422  # a stop needs its decision
    ship = httpx.post(stop, json={"decision": "ship", "reason": "pays"}, headers=SECRET)
    assert ship.status_code == 422
    assert "variant" in ship.text
    kept = httpx.post(stop, json={"decision": "keep_control", "reason": "no lift"}, headers=SECRET)
    assert kept.json()["stop_decision"]["by"] == "api"


def test_an_arm_may_opt_in_to_thompson_allocation(live_server: LiveServer) -> None:
    url = live_server.url + "/v1/experiments"
    bandit = {"name": "bandit", "weight": 50, "max_offers": 1, "allocation": "thompson"}
    body = {"name": "ranked or thompson", "variants": [BODY["variants"][0], bandit]}
    created = httpx.post(url, json=body, headers=SECRET)
    assert created.status_code == 201, created.text
    assert created.json()["variants"][1]["allocation"] == "thompson"
    assert created.json()["variants"][0]["allocation"] is None
    read = httpx.get(f"{url}/{created.json()['id']}", headers=SECRET).json()
    assert read["variants"][1]["allocation"] == "thompson"
    for n in range(20):
        answer = httpx.post(
            live_server.url + "/v1/decisions",
            json={"customer_id": f"b{n}", "moment": "cart", "cart": []},
            headers=PUBLISHABLE,
        )
        assert answer.status_code == 200, answer.text
