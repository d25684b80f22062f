"""A logged candidate's figures in a merchant's words: why it was proposed, and what it adds.

"41% of 1,203 customers who bought Enamel mug also bought Coffee beans (493 customers,
lift 3.2)": shares rounded down, as the offers themselves say them (`framing.share_percent`).
"""

from __future__ import annotations

from collections.abc import Mapping

from tactful.domain.money import Money
from tactful.domain.offers.moments import OfferKind
from tactful.domain.offers.trace_log import LoggedCandidate, LoggedEvidence

_TIMES = {1: "once", 2: "twice"}


def _share(evidence: LoggedEvidence) -> str:
    if evidence.antecedent_count <= 0:
        return "0%"
    percent = evidence.count * 100 // evidence.antecedent_count
    return f"{percent}%" if percent >= 1 or evidence.count == 0 else "Under 1%"


def co_purchases(evidence: LoggedEvidence, offered: str, names: Mapping[str, str]) -> str:
    """ "41% of 1,203 orders with X also included Y (493 orders, lift 3.2)"."""
    bought = " and ".join(names.get(sku, sku) for sku in evidence.antecedent)
    lift = f", lift {evidence.lift:.1f}" if evidence.lift > 0 else ""
    if evidence.unit == "customers":
        return (
            f"{_share(evidence)} of {evidence.antecedent_count:,} customers who bought {bought} "
            f"also bought {offered} ({evidence.count:,} customers{lift})"
        )
    return (
        f"{_share(evidence)} of {evidence.antecedent_count:,} orders with {bought} "
        f"also included {offered} ({evidence.count:,} orders{lift})"
    )


def grounds(candidate: LoggedCandidate, names: Mapping[str, str]) -> str | None:
    """Why the candidate was proposed, with the figures behind it; None when the log kept no
    figures (decisions logged before it did) or there are none to give."""
    if not candidate.has_figures:
        return None
    offered = names.get(candidate.sku, candidate.sku)
    anchor = names.get(candidate.for_sku, candidate.for_sku) if candidate.for_sku else None
    if candidate.evidence is not None:
        return co_purchases(candidate.evidence, offered, names)
    if candidate.repeat is not None:
        orders, last = candidate.repeat
        times = _TIMES.get(orders, f"{orders:,} times")
        return f"Ordered {times} before, the last on {last.day} {last:%B %Y}"
    kind = candidate.kind
    if kind == OfferKind.UPSELL and anchor:
        if candidate.term_switch:
            return f"The same plan as {anchor}, on a longer billing term"
        return f"An upgrade from {anchor}"
    if kind == OfferKind.BUNDLE and anchor:
        return f"A bundle that includes {anchor}"
    if kind == OfferKind.DOWNSELL:
        return "Costs less than the upgrade the customer passed on"
    if kind == OfferKind.BEST_SELLER:
        return "One of the store's best-sellers, for a short purchase history"
    return None


def added(candidate: LoggedCandidate) -> str | None:
    """What taking it adds to the cart, signed ("+£12.00", "−£3.00"); None when not kept."""
    if candidate.increase is None or candidate.currency is None:
        return None
    amount = Money(abs(candidate.increase), candidate.currency).format()
    return f"−{amount}" if candidate.increase < 0 else f"+{amount}"
