"""Group a stream of parsed lines into orders without holding the whole file in memory."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.imports import ImportFileError, ParsedLine, Record, Skipped
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine

# An order whose lines stop for this many file lines is complete. Exports list an order's
# lines together, but some interleave neighbouring orders a little.
DEFAULT_WINDOW = 20_000


@dataclass(frozen=True, slots=True)
class GroupedOrder:
    """A complete order with the parsed lines it came from (for names and price history)."""

    order: Order
    lines: tuple[ParsedLine, ...]
    email: str | None


@dataclass(slots=True)
class _Open:
    first: ParsedLine
    lines: list[ParsedLine] = field(default_factory=list)
    last_line: int = 0


def group_orders(
    records: Iterable[Record],
    *,
    path: Path,
    order_column: str,
    window: int = DEFAULT_WINDOW,
) -> Iterator[GroupedOrder | Skipped]:
    """Skips pass straight through; lines come out as whole orders once their order ends."""
    pending: OrderedDict[str, _Open] = OrderedDict()
    closed: set[str] = set()
    cache: dict[tuple[str, int, Money], OrderLine] = {}
    check_every = max(1, min(1024, window))
    for count, record in enumerate(records):
        if isinstance(record, Skipped):
            yield record
            continue
        key = record.order_id
        group = pending.get(key)
        if group is None:
            if key in closed:
                reason = (
                    f"order {key!r} continues more than {window} lines after its other lines; "
                    "sort the file by order"
                )
                raise ImportFileError(path, record.line_no, order_column, reason)
            group = pending[key] = _Open(record)
        else:
            pending.move_to_end(key)
        group.lines.append(record)
        group.last_line = record.line_no
        while count % check_every == 0 and pending:
            oldest = next(iter(pending.values()))
            if oldest.last_line >= record.line_no - window:
                break
            closed.add(oldest.first.order_id)
            yield _complete(pending.popitem(last=False)[1], path, cache)
    for group in pending.values():
        yield _complete(group, path, cache)


def _line(cache: dict[tuple[str, int, Money], OrderLine], parsed: ParsedLine) -> OrderLine:
    """Order lines are immutable, and exports repeat the same (sku, quantity, price) a lot."""
    key = (parsed.sku, parsed.quantity, parsed.unit_price)
    line = cache.get(key)
    if line is None:
        if len(cache) > 200_000:
            cache.clear()
        line = cache[key] = OrderLine(Sku(parsed.sku), parsed.quantity, parsed.unit_price)
    return line


def _complete(
    group: _Open, path: Path, cache: dict[tuple[str, int, Money], OrderLine]
) -> GroupedOrder:
    first = group.first
    customer = next((ln.customer_id for ln in group.lines if ln.customer_id), None)
    email = next((ln.email for ln in group.lines if ln.email), None)
    try:
        order = Order(
            order_id=OrderId(first.order_id),
            created_at=first.created_at,
            lines=tuple([_line(cache, ln) for ln in group.lines]),
            customer_id=CustomerId(customer) if customer else None,
        )
    except ValueError as exc:
        raise ImportFileError(path, first.line_no, None, str(exc)) from None
    return GroupedOrder(order, tuple(group.lines), email)
