"""Generated keys outlive a restart: `tactful serve` twice and `tactful links create` between.

Before the key file, each run printed new keys: the old ones got 401 and every signed link
was "changed after it was signed".
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import tactful
from tactful.cli import app
from tests.cli.test_serve_workers import Served, stop, wait_until_healthy
from tests.conftest import free_port
from tests.e2e.seed import PAGE

PRODUCT = {"sku": "COURSE", "name": "Deep Focus course", "price": 2900, "currency": "GBP"}
ONE_ITEM_PAGE = {**PAGE, "bumps": [], "upsells": []}


def environment(data_dir: Path, port: int) -> dict[str, str]:
    """The process environment without any TACTFUL_* key, so keys come from the key file."""
    source = str(Path(tactful.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    return env | {
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "TACTFUL_DATA_DIR": str(data_dir),
        "TACTFUL_PORT": str(port),
    }


@contextmanager
def serving(data_dir: Path, port: int, log: Path) -> Iterator[Served]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tactful", "serve"],
            env=environment(data_dir, port),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_healthy(served, timeout=90)
        yield served
    finally:
        stop(process)


def saved(data_dir: Path) -> dict[str, str]:
    path = data_dir / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "only the owner may read the keys"
    keys: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return keys


def add_page(url: str, secret_key: str) -> None:
    auth = {"Authorization": f"Bearer {secret_key}"}
    products = httpx.post(f"{url}/v1/products", json={"products": [PRODUCT]}, headers=auth)
    assert products.status_code == 200, products.text
    page = httpx.post(f"{url}/v1/checkout-pages", json=ONE_ITEM_PAGE, headers=auth)
    assert page.status_code == 201, page.text


@pytest.mark.slow
def test_a_restarted_server_keeps_its_keys_and_signed_links(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "var", free_port()
    with serving(data_dir, port, tmp_path / "first.log") as first:
        keys = saved(data_dir)
        add_page(first.url, keys["secret_key"])
    assert keys["secret_key"] in (tmp_path / "first.log").read_text()
    env = environment(data_dir, port)
    made = CliRunner().invoke(
        app, ["links", "create", "--page", PAGE["slug"], "--price", "1900"], env=env
    )
    assert made.exit_code == 0, made.output
    link = made.output.strip()
    with serving(data_dir, port, tmp_path / "second.log") as second:
        assert saved(data_dir) == keys
        auth = {"Authorization": f"Bearer {keys['secret_key']}"}
        assert httpx.get(f"{second.url}/v1/checkout-pages/{PAGE['slug']}", headers=auth).is_success
        page = httpx.get(link)
        assert page.status_code == 200, page.text
        assert "£19.00" in page.text


def test_keys_set_in_the_environment_win_and_are_not_saved(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = environment(data_dir, free_port()) | {
        "TACTFUL_SECRET_KEY": "sk_from_the_environment_0123",
        "TACTFUL_PUBLISHABLE_KEY": "pk_from_the_environment_0123",
    }
    result = CliRunner().invoke(app, ["links", "create", "--page", "nope"], env=env)
    assert "no checkout page" in result.output
    assert not (data_dir / "keys.json").exists()
