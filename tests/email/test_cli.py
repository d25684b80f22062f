"""`tactful sequences load|preview` and `tactful worker --once --now --json`, in-process."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.container import build_container
from tactful.settings import Settings
from tests.email.support import SEQUENCE_YAML, T0, customer, seed_shop


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "TACTFUL_DATA_DIR": str(tmp_path),
        "TACTFUL_SECRET_KEY": "sk_test_secret_key_0123456789",
        "TACTFUL_PUBLISHABLE_KEY": "pk_test_publishable_0123456789",
        "TACTFUL_SMTP_URL": f"file:{tmp_path / 'mails'}",
        "COLUMNS": "200",
    }


def test_load_preview_and_a_worker_run(tmp_path: Path) -> None:
    from tactful.cli import app

    env = _env(tmp_path)
    path = tmp_path / "seq.yaml"
    path.write_text(SEQUENCE_YAML)
    loaded = CliRunner().invoke(app, ["sequences", "load", str(path)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "course-followup: version 1 (stored)" in loaded.output
    again = CliRunner().invoke(app, ["sequences", "load", str(path)], env=env)
    assert "version 1 (unchanged)" in again.output

    settings = Settings.from_env(env)
    engine = build_engine(settings.resolved_database_url)
    container = build_container(settings, engine=engine)
    seed_shop(container, [customer("zoe")], at=T0)
    container.close()
    engine.dispose()

    shown = CliRunner().invoke(
        app, ["sequences", "preview", "course-followup", "--customer", "zoe"], env=env
    )
    assert shown.exit_code == 0, shown.output
    assert "step 1 (value)" in shown.output
    assert "Unsubscribe:" in shown.output
    assert not (tmp_path / "mails").exists()

    for at in (T0 + timedelta(hours=1), T0 + timedelta(days=1, minutes=1)):
        run = CliRunner().invoke(
            app, ["worker", "--once", "--now", at.isoformat(), "--json"], env=env
        )
        assert run.exit_code == 0, run.output
    report = json.loads(run.output.strip().splitlines()[-1])
    assert report["handled"]["email"] == 1
    [eml] = list((tmp_path / "mails").glob("*.eml"))
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in eml.read_bytes()


def test_a_bad_file_is_refused_with_its_line(tmp_path: Path) -> None:
    from tactful.cli import app

    path = tmp_path / "bad.yaml"
    path.write_text(SEQUENCE_YAML.replace("- wait: 3d", "- wait: -3d"))
    result = CliRunner().invoke(app, ["sequences", "load", str(path)], env=_env(tmp_path))
    assert result.exit_code == 2
    assert "bad.yaml:8: sequences[0].steps[2].wait: a wait cannot be negative" in result.output
