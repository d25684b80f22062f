"""Streaming importers for real order exports, one reader per format.

A reader yields one record per order line (or a counted skip); `group_orders` turns the stream
into whole orders. `services.importing` writes them in one transaction.
"""

from __future__ import annotations

from tactful.adapters.importers import baskets, online_retail, orders_csv, shopify
from tactful.adapters.importers._base import (
    ImportFileError,
    ImportOptions,
    ParsedLine,
    Progress,
    Record,
    Skipped,
)
from tactful.domain.imports import Reader
from tactful.domain.order_grouping import GroupedOrder, group_orders

READERS: dict[str, Reader] = {
    "online-retail": online_retail.read_online_retail,
    "shopify": shopify.read_shopify,
    "baskets": baskets.read_baskets_file,
    "orders-csv": orders_csv.read_orders_csv,
}
FORMATS = tuple(READERS)


def order_column(fmt: str, options: ImportOptions) -> str:
    """The column that holds a format's order id (named in errors)."""
    if fmt == "orders-csv":
        return orders_csv.order_column(options)
    return {
        "online-retail": online_retail.ORDER_COLUMN,
        "shopify": shopify.ORDER_COLUMN,
        "baskets": baskets.ORDER_COLUMN,
    }[fmt]


def reader_for(fmt: str) -> Reader:
    """The reader of a format, or a ValueError listing the known ones."""
    try:
        return READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None


class FileReaders:
    """`tactful.services.ports.OrderFiles`: the readers of this package, by format name."""

    def reader(self, fmt: str) -> Reader:
        """The reader of a format, or a ValueError listing the known ones."""
        return reader_for(fmt)

    def order_column(self, fmt: str, options: ImportOptions) -> str:
        """The column that holds a format's order id (named in errors)."""
        return order_column(fmt, options)


__all__ = [
    "FORMATS",
    "READERS",
    "FileReaders",
    "GroupedOrder",
    "ImportFileError",
    "ImportOptions",
    "ParsedLine",
    "Progress",
    "Reader",
    "Record",
    "Skipped",
    "group_orders",
    "order_column",
    "reader_for",
]
