"""`tactful pages load FILE.yaml`: define hosted checkout pages from YAML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer
import yaml

from tactful.cli._app import app, console, fail, load_settings, open_services
from tactful.domain.checkout import PageError

pages_app = typer.Typer(help="Hosted checkout pages.", no_args_is_help=True)
app.add_typer(pages_app, name="pages")


def _line_of(root: yaml.Node, field: str) -> int | None:
    """The 1-based line of a dotted/indexed field path such as 'bumps[1].sku'."""
    node: yaml.Node | None = root
    for part in field.replace("]", "").replace("[", ".").split("."):
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit():
            node = node.value[int(part)] if int(part) < len(node.value) else None
        if node is None:
            return None
    return node.start_mark.line + 1 if node is not None else None


def read_pages(path: Path) -> list[tuple[dict[str, Any], yaml.Node]]:
    """Page definitions in a YAML file (one page, or a list of pages) with their nodes."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    data = yaml.safe_load(text)
    if root is None or data is None:
        return []
    if isinstance(data, list) and isinstance(root, yaml.SequenceNode):
        return list(zip(data, root.value, strict=True))
    return [(data, root)]


@pages_app.command("load")
def load(
    path: Path = typer.Argument(..., help="YAML file with one page or a list of pages."),
) -> None:
    """Create or replace checkout pages from a YAML file; all of them, or none on any error."""
    from tactful.services.checkout import PagesError, save_pages

    try:
        pages = read_pages(path)
    except OSError as exc:
        raise fail(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise fail(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not pages:
        raise fail(f"{path}: no page definition found")
    settings = load_settings()
    services = open_services(settings)
    try:
        saved = save_pages(services.checkout, [data for data, _ in pages])
    except PagesError as exc:
        lines = problem_lines(path, [node for _, node in pages], exc.errors)
        raise fail("\n".join([*lines, f"{len(lines)} error(s); no page was saved."])) from exc
    finally:
        services.close()
    for page, created in saved:
        verb = "created" if created else "updated"
        console.print(f"Page {page.slug} {verb}: {settings.base_url}/c/{page.slug}")


def problem_lines(
    path: Path, nodes: Sequence[yaml.Node], errors: Mapping[int, PageError]
) -> list[str]:
    """'FILE:LINE: field: message' for every problem, in the order of the file."""
    located = []
    for n, error in errors.items():
        for problem in error.problems:
            line = _line_of(nodes[n], problem.field) or nodes[n].start_mark.line + 1
            located.append((line, f"{path}:{line}: {problem.field}: {problem.message}"))
    return [text for _, text in sorted(located, key=lambda pair: pair[0])]
