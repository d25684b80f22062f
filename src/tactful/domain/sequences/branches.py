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


def reaction(*, clicked: bool, bought: bool) -> Reaction:
    """The strongest thing that happened: a purchase beats a click beats nothing."""
    if bought:
        return Reaction.BOUGHT
    return Reaction.CLICKED if clicked else Reaction.NOTHING
