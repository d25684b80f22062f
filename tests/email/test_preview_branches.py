"""`tactful sequences preview` heads each branch mail with its arm (bought, clicked, ...)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.container import build_container
from tactful.domain.sequences.branches import branch_label
from tactful.services.email_preview import preview
from tactful.settings import Settings
from tests.email.support import T0, customer, seed_shop
from tests.email.test_branches import BRANCH_YAML


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "TACTFUL_DATA_DIR": str(tmp_path),
        "TACTFUL_SECRET_KEY": "sk_test_secret_key_0123456789",
        "TACTFUL_PUBLISHABLE_KEY": "pk_test_publishable_0123456789",
        "TACTFUL_SMTP_URL": f"file:{tmp_path / 'mails'}",
        "COLUMNS": "200",
    }


def test_labels_read_as_what_the_customer_did() -> None:
    assert [branch_label(w) for w in ("bought", "clicked", "nothing", "")] == [
        "bought",
        "clicked",
        "did nothing",
        "",
    ]


def test_preview_names_the_branch_of_every_branch_mail(tmp_path: Path) -> None:
    from tactful.cli import app

    env = _env(tmp_path)
    path = tmp_path / "angles.yaml"
    path.write_text(BRANCH_YAML)
    loaded = CliRunner().invoke(app, ["sequences", "load", str(path)], env=env)
    assert loaded.exit_code == 0, loaded.output
    settings = Settings.from_env(env)
    engine = build_engine(settings.resolved_database_url)
    container = build_container(settings, engine=engine)
    seed_shop(container, [customer("zoe")], at=T0)
    shown = preview(container.email, "angles", "zoe", T0)
    container.close()
    engine.dispose()
    assert [(m.kind, m.branch) for m in shown.mails] == [
        ("value", ""),
        ("value", "bought"),
        ("value", "clicked"),
        ("check_in", "did nothing"),
    ]

    result = CliRunner().invoke(
        app, ["sequences", "preview", "angles", "--customer", "zoe"], env=env
    )
    assert result.exit_code == 0, result.output
    headings = re.findall(r"step \d+ \(\w+\)(?: \[branch: [a-z ]+\])?", result.output)
    assert headings == [
        "step 0 (value)",
        "step 2 (value) [branch: bought]",
        "step 3 (value) [branch: clicked]",
        "step 4 (check_in) [branch: did nothing]",
    ]
    assert "Thanks for your order" in result.output.split("[branch: bought]")[1]
    assert "only the arm matching what the customer did goes out" in result.output
