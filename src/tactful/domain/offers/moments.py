"""Moments, formats and offer kinds: the vocabulary of when and how an offer appears."""

from __future__ import annotations

from enum import StrEnum


class Moment(StrEnum):
    """Where the customer is when a decision is asked for."""

    BROWSING = "browsing"
    CART = "cart"
    CHECKOUT = "checkout"
    PAYMENT = "payment"
    POST_PURCHASE = "post_purchase"
    IN_APP = "in_app"
    USAGE_LIMIT = "usage_limit"
    RENEWAL = "renewal"
    EMAIL = "email"


class Task(StrEnum):
    """State of the customer's task for the `in_app` moment."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Format(StrEnum):
    """How an offer is presented."""

    INLINE = "inline"
    ORDER_BUMP = "order_bump"
    ONE_CLICK = "one_click"
    BANNER = "banner"
    MODAL = "modal"
    EMAIL = "email"


class OfferKind(StrEnum):
    """What an offer proposes relative to what the customer chose."""

    CROSS_SELL = "cross_sell"
    UPSELL = "upsell"
    BUNDLE = "bundle"
    DOWNSELL = "downsell"
    REPURCHASE = "repurchase"
    """Something the customer bought before, offered again (moment `email`)."""
    BEST_SELLER = "best_seller"
    """One of the most ordered items, filling a short history (moment `email`)."""


_PEAKS = frozenset({Moment.POST_PURCHASE, Moment.USAGE_LIMIT, Moment.RENEWAL})


def is_peak(moment: Moment, task: Task | None) -> bool:
    """A completion peak: the customer just finished something, so larger offers fit."""
    if moment is Moment.IN_APP:
        return task is Task.COMPLETED
    return moment in _PEAKS


def is_in_progress(moment: Moment, task: Task | None) -> bool:
    """A task under way: only small, unobtrusive offers fit (in_app without a task counts)."""
    if moment is Moment.IN_APP:
        return task is not Task.COMPLETED
    return moment is Moment.CHECKOUT


def is_onsite(moment: Moment) -> bool:
    """Every moment but email is shown on the merchant's site or app."""
    return moment is not Moment.EMAIL


def uses_recent_purchases(moment: Moment) -> bool:
    """Moments where what the customer recently bought anchors cross-sells."""
    return moment is Moment.POST_PURCHASE


def uses_buy_again(moment: Moment) -> bool:
    """Moments whose cross-sells and repurchases come from the whole order history (the
    email ranking `tactful evaluate --task next-purchase` measures)."""
    return moment is Moment.EMAIL


def uses_owned_plans(moment: Moment) -> bool:
    """Moments where owned subscriptions and digital items can be upgraded without a cart."""
    return moment in (
        Moment.IN_APP,
        Moment.USAGE_LIMIT,
        Moment.RENEWAL,
        Moment.EMAIL,
        Moment.POST_PURCHASE,
    )
