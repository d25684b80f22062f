"""The `tactful` command starts light: commands import what they use when they run."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "scipy",
    "numpy",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "prometheus_client",
    "jinja2",
    "tactful.container",
)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    probe = (
        "import json, sys; import tactful.cli; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_help_lists_every_command_without_loading_them() -> None:
    probe = (
        "import json, sys\n"
        "from tactful.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    *shown, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    for command in ("report", "import", "backtest", "serve", "clv", "db", "experiments"):
        assert any(line.strip().startswith(command) or f" {command} " in line for line in shown)
