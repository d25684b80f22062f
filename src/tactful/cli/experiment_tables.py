"""Experiments in the terminal: each variant's lift, always-valid status and guardrail flags."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

__all__ = ["experiments_table"]


def _money(value: float | None, currency: str | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 100:,.2f} {currency or ''}".strip()


def _lift(result: dict[str, Any]) -> str:
    if result["status"] != "ok":
        return "not enough data yet"
    revenue, currency = result["revenue_per_customer"], result["currency"]
    low, high = _money(revenue["ci_low"], currency), _money(revenue["ci_high"], currency)
    return f"{_money(revenue['estimate'], currency)} ({low} .. {high})"


def _sequential(result: dict[str, Any]) -> str:
    found = result.get("sequential")
    if not found:
        return "n/a"
    verdict = "conclusive" if found["significant"] else "keep running"
    return f"{verdict} (p {found['p_value']:.3f})"


def _flag(guard: dict[str, Any] | None) -> Text:
    if guard is None:
        return Text("n/a")
    if guard["flag"]:
        return Text(f"⚠ {guard['flag']}", style="bold white on red")
    return Text("✓ none harmed", style="green")


def experiments_table(experiments: list[dict[str, Any]]) -> Table:
    """One row per variant against its control, with any "harms ..." flag in words."""
    table = Table(title="Experiments (each variant against its control)", box=box.SIMPLE_HEAD)
    for name in ("experiment", "variant", "customers", "revenue per customer lift (95% CI)"):
        table.add_column(name, justify="right" if name == "customers" else "left")
    table.add_column("always-valid (mSPRT)")
    table.add_column("guardrails")
    for found in experiments:
        guards = {g["variant"]: g for g in found.get("guardrails") or []}
        status = found["status"] + (", SAMPLE RATIO MISMATCH" if found["srm_warning"] else "")
        for result in found["results"]:
            variant = result["variant"]
            table.add_row(
                f"{found['name']} ({status})",
                variant,
                f"{found['customers'][variant]:,} vs {found['customers'][found['control']]:,}",
                _lift(result),
                _sequential(result),
                _flag(guards.get(variant)),
            )
    return table
