"""Customers and the consents that decide whether tactful may speak to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

CustomerId = NewType("CustomerId", str)


class ConsentPurpose(StrEnum):
    """What a customer agreed to, each given or withdrawn on its own."""

    ONSITE_OFFERS = "onsite_offers"
    MARKETING_EMAIL = "marketing_email"


@dataclass(frozen=True, slots=True)
class Consent:
    """One purpose's state, with when and how it was given or withdrawn (proof for audits)."""

    purpose: ConsentPurpose
    granted: bool
    at: datetime
    source: str = "unknown"


@dataclass(frozen=True, slots=True)
class Customer:
    """A person who buys; unknown customers are valid and simply have no history."""

    customer_id: CustomerId
    email: str | None = None
    timezone: str = "UTC"
    consents: tuple[Consent, ...] = field(default_factory=tuple)
    country: str | None = None
    """Its ISO 3166-1 alpha-2 code (`FR`), whether the shop or file gave a name or a code
    (`tactful.domain.countries.country_code`); a place with no code as given."""

    def consent(self, purpose: ConsentPurpose) -> Consent | None:
        """The latest recorded consent for `purpose`, if any."""
        matching = [c for c in self.consents if c.purpose == purpose]
        return max(matching, key=lambda c: c.at) if matching else None

    def allows(self, purpose: ConsentPurpose) -> bool:
        """Whether tactful may act for `purpose`.

        On-site offers are allowed until withdrawn (legitimate interest); marketing email
        needs an explicit opt-in.
        """
        latest = self.consent(purpose)
        if latest is None:
            return purpose is ConsentPurpose.ONSITE_OFFERS
        return latest.granted
