"""The package's public names are exactly what __all__ lists."""

from __future__ import annotations

import tactful.domain.offers as offers


def test_all_matches_exports() -> None:
    public = {name for name in vars(offers) if not name.startswith("_")}
    modules = {name for name, value in vars(offers).items() if type(value) is type(offers)}
    assert set(offers.__all__) == public - modules
    assert all(hasattr(offers, name) for name in offers.__all__)
