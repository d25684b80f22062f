"""The README documents every CLI command and every setting; this test keeps it so."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import typer.main

from tactful.cli import app
from tactful.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def command_paths(command: Any, prefix: str = "tactful") -> list[str]:
    """Every runnable command as typed, e.g. 'tactful db upgrade', sub-groups included (asked
    for as `--help` asks: the CLI loads a command's module only when it is asked for)."""
    context = typer.Context(command)
    names = command.list_commands(context) if hasattr(command, "list_commands") else []
    if not names:
        return [prefix]
    paths: list[str] = []
    for name in sorted(names):
        paths.extend(command_paths(command.get_command(context, name), f"{prefix} {name}"))
    return paths


def test_walk_finds_nested_commands() -> None:
    paths = command_paths(typer.main.get_command(app))
    assert "tactful db upgrade" in paths
    assert "tactful import" in paths


def test_every_cli_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [p for p in command_paths(typer.main.get_command(app)) if f"`{p}" not in text]
    assert missing == [], f"README.md does not document: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        f"TACTFUL_{n.upper()}" for n in Settings.model_fields if f"TACTFUL_{n.upper()}" not in text
    ]
    assert missing == [], f"README.md does not document: {missing}"


ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _resolves(dotted: str) -> bool:
    """Whether `tactful.a.b.Name` (a module, or an attribute path inside one) exists."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_name_on_the_architecture_page_exists() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    names = set(re.findall(r"`(tactful(?:\.\w+)+)`", text))
    assert len(names) > 30, "the page should name the code it describes"
    missing = sorted(name for name in names if not _resolves(name))
    assert missing == [], f"docs/architecture.md names what the code no longer has: {missing}"
