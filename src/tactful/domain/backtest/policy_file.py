"""A backtest policy as a merchant writes it: the offer engine's `OfferPolicy` fields, flat.

```yaml
name: one-offer          # optional; default: the file's name
moment: checkout         # the moment each past order is replayed at
window_days: 7           # "bought it anyway" within this many days after the order
max_offers: 1            # any OfferPolicy field; durations as days (14) or "14d", "12h", "2w"
cooldown: 21d
timing:                  # (item kind)/(offer kind): moments allowed
  digital/cross_sell: [post_purchase, email]
```
Every problem is reported at once, each naming its field; nothing is read half.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from types import MappingProxyType
from typing import Any, TypeVar

from tactful.domain.catalog import ProductKind
from tactful.domain.offers import Moment, OfferKind, OfferPolicy
from tactful.domain.offers.policy import TimingTable

BACKTEST_FIELDS = ("name", "moment", "window_days")
POLICY_FIELDS = tuple(f.name for f in fields(OfferPolicy))
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhw])\s*$")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file, named by its field."""

    field: str
    message: str


class PolicyFileError(ValueError):
    """A policy file with problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


@dataclass(frozen=True)
class BacktestPolicy:
    """A named offer policy, the moment its orders are replayed at, and the window."""

    name: str
    policy: OfferPolicy
    moment: Moment = Moment.CHECKOUT
    window: timedelta = timedelta(days=7)


def read_policy(data: object, *, default_name: str) -> BacktestPolicy:
    """Validate a parsed YAML/JSON document as a backtest policy, every problem at once."""
    if not isinstance(data, Mapping):
        raise PolicyFileError([Problem("(file)", "expected a mapping of policy fields")])
    problems: list[Problem] = []
    known = set(BACKTEST_FIELDS) | set(POLICY_FIELDS)
    for key in data:
        if key not in known:
            problems.append(Problem(str(key), f"unknown field; known: {', '.join(sorted(known))}"))
    values: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        if name in data:
            value = _field_value(name, data[name], problems)
            if value is not None:
                values[name] = value
    if values.get("allocation") == "thompson":
        problems.append(Problem("allocation", "thompson learns from live answers: not replayed"))
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("name", "must be a non-empty text"))
    moment = _choice("moment", data.get("moment", Moment.CHECKOUT.value), Moment, problems)
    window = _days("window_days", data.get("window_days", 7), problems)
    policy = _policy(values, problems)
    if problems or policy is None or moment is None or window is None:
        raise PolicyFileError(problems)
    return BacktestPolicy(str(name).strip(), policy, moment, window)


_DEFAULTS = OfferPolicy()


def _field_value(name: str, raw: object, problems: list[Problem]) -> object | None:
    default = getattr(_DEFAULTS, name)
    if name == "timing":
        return _timing(raw, problems)
    if isinstance(default, timedelta):
        return _duration(name, raw, problems)
    if isinstance(default, str):
        accepted, kind = isinstance(raw, str), "a text"
    elif isinstance(default, float):
        accepted, kind = isinstance(raw, int | float), "a number"
    else:
        accepted, kind = isinstance(raw, int), "a whole number"
    if isinstance(raw, bool) or not accepted:
        problems.append(Problem(name, f"must be {kind}, got {raw!r}"))
        return None
    return float(raw) if isinstance(default, float) and isinstance(raw, int) else raw


def _policy(values: dict[str, Any], problems: list[Problem]) -> OfferPolicy | None:
    try:
        return OfferPolicy(**values)
    except ValueError as exc:
        message = str(exc)
        field = message.split(" ", 1)[0]
        problems.append(Problem(field if field in POLICY_FIELDS else "(policy)", message))
        return None


def _duration(name: str, raw: object, problems: list[Problem]) -> timedelta | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if raw < 0:
            problems.append(Problem(name, f"must not be negative, got {raw!r}"))
            return None
        return timedelta(days=raw)
    match = DURATION.match(raw) if isinstance(raw, str) else None
    if match is None:
        problems.append(Problem(name, f'expected days (14) or "14d", "12h", "2w"; got {raw!r}'))
        return None
    return float(match.group(1)) * UNITS[match.group(2)]


def _days(name: str, raw: object, problems: list[Problem]) -> timedelta | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not raw > 0:
        problems.append(Problem(name, f"must be a positive number of days, got {raw!r}"))
        return None
    return timedelta(days=raw)


Choice = TypeVar("Choice", Moment, OfferKind, ProductKind)


def _choice(name: str, raw: object, enum: type[Choice], problems: list[Problem]) -> Choice | None:
    try:
        return enum(str(raw))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        problems.append(Problem(name, f"unknown value {raw!r}; use one of {allowed}"))
        return None


def _timing(raw: object, problems: list[Problem]) -> TimingTable | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem("timing", "expected a mapping of kind/offer_kind: [moments]"))
        return None
    table: dict[tuple[ProductKind, OfferKind], frozenset[Moment]] = {}
    for key, moments in raw.items():
        where = f"timing.{key}"
        item_kind, _, offer_kind = str(key).partition("/")
        kind = _choice(where, item_kind, ProductKind, problems)
        offer = _choice(where, offer_kind, OfferKind, problems)
        if not isinstance(moments, list) or not moments:
            problems.append(Problem(where, "expected a list of moments"))
            continue
        chosen = [_choice(where, m, Moment, problems) for m in moments]
        if kind is not None and offer is not None and None not in chosen:
            table[(kind, offer)] = frozenset(m for m in chosen if m is not None)
    return MappingProxyType(table)
