"""/admin/webhooks forms over real HTTP: a refused add or edit shows the form again with what
was typed and the field's error (422) and stores nothing; a valid one redirects."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.web.admin.test_admin_site import _csrf, sign_in


def test_refused_add_and_edit_forms_come_back_with_their_errors(
    engine: Engine, settings: Settings
) -> None:
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        token = _csrf(client.get("/admin/webhooks").text)
        bad = {"csrf": token, "url": "ftp://typed.example", "description": "mine"}
        refused = client.post("/admin/webhooks", data=bad)
        assert refused.status_code == 422
        assert "ftp://typed.example" in refused.text
        assert "Enter the full address" in refused.text
        assert "Choose at least one event." in refused.text
        good = {**bad, "url": "https://hooks.example/in", "events": ["offer.accepted"]}
        made = client.post("/admin/webhooks", data=good, follow_redirects=False)
        assert made.status_code == 303
        endpoint = made.headers["location"].split("?")[0]
        wrong = {**good, "url": "not a url"}
        again = client.post(f"{endpoint}/edit", data=wrong)
        assert again.status_code == 422
        assert "not a url" in again.text
        assert "Enter the full address" in again.text
        assert "https://hooks.example/in" in client.get(endpoint).text  # nothing stored
        saved = client.post(f"{endpoint}/edit", data=good, follow_redirects=False)
        assert saved.status_code == 303
