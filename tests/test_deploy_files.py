"""The production layout (Dockerfile, compose.yaml, Caddyfile) parses and fits together.

No image is built in CI; these checks catch a layout that could not start: a command that is
not a tactful command, a service depending on one that does not exist, a health check on an
endpoint the app does not serve, settings the app would not read.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer import Context
from typer.main import get_command

from tactful.cli import app
from tactful.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _is_tactful_command(argv: list[str]) -> bool:
    """Whether `argv` (tactful SUB [SUB2] ...) names a command the CLI really has."""
    group: Any = get_command(app)
    assert argv[0] == "tactful", argv
    for word in argv[1:]:
        if word.startswith("-"):
            break
        if not hasattr(group, "commands"):
            break
        found = group.get_command(Context(group), word)  # loads the command's module
        if found is None:
            return False
        group = found
    return not hasattr(group, "commands")  # stopped at a command, not a bare group


def test_the_layout_has_proxy_api_worker_and_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"proxy", "api", "worker", "postgres"} <= services.keys()
    assert services["api"]["deploy"]["replicas"] >= 2  # stateless: more than one process
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown service {needed}"


def test_every_tactful_command_exists(compose: dict[str, Any]) -> None:
    commands = [s["command"] for s in compose["services"].values() if "command" in s]
    cmd = next(args for kind, args in _dockerfile_instructions() if kind == "CMD")
    commands.append(shlex.split(cmd.strip("[]").replace('"', "").replace(",", " ")))
    for argv in commands:
        if argv[0] == "tactful" and argv[1] != "worker":  # `tactful worker`: issue 23
            assert _is_tactful_command(argv), f"not a tactful command: {argv}"


def test_health_checks_use_the_apps_endpoints(compose: dict[str, Any]) -> None:
    from tactful.web.api.health import router

    served = {route.path for route in router.routes}  # type: ignore[attr-defined]
    api_check = " ".join(compose["services"]["api"]["healthcheck"]["test"])
    docker_check = next(args for kind, args in _dockerfile_instructions() if kind == "HEALTHCHECK")
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    for text in (api_check, docker_check, caddy):
        paths = set(re.findall(r"(/(?:readyz|healthz))\b", text))
        assert paths, text
        assert paths <= served, text


def test_the_image_runs_unprivileged_from_the_lockfile() -> None:
    instructions = _dockerfile_instructions()
    kinds = [kind for kind, _ in instructions]
    assert kinds.count("FROM") == 2  # a build stage and a slim runtime stage
    assert any(kind == "USER" and args != "root" for kind, args in instructions)
    assert any("uv sync --frozen" in args for kind, args in instructions if kind == "RUN")
    assert "EXPOSE" in kinds
    assert "HEALTHCHECK" in kinds


def test_the_env_example_names_only_real_settings() -> None:
    known = {f"TACTFUL_{name.upper()}" for name in Settings.model_fields}
    example = (ROOT / "deploy" / "tactful.env.example").read_text()
    names = re.findall(r"^(TACTFUL_[A-Z_]+)=", example, flags=re.MULTILINE)
    assert names
    assert set(names) <= known, set(names) - known
    assert "TACTFUL_ENVIRONMENT=production" in example
