"""The active model's best rules for one item."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from tactful.web.deps import ModelsDep, SecretKey

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get("")
def rules(
    models: ModelsDep,
    _key: SecretKey,
    sku: Annotated[str, Query(min_length=1, max_length=128)],
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> dict[str, Any]:
    """Rules whose antecedent is `sku`, highest confidence first, with the counts behind them."""
    loaded = models.get()
    if loaded is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no model has been mined yet")
    found = loaded.model.rules_for(sku)[:limit]
    return {
        "sku": sku,
        "model_version": loaded.info.version,
        "rules": [
            {
                "antecedent": list(r.antecedent),
                "consequent": r.consequent,
                "support": r.support,
                "confidence": r.confidence,
                "lift": r.lift,
                "count": r.count,
                "antecedent_count": r.antecedent_count,
                "n_baskets": r.n_baskets,
            }
            for r in found
        ],
    }
