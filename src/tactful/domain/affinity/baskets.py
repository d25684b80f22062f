"""Baskets as a sparse incidence matrix: the one input every mining engine takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


@dataclass(frozen=True, eq=False)
class Baskets:
    """Transactions in CSR form: basket b holds items[indices[indptr[b]:indptr[b+1]]].

    `customers` (int codes, -1 for guests) and `times` (datetime64[s]) are optional and
    enable customer-level mining and recency weighting. `prices` (minor units per item,
    -1 when unknown) enables revenue-weighted evaluation. `weights` (one float per basket)
    is set by `prepare_baskets` for recency weighting; engines count a basket as its weight.
    """

    items: tuple[str, ...]
    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    customers: npt.NDArray[np.int64] | None = None
    times: npt.NDArray[np.datetime64] | None = None
    prices: npt.NDArray[np.int64] | None = None
    weights: npt.NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        if self.indptr.ndim != 1 or self.indptr.size == 0 or self.indptr[0] != 0:
            raise ValueError("indptr must be a 1-D array starting at 0")
        if int(self.indptr[-1]) != self.indices.size:
            raise ValueError("indptr[-1] must equal the number of item occurrences")
        n = self.n_baskets
        for name in ("customers", "times", "weights"):
            column = getattr(self, name)
            if column is not None and column.shape != (n,):
                raise ValueError(f"{name} must have one entry per basket ({n})")
        if self.prices is not None and self.prices.shape != (len(self.items),):
            raise ValueError(f"prices must have one entry per item ({len(self.items)})")

    @property
    def n_baskets(self) -> int:
        """Number of baskets."""
        return int(self.indptr.size - 1)

    @property
    def sizes(self) -> npt.NDArray[np.int64]:
        """Number of distinct items in each basket."""
        return np.diff(self.indptr)

    def matrix(self) -> sp.csr_matrix:
        """The 0/1 basket-by-item incidence matrix (int32), sharing this object's arrays."""
        data = np.ones(self.indices.size, dtype=np.int32)
        shape = (self.n_baskets, len(self.items))
        return sp.csr_matrix((data, self.indices, self.indptr), shape=shape)

    def basket(self, b: int) -> list[str]:
        """Item labels of basket `b` (for display and tests, not for hot loops)."""
        return [self.items[i] for i in self.indices[self.indptr[b] : self.indptr[b + 1]]]

    @classmethod
    def from_lists(
        cls, baskets: Iterable[Sequence[str]], *, items: Sequence[str] | None = None
    ) -> Baskets:
        """Build from item-label lists; duplicates within a basket count once.

        An empty basket is an error: it is almost always a parsing mistake upstream.
        """
        index: dict[str, int] = {label: i for i, label in enumerate(items or ())}
        labels: list[str] = list(items or ())
        indptr = [0]
        flat: list[int] = []
        for number, basket in enumerate(baskets, start=1):
            codes = set()
            for label in basket:
                code = index.get(label)
                if code is None:
                    code = index[label] = len(labels)
                    labels.append(label)
                codes.add(code)
            if not codes:
                raise ValueError(f"basket {number} is empty")
            flat.extend(sorted(codes))
            indptr.append(len(flat))
        return cls(
            items=tuple(labels),
            indptr=np.asarray(indptr, dtype=np.int64),
            indices=np.asarray(flat, dtype=np.int32),
        )
