"""Mining what is bought together from order history."""

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import DEFAULT_MAX_BASKET_SIZE, Level, MiningConfig
from tactful.domain.affinity.counting import LocalEngine, count_itemsets
from tactful.domain.affinity.itemsets import FrequentItemsets, MiningEngine
from tactful.domain.affinity.mine import mine
from tactful.domain.affinity.model import AffinityModel, MiningSummary
from tactful.domain.affinity.prepare import (
    PreparedBaskets,
    cap_baskets,
    customer_baskets,
    prepare_baskets,
    recency_weights,
)
from tactful.domain.affinity.rules import (
    Rule,
    RuleArrays,
    RuleTable,
    derive_rules,
    rule_arrays,
    rule_table,
)
from tactful.domain.affinity.similarity import Neighbours, cooccurrence, item_neighbours
from tactful.domain.affinity.upgrades import UpgradeStep, upgrade_steps

__all__ = [
    "DEFAULT_MAX_BASKET_SIZE",
    "AffinityModel",
    "Baskets",
    "FrequentItemsets",
    "Level",
    "LocalEngine",
    "MiningConfig",
    "MiningEngine",
    "MiningSummary",
    "Neighbours",
    "PreparedBaskets",
    "Rule",
    "RuleArrays",
    "RuleTable",
    "UpgradeStep",
    "cap_baskets",
    "cooccurrence",
    "count_itemsets",
    "customer_baskets",
    "derive_rules",
    "item_neighbours",
    "mine",
    "prepare_baskets",
    "recency_weights",
    "rule_arrays",
    "rule_table",
    "upgrade_steps",
]
