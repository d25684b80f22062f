"""The /admin experiments page over real HTTP: each experiment's variants with customers and
lift against the control, and a stop form that needs the session's CSRF token and, refused,
comes back with what was typed and the message next to the field."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Variant
from tactful.services.experiments import ExperimentService
from tactful.services.simulation import SimulationService
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads
from tests.services.test_experiments import NOW, REQUEST, START
from tests.web.admin.test_admin_site import _csrf, sign_in


def test_the_page_shows_each_variant_and_stops_an_experiment(
    engine: Engine, settings: Settings
) -> None:
    database = SqlDatabase(engine)
    store = SqlExperimentStore(engine)
    created = ExperimentService(store, measurement_reads(database), FixedClock(START)).create(
        "one offer or two", [Variant("control", 50), Variant("one_offer", 50, max_offers=1)]
    )
    SimulationService(database, history_reads(database), FixedClock(NOW), holdout_share=0.2).run(
        REQUEST
    )
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        page = client.get("/admin/experiments")
        assert page.status_code == 200
        assert "No experiments yet" not in page.text
        assert "one offer or two" in page.text
        assert "one_offer" in page.text
        assert "not enough data yet" not in page.text  # the lift is drawn
        stop = f"/admin/experiments/{created.experiment_id}/stop"
        assert client.post(stop, data={"csrf": "forged"}).status_code == 403
        assert store.get(created.experiment_id).status == "running"  # type: ignore[union-attr]
        token = _csrf(page.text)
        assert 'name="reason"' in page.text
        assert "Ship one_offer" in page.text
        refused = client.post(
            stop, data={"csrf": token, "decision": "ship:one_offer", "reason": "  ", "by": "Ann"}
        )
        assert refused.status_code == 422  # the page again, the message by the field
        assert refused.headers["content-type"].startswith("text/html")
        field = f"reason-{created.experiment_id}"
        assert f'aria-describedby="{field}-error" autofocus' in refused.text
        assert f'<p class="field-error" id="{field}-error">Say why' in refused.text
        assert '<option value="ship:one_offer" selected>' in refused.text  # as typed
        assert 'value="Ann"' in refused.text
        assert store.get(created.experiment_id).status == "running"  # type: ignore[union-attr]
        unknown = client.post(
            stop, data={"csrf": token, "decision": "ship:nobody", "reason": "because"}
        )
        assert unknown.status_code == 422
        assert f'id="decision-{created.experiment_id}-error">Choose the variant' in unknown.text
        form = {"csrf": token, "decision": "ship:one_offer", "reason": "fewer offers, same revenue"}
        answer = client.post(stop, data=form)
        assert answer.status_code == 303
        stopped = store.get(created.experiment_id)
        assert stopped is not None
        assert stopped.status == "stopped"
        assert stopped.stop_record is not None
        assert (stopped.stop_record.decision, stopped.stop_record.variant) == ("ship", "one_offer")
        after = client.get("/admin/experiments").text
        assert "Stop experiment" not in after
        assert "ship one_offer" in after
        assert "fewer offers, same revenue" in after
