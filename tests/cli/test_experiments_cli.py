"""`tactful experiments load|stop|show` in-process on SQLite: a file's faults named by file, line
and field with nothing stored; a stop needs its decision, which `show` then prints."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "experiments.yaml"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    data = tmp_path / "var"
    data.mkdir()
    engine = build_engine(f"sqlite:///{(data / 'tactful.db').as_posix()}")
    upgrade(engine)
    engine.dispose()
    return {"TACTFUL_DATA_DIR": str(data), "TACTFUL_DATABASE_URL": "", "COLUMNS": "300"}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["experiments", *args], env=env)
    return result.exit_code, re.sub(r"\s+", " ", result.output)


def test_load_then_stop_with_a_decision(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("traffic: 50", "traffic: 50\n    colour: red"))
    code, output = run(env, "load", str(bad))
    assert code == 2
    assert f"{bad}:9: experiments[0].colour:" in output
    assert json.loads(run(env, "list")[1]) == []
    code, output = run(env, "load", str(EXAMPLE))
    assert code == 0, output
    first = json.loads(output)[0]["id"]
    assert len(json.loads(run(env, "list")[1])) == 3
    code, output = run(env, "stop", first, "--decision", "ship", "--reason", "pays")
    assert code == 2
    assert "variant" in output
    code, output = run(
        env, "stop", first, "--decision", "ship", "--variant", "plain", "--reason", "pays"
    )
    assert code == 0, output
    shown = json.loads(run(env, "show", first)[1])
    assert shown["status"] == "stopped"
    assert shown["stop_decision"]["variant"] == "plain"
    assert shown["stop_decision"]["reason"] == "pays"
