"""One mail from a step: subject variant, template context, signed links and the headers
every marketing mail needs (RFC 8058 one-click unsubscribe, a stable Message-ID)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tactful.domain.checkout.links import LinkTerms, sign_link, sign_values, values_signed
from tactful.domain.offers import Offer
from tactful.domain.sequences import (
    EmailCaps,
    FrequentBuyers,
    Sequence,
    Step,
    StepKind,
    subject_variant,
)
from tactful.services.ports.email import MailTemplates, OutgoingMail

LINK_TTL = timedelta(days=14)
_DEFAULT_SUBJECTS = {
    StepKind.VALUE: "Getting the most from your purchase",
    StepKind.OFFER: "Something that goes with what you bought",
    StepKind.CHECK_IN: "How is it going?",
}


@dataclass(frozen=True)
class EmailConfig:
    """What sending needs from the settings: who we are, where links go, limits."""

    base_url: str
    secret: bytes
    sender: str = "shop@example.com"
    merchant: str = "tactful demo shop"
    postal_address: str = "1 Example Street, Example City"
    caps: EmailCaps = field(default_factory=EmailCaps)
    lookback: timedelta = timedelta(days=7)
    batch: int = 200
    lease: timedelta = timedelta(minutes=10)
    rate_per_minute: int = 0
    pause_after_purchase: timedelta = timedelta(days=3)
    frequent_buyers: FrequentBuyers = field(default_factory=FrequentBuyers)

    @property
    def domain(self) -> str:
        """The sender's domain, for Message-IDs and the unsubscribe mailbox."""
        return self.sender.rpartition("@")[2] or "localhost"


def sign(config: EmailConfig, purpose: str, *values: str) -> str:
    """A MAC over a link's values, so it cannot be pointed at another mail or target."""
    return sign_values(config.secret, f"email-{purpose}", values)


def verify(config: EmailConfig, purpose: str, mac: str, *values: str) -> bool:
    """Whether `mac` signs these values for `purpose`."""
    return values_signed(config.secret, f"email-{purpose}", values, mac)


def _signed(config: EmailConfig, purpose: str, mail_id: int) -> str:
    """`m=<mail>&s=<mac>`: digits and URL-safe base64, nothing to quote (the text `urlencode`
    gives, for a fraction of its CPU)."""
    return f"m={mail_id}&s={sign(config, purpose, str(mail_id))}"


def unsubscribe_url(config: EmailConfig, mail_id: int) -> str:
    """The one-click unsubscribe URL of a mail (POST unsubscribes, GET asks first)."""
    return f"{config.base_url}/email/unsubscribe?{_signed(config, 'unsubscribe', mail_id)}"


def preferences_url(config: EmailConfig, mail_id: int) -> str:
    """The preference page of the mail's customer."""
    return f"{config.base_url}/email/preferences?{_signed(config, 'unsubscribe', mail_id)}"


def click_url(config: EmailConfig, mail_id: int, target: str) -> str:
    """A redirect that records the click, then goes to `target` (signed: no open redirect)."""
    query = urlencode({"m": mail_id, "u": target, "s": sign(config, "click", str(mail_id), target)})
    return f"{config.base_url}/email/click?{query}"


def open_url(config: EmailConfig, mail_id: int) -> str:
    """The optional open-tracking pixel of a mail (a sequence's `track_opens: true`)."""
    return f"{config.base_url}/email/open.gif?{_signed(config, 'open', mail_id)}"


def feedback_url(config: EmailConfig, mail_id: int, rating: int) -> str:
    """A one-click check-in answer."""
    mac = sign(config, "feedback", str(mail_id), str(rating))
    return f"{config.base_url}/email/feedback?m={mail_id}&r={rating}&s={mac}"


def offer_target(
    config: EmailConfig, sequence: Sequence, customer_id: str, offer: Offer, now: datetime
) -> str:
    """Where an offer leads, in one click, with the item and price fixed by a signature:
    the sequence's hosted checkout page, else its `offer_url`, else our offer page."""
    price = offer.price.price.amount
    if sequence.checkout_page:
        terms = LinkTerms(price=price, sku=offer.sku, quantity=1, customer=customer_id)
        signed = sign_link(config.secret, sequence.checkout_page, terms, now=now, ttl=LINK_TTL)
        return f"{config.base_url}/c/{sequence.checkout_page}?{urlencode(signed)}"
    template = sequence.offer_url or "{base_url}/email/offer"
    url = template.format(base_url=config.base_url, sku=offer.sku)
    token = sign(config, "offer", customer_id, offer.sku, str(price))
    joiner = "&" if "?" in url else "?"
    query = urlencode({"sku": offer.sku, "price": price, "c": customer_id, "t": token})
    return f"{url}{joiner}{query}"


def _offer_view(config: EmailConfig, draft: Draft, offer: Offer) -> dict[str, Any]:
    block = offer.price
    return {
        "sku": offer.sku,
        "headline": offer.headline,
        "reason": offer.reason,
        "price": block.price.format(),
        "compare_at": block.compare_at.format() if block.compare_at else None,
        "savings": block.savings.format() if block.savings else None,
        "total_after": offer.cart_total_after.format(),
        "social_proof": offer.social_proof.text if offer.social_proof else None,
        "url": click_url(
            config,
            draft.mail_id,
            offer_target(config, draft.sequence, draft.customer_id, offer, draft.now),
        ),
    }


def subject_of(sequence: Sequence, step_index: int, step: Step, customer_id: str) -> str:
    """The step's subject line for this customer (A/B variants assigned by customer)."""
    if not step.subjects:
        return _DEFAULT_SUBJECTS[step.kind]
    chosen = subject_variant(sequence.sequence_id, step_index, customer_id, len(step.subjects))
    return step.subjects[chosen]


@dataclass(frozen=True)
class Draft:
    """Everything a step's mail is made of, before rendering."""

    mail_id: int
    sequence: Sequence
    step_index: int
    customer_id: str
    address: str
    items: tuple[str, ...] = ()
    offers: tuple[Offer, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def compose(config: EmailConfig, templates: MailTemplates, draft: Draft) -> OutgoingMail:
    """Render the draft; TemplateError if its template fails."""
    step = draft.sequence.steps[draft.step_index]
    mail_id = draft.mail_id
    subject = subject_of(draft.sequence, draft.step_index, step, draft.customer_id)
    ratings = [(n, feedback_url(config, mail_id, n)) for n in range(1, 6)]
    unsubscribe = unsubscribe_url(config, mail_id)
    context = {
        "subject": subject,
        "preheader": step.preheader,
        "items": list(draft.items),
        "offers": [_offer_view(config, draft, o) for o in draft.offers],
        "question": step.question,
        "ratings": ratings,
        "merchant": config.merchant,
        "postal_address": config.postal_address,
        "why": f"You get this because you bought from {config.merchant} and agreed to our mails.",
        "unsubscribe_url": unsubscribe,
        "preferences_url": preferences_url(config, mail_id),
        "open_pixel_url": open_url(config, mail_id) if draft.sequence.track_opens else "",
    }
    html, text = templates.render(step.template, context)
    headers = {
        "Message-ID": f"<tactful-{mail_id}@{config.domain}>",
        "List-Unsubscribe": (
            f"<{unsubscribe}>, <mailto:unsubscribe@{config.domain}?subject=unsubscribe-{mail_id}>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Tactful-Mail": str(mail_id),
        "X-Tactful-Sequence": draft.sequence.sequence_id,
    }
    return OutgoingMail(mail_id, draft.address, config.sender, subject, html, text, headers)
