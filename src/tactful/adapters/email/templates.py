"""Mail templates with Jinja2: `<name>.html` and `<name>.txt`, CSS inlined by css-inline.

Templates are looked up first in the merchant's folder (if configured), then among the
built-in ones (`tips`, `offer`, `check_in`). The HTML is rendered with autoescape and its
`<style>` inlined once per mail, since many mail clients drop `<style>` blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import css_inline
import jinja2

from tactful.services.ports.email import TemplateError

_BUILT_IN = Path(__file__).with_name("templates")


class JinjaMailTemplates:
    """The `MailTemplates` port on Jinja2 and css-inline."""

    def __init__(self, folder: Path | None = None) -> None:
        folders = [str(folder)] if folder is not None else []
        loader = jinja2.FileSystemLoader([*folders, str(_BUILT_IN)])
        common = {"loader": loader, "undefined": jinja2.StrictUndefined, "auto_reload": False}
        self._html = jinja2.Environment(autoescape=True, **common)  # type: ignore[arg-type]
        self._text = jinja2.Environment(autoescape=False, **common)  # type: ignore[arg-type]
        self._inliner = css_inline.CSSInliner(keep_style_tags=True)

    def render(self, template: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """(html, text) of `template`; TemplateError when it is missing or fails."""
        try:
            html = self._html.get_template(f"{template}.html").render(context)
            text = self._text.get_template(f"{template}.txt").render(context)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"template {template!r}: {exc}") from exc
        return self._inliner.inline(html), text

    def check(self, template: str) -> None:
        """Refuse a template that is missing or does not compile (at load time)."""
        if not template.replace("_", "").replace("-", "").isalnum():
            raise TemplateError(f"template {template!r}: use letters, digits, '-' or '_'")
        try:
            self._html.get_template(f"{template}.html")
            self._text.get_template(f"{template}.txt")
        except jinja2.TemplateError as exc:
            raise TemplateError(f"template {template!r}: {exc}") from exc
