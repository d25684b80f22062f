"""Objects that live until replaced (catalogue, model): kept out of the cyclic collector."""

from __future__ import annotations

import gc


def keep_out_of_gc() -> None:
    """Exempt what is loaded now (catalogue, model) from the cyclic garbage collector.

    Both live until replaced and hold hundreds of thousands of objects; without this every
    full collection walks them all, a pause of tens of milliseconds in the middle of
    requests (measured in bench/http_decisions.py).
    """
    gc.freeze()
