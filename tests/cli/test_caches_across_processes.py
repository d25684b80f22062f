"""A running server sees what another process wrote, without a restart (issue 21, bug 12).

`tactful serve` runs; `tactful import` (another process) stores new products and orders, and
`POST /v1/models` mines them: decisions then know the new SKUs and offer from the new model.
Writers bump a change counter in the database in the same transaction, and the server's
catalogue notices it within a moment; the active model is re-checked every second.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tactful.adapters.db.engine import build_engine
from tests.cli.test_serve_workers import SECRET_KEY
from tests.conftest import truncate_all
from tests.support.served import call, serve, tactful_env
from tests.web.test_api_decisions import customer_ids

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
PAIRS = (("TENTX", "PEGSX", "4.00", "3.50"), ("STOVEX", "GASX", "9.00", "8.00"))
PATIENCE = 60.0  # seconds; only bounds a hang, this test times nothing


def retail_file(path: Path) -> Path:
    """Eighty baskets of two new pairs: each pair bought together (lift 2)."""
    lines = [HEADER]
    for n in range(80):
        first, second, price_1, price_2 = PAIRS[n % 2]
        when = f"2011-0{1 + n % 9}-{10 + n % 18} 10:00:00"
        for sku, price in ((first, price_1), (second, price_2)):
            lines.append(f"{600000 + n},{sku},{sku} item,1,{when},{price},{1000 + n}.0,UK\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + PATIENCE
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


def tent_decision(url: str, customer: str) -> dict[str, Any]:
    body = {"customer_id": customer, "moment": "cart", "cart": [{"sku": "TENTX"}]}
    answer: dict[str, Any] = call(url, "/v1/decisions", body)
    return answer


@pytest.mark.slow
def test_import_and_mining_reach_a_running_server(database_url: str, tmp_path: Path) -> None:
    engine = build_engine(database_url)
    truncate_all(engine)
    engine.dispose()
    shopper = customer_ids(held_out=False)
    with serve(database_url, tmp_path / "var") as served:
        before = tent_decision(served.url, shopper)
        assert before["warnings"] == ["unknown sku 'TENTX' in cart was ignored"]

        command = ["import", str(retail_file(tmp_path / "r.csv")), "--format", "online-retail"]
        imported = subprocess.run(
            [sys.executable, "-m", "tactful", *command],
            env=tactful_env(database_url, tmp_path / "var"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert imported.returncode == 0, imported.stdout + imported.stderr
        until(lambda: not tent_decision(served.url, shopper)["warnings"], "catalogue reloaded")

        params = {"min_support": 0.05, "min_confidence": 0.1}
        job = call(served.url, "/v1/models", params, SECRET_KEY, status=202)
        secret = {"Authorization": f"Bearer {SECRET_KEY}"}
        url = f"{served.url}{job['url']}"

        def finished() -> dict[str, Any] | None:
            state: dict[str, Any] = httpx.get(url, headers=secret, timeout=30).json()
            return state if state["status"] in ("succeeded", "failed") else None

        assert until(finished, "mining finished")["status"] == "succeeded"
        offers = until(lambda: tent_decision(served.url, shopper)["offers"], "new model used")
    assert [offer["sku"] for offer in offers] == ["PEGSX"]
