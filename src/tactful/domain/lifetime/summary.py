"""Per-customer repeat-purchase summaries, the input of the buy-till-you-die models.

Purchases are counted per day (several orders of one customer on one day are one purchase,
their values added), as in Fader, Hardie & Lee's CDNOW analysis: `frequency` is the number of
purchase days after the first, `recency` the time from the first to the last, `age` (T) the
time from the first to the end of the calibration period, and `monetary` the mean value of the
repeat purchases (0 without any). Times are in `unit_days` (7: weeks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class CustomerSummary:
    """One row per customer, as parallel arrays; `customers` holds the caller's codes."""

    customers: IntArray
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary: FloatArray

    def __post_init__(self) -> None:
        n = self.customers.shape
        for name in ("frequency", "recency", "age", "monetary"):
            if getattr(self, name).shape != n:
                raise ValueError(f"{name} must have one entry per customer ({n[0]})")
        if n[0] and (np.any(self.recency > self.age) or np.any(self.frequency < 0)):
            raise ValueError("recency must not exceed age, frequency must not be negative")

    @property
    def size(self) -> int:
        """Number of customers."""
        return int(self.customers.size)

    @property
    def repeaters(self) -> npt.NDArray[np.bool_]:
        """Customers with at least one repeat purchase (the Gamma-Gamma fit's population)."""
        return self.frequency > 0

    @classmethod
    def from_columns(
        cls,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
        monetary: npt.ArrayLike | None = None,
    ) -> CustomerSummary:
        """A summary from ready-made columns (a published table, a test)."""
        x = np.asarray(frequency, dtype=np.float64)
        spend = np.zeros_like(x) if monetary is None else np.asarray(monetary, np.float64)
        return cls(
            customers=np.arange(x.size, dtype=np.int64),
            frequency=x,
            recency=np.asarray(recency, dtype=np.float64),
            age=np.asarray(age, dtype=np.float64),
            monetary=spend,
        )


def summarise(
    customers: npt.ArrayLike,
    days: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    calibration_end: int,
    unit_days: float = 7.0,
) -> CustomerSummary:
    """Summarise purchases (customer code, day number, value) made up to `calibration_end`.

    `days` and `calibration_end` are whole day numbers on one scale (days since an epoch); the
    end day itself is inside the calibration period. Purchases after it are ignored.
    """
    codes = np.asarray(customers, dtype=np.int64)
    day = np.asarray(days, dtype=np.int64)
    value = np.asarray(values, dtype=np.float64)
    if not codes.shape == day.shape == value.shape:
        raise ValueError("customers, days and values must have the same length")
    keep = day <= calibration_end
    if not np.any(keep):
        empty = np.zeros(0, dtype=np.float64)
        return CustomerSummary(codes[:0], empty, empty, empty, empty)
    codes, day, value = codes[keep], day[keep], value[keep]
    order = np.lexsort((day, codes))
    codes, day, value = codes[order], day[order], value[order]
    new_day = np.ones(codes.size, dtype=bool)
    new_day[1:] = (codes[1:] != codes[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_day)
    day_codes, day_numbers = codes[starts], day[starts]
    day_values = np.add.reduceat(value, starts)
    first = np.ones(day_codes.size, dtype=bool)
    first[1:] = day_codes[1:] != day_codes[:-1]
    heads = np.flatnonzero(first)
    ends = np.append(heads[1:], day_codes.size)
    purchase_days = (ends - heads).astype(np.float64)
    first_day, last_day = day_numbers[heads], day_numbers[ends - 1]
    repeat_total = np.add.reduceat(day_values, heads) - day_values[heads]
    frequency = purchase_days - 1
    monetary = np.divide(
        repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0
    )
    return CustomerSummary(
        customers=day_codes[heads],
        frequency=frequency,
        recency=(last_day - first_day) / unit_days,
        age=(calibration_end - first_day) / unit_days,
        monetary=monetary,
    )
