"""The `tactful` command starts light: commands import what they use when they run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer import Context
from typer.main import get_command, get_command_name

from tactful.cli import app
from tactful.cli._app import COMMAND_MODULES

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


UNUSED_BY_REPORT = (
    "scipy.sparse",
    "scipy.linalg",
    "tactful.domain.offers.engine",
    "tactful.domain.affinity",
    "tactful.adapters.db.repositories.offers",
    "tactful.container",
    # the other commands' modules and what only they use
    "tactful.cli.backtest",
    "tactful.cli.serve",
    "tactful.cli.importing",
    "tactful.cli.demo",
    "tactful.domain.checkout",
    "yaml",
    "rich.progress",
)
REPORT_MODULES = 810
"""At most this many modules loaded by `tactful report --json` (788 when set; 892 when every
command's module and pydantic-settings were loaded for each command)."""


def test_the_report_loads_neither_the_offer_engine_nor_the_miner(tmp_path: Path) -> None:
    """`tactful report` reads the measurement: the engine, the miner and the SciPy parts only
    they use (sparse matrices, linear algebra) stay unloaded."""
    env = {
        **os.environ,
        "TACTFUL_DATA_DIR": str(tmp_path),
        "TACTFUL_DATABASE_URL": f"sqlite:///{tmp_path / 'tactful.db'}",
    }
    report = [sys.executable, "-m", "tactful", "report", "--json"]
    subprocess.run(report, env=env, capture_output=True, check=True)  # migrates the new store
    probe = (
        "import json, sys\n"
        "from tactful.cli import app\n"
        "try:\n"
        "    app(['report', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {UNUSED_BY_REPORT!r} if m in sys.modules]))\n"
        "print(len(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    *shown, loaded, count = done.stdout.strip().splitlines()
    assert '"incremental_revenue"' in "".join(shown)
    assert json.loads(loaded) == []
    assert int(count) <= REPORT_MODULES


def test_each_command_is_loaded_from_the_module_that_defines_it() -> None:
    """`COMMAND_MODULES` names, for every command and group of commands, the module that
    defines it (the one `tactful NAME` imports), and leaves none out."""
    group = get_command(app)
    group.list_commands(Context(group))  # imports every command's module
    defined = {}
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or get_command_name(command.callback.__name__)
        defined[name] = command.callback.__module__
    for sub in app.registered_groups:
        assert sub.typer_instance is not None
        modules = {
            c.callback.__module__ for c in sub.typer_instance.registered_commands if c.callback
        }
        assert len(modules) == 1, (sub.name, modules)
        defined[str(sub.name)] = modules.pop()
    assert defined == {name: f"tactful.cli.{module}" for name, module in COMMAND_MODULES.items()}
