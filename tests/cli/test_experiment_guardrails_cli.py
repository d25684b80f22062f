"""Guardrail flags in the terminal: `tactful report` lists the experiments of its span with
each variant's lift, always-valid status and "harms ..." flag; `experiments show` gives them
as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.cli import app
from tests.services.guardrail_seed import plant


def test_report_and_show_flag_the_harmful_variant(tmp_path: Path) -> None:
    env = {"TACTFUL_DATA_DIR": str(tmp_path), "TACTFUL_DATABASE_URL": "", "COLUMNS": "250"}
    engine = build_engine(f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}")
    upgrade(engine)
    experiment = plant(engine)
    engine.dispose()
    runner = CliRunner()
    span = ["--from", "2026-05-01", "--to", "2026-05-20"]
    shown = runner.invoke(app, ["report", *span], env=env)
    assert shown.exit_code == 0, shown.output
    words = " ".join(shown.output.split())
    assert "Experiments (each variant against its control)" in words
    assert "pushy offers (running)" in words
    assert "⚠ harms decline rate and unsubscribe rate" in words
    before = runner.invoke(app, ["report", "--from", "2026-03-01", "--to", "2026-04-01"], env=env)
    assert "pushy" not in before.output
    found = runner.invoke(app, ["experiments", "show", experiment.experiment_id], env=env)
    assert found.exit_code == 0, found.output
    (guarded,) = json.loads(found.output)["guardrails"]
    assert guarded["flag"] == "harms decline rate and unsubscribe rate"
