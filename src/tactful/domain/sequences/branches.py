"""Branches on what happened since the last offer: bought, clicked or nothing (pure).

A `branch` step lists mail steps per reaction; they are laid out flat, each marked with the
reaction it needs, in the order bought, clicked, nothing. Reactions only grow over time
(nothing, then clicked, then bought), so a customer gets the mails of at most one arm.
"""

from __future__ import annotations

from enum import StrEnum


class Reaction(StrEnum):
    """What the customer did since the last offer mail of their enrolment."""

    BOUGHT = "bought"
    CLICKED = "clicked"
    NOTHING = "nothing"


ARM_ORDER = (Reaction.BOUGHT, Reaction.CLICKED, Reaction.NOTHING)
"""How the arms of a branch are laid out: strongest reaction first."""

BRANCH_LABELS = {
    Reaction.BOUGHT: "bought",
    Reaction.CLICKED: "clicked",
    Reaction.NOTHING: "did nothing",
}
"""How a merchant reads each arm (a preview, the outbox): what the customer did."""


def branch_label(when: str) -> str:
    """The label of a step's arm ('bought', 'clicked', 'did nothing'); '' outside a branch."""
    return BRANCH_LABELS[Reaction(when)] if when else ""


def reaction(*, clicked: bool, bought: bool) -> Reaction:
    """The strongest thing that happened: a purchase beats a click beats nothing."""
    if bought:
        return Reaction.BOUGHT
    return Reaction.CLICKED if clicked else Reaction.NOTHING
