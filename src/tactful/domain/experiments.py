"""Deterministic assignment of units (customers, sessions) to holdouts and variants.

A unit's bucket is a hash of (salt, unit id), so the same customer always lands in the same
group without storing anything, and a new salt gives an independent split.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping

_SCALE = float(2**64)
_sha256 = hashlib.sha256
_first_u64 = struct.Struct(">Q").unpack_from  # the digest's first 8 bytes, big-endian


def bucket(unit_id: str, salt: str) -> float:
    """A number in [0, 1) fixed for (salt, unit_id) and spread uniformly over units."""
    digest = _sha256(f"{salt}\x1f{unit_id}".encode()).digest()
    first: int = _first_u64(digest)[0]
    return first / _SCALE


def assign(unit_id: str, salt: str, share: float) -> bool:
    """Whether the unit falls in the first `share` of buckets (e.g. the 5% holdout)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    return bucket(unit_id, salt) < share


def variant(unit_id: str, salt: str, weights: Mapping[str, float]) -> str:
    """The variant whose cumulative weight range holds the unit's bucket."""
    if not weights:
        raise ValueError("weights must name at least one variant")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must not all be zero")
    point = bucket(unit_id, salt) * total
    running = 0.0
    name = ""
    for name, weight in weights.items():
        running += weight
        if point < running:
            return name
    return name
