"""The offer engine: at most two respectful, explained offers per moment.

catalog = OfferCatalog.build(products, price_points, bundles)   # once per catalogue change
affinity = ModelAffinity(active_model)                           # once per mined model
context = DecisionContext(decision_id, now, catalog, affinity, policy, task=..., viewing=...,
                          purchases=..., offer_events=..., declined_upsell=..., expires_at=...)
decision = decide(customer, Moment(moment), [CartLine(sku, quantity), ...], context)

`decide` lives in `tactful.domain.offers.engine` and `ModelAffinity` in `.model_source`, and
this package does not import them: they load the miner's modules (scipy.sparse), which the
readers of offer records (reports, the decision log) do not need.
"""

from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.decision import (
    Decision,
    Offer,
    PriceBlock,
    SocialProof,
    TraceEntry,
    Urgency,
)
from tactful.domain.offers.evidence import (
    EMPTY_AFFINITY,
    AffinitySource,
    Evidence,
    InMemoryAffinity,
    RepeatPurchase,
)
from tactful.domain.offers.inputs import (
    CartLine,
    DecisionContext,
    DeclinedUpsell,
    OfferEvent,
    OfferResponse,
    PastOrder,
    Purchase,
    purchases_from_orders,
)
from tactful.domain.offers.moments import Format, Moment, OfferKind, Task
from tactful.domain.offers.offer_catalog import OfferCatalog
from tactful.domain.offers.policy import OfferPolicy, TimingTable, default_timing
from tactful.domain.offers.reasons import ReasonCode

__all__ = [
    "EMPTY_AFFINITY",
    "AffinitySource",
    "Candidate",
    "CartLine",
    "Decision",
    "DecisionContext",
    "DeclinedUpsell",
    "Evidence",
    "Format",
    "InMemoryAffinity",
    "Moment",
    "Offer",
    "OfferCatalog",
    "OfferEvent",
    "OfferKind",
    "OfferPolicy",
    "OfferResponse",
    "PastOrder",
    "PriceBlock",
    "Purchase",
    "ReasonCode",
    "RepeatPurchase",
    "SocialProof",
    "Task",
    "TimingTable",
    "TraceEntry",
    "Urgency",
    "default_timing",
    "purchases_from_orders",
]
