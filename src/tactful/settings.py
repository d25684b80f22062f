"""The one Settings object: every knob, read from TACTFUL_* variables in entry points only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tactful.key_file import KEY_FILE_NAME, KEY_PREFIXES, generate_key, saved_keys

DEFAULT_RATE_LIMIT = 600
"""Publishable calls per minute per key and IP unless TACTFUL_RATE_LIMIT_PER_MINUTE says."""
_PLACEHOLDERS = {"changeme", "change-me", "secret", "test", "dev", ""}


def _looks_like_placeholder(value: str) -> bool:
    """A key nobody chose: empty, short, a word like "changeme", or containing CHANGE-ME."""
    lowered = value.lower()
    return lowered in _PLACEHOLDERS or len(value) < 16 or "change-me" in lowered


class Settings(BaseModel):
    """Configuration for every entry point (CLI, server, worker).

    Built with `Settings.from_env(os.environ)` in entry points; tests pass a dict. `from_env`
    reads the TACTFUL_* variables itself, so a plain pydantic model is enough (importing
    pydantic-settings, whose sources were never used, took 0.15 s of every command's start).
    """

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    environment: str = Field("development", description="development, test or production")
    data_dir: Path = Field(Path("var"), description="Folder for the SQLite file and models")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir")
    secret_key: str = Field("", description="API key that may call every endpoint")
    publishable_key: str = Field("", description="API key for decisions, responses and events")
    admin_password: str = Field(
        "", description="Password for the /admin dashboard (the secret key also signs in)"
    )
    signing_secret: str = Field(
        "", description="HMAC secret for signed links; defaults to secret_key"
    )
    host: str = Field("127.0.0.1", description="Address the server binds")
    port: int = Field(8000, description="Port the server binds")
    public_url: str = Field("", description="Base URL for links; defaults to http://host:port")
    holdout_share: float = Field(0.05, ge=0.0, le=1.0, description="Share of customers held out")
    attribution_days: float = Field(
        7.0, gt=0, le=365, description="Days after an offer in which buying its SKU converts it"
    )
    guardrail_decline_rate: float = Field(
        0.02, ge=0, le=1, description="Experiment guardrail: declines per offer a variant may add"
    )
    guardrail_refund_rate: float = Field(
        0.01, ge=0, le=1, description="Experiment guardrail: refunded share a variant may add"
    )
    guardrail_unsubscribe_rate: float = Field(
        0.005, ge=0, le=1, description="Experiment guardrail: unsubscribed share it may add"
    )
    guardrail_satisfaction: float = Field(
        0.1, ge=0, le=4, description="Experiment guardrail: rating points (1-5) it may lose"
    )
    max_body_bytes: int = Field(1_000_000, description="Largest accepted request body")
    log_format: Literal["human", "json"] = Field(
        "human", description="human (readable lines) or json (one object per line)"
    )
    access_log: bool = Field(True, description="One log line per request, with its request id")
    allow_insecure_public_url: bool = Field(
        False, description="Allow an http:// public URL in production (behind a TLS proxy only)"
    )
    payment_gateway: Literal["test", "stripe"] = Field(
        "test",
        description="Who takes payments: test (the built-in test mode; no real money) or stripe",
    )
    stripe_secret_key: str = Field("", description="Stripe secret key (sk_...), for stripe")
    stripe_publishable_key: str = Field(
        "", description="Stripe publishable key (pk_...), given to Stripe.js in the page"
    )
    stripe_webhook_secret: str = Field(
        "", description="Signing secret of the Stripe webhook endpoint (whsec_...)"
    )
    stripe_api_base: str = Field(
        "", description="Stripe API address; empty means Stripe's own (tests use a stand-in)"
    )
    shopify_webhook_secret: str = Field(
        "", description="Secret Shopify signs order webhooks with (X-Shopify-Hmac-Sha256)"
    )
    woocommerce_webhook_secret: str = Field(
        "", description="Secret of the WooCommerce order webhooks (X-WC-Webhook-Signature)"
    )
    remine_every_hours: float = Field(
        24.0,
        ge=0,
        description="The worker re-mines the active model when it is this old and new orders "
        "arrived (0: never)",
    )
    allowed_origins: str = Field(
        "",
        description="Origins (comma-separated, e.g. https://shop.example) whose pages may call "
        "the publishable endpoints from the browser; * allows any",
    )
    demo_shop: bool = Field(
        False, description="Serve the sample storefront at /demo/shop (tactful demo turns it on)"
    )
    rate_limit_store: Literal["database", "memory"] = Field(
        "database",
        description="Where rate limits, card-testing counts and the admin login throttle are "
        "counted: database (shared by every server process and worker) or memory (one "
        "process only)",
    )
    rate_limit_per_minute: int | None = Field(
        None,
        ge=0,
        description="Publishable calls per minute per key and client IP (429 past it); "
        "empty means 600 (no limit in the test environment), 0 means no limit",
    )

    smtp_url: str = Field(
        "",
        description="Where mail goes: smtp://user:pass@host:587 (STARTTLS), smtps://host:465, "
        "or file:FOLDER for .eml files; empty means .eml files in data_dir/outbox",
    )
    email_from: str = Field("shop@example.com", description="Sender address of marketing mail")
    email_merchant: str = Field("tactful demo shop", description="Merchant name in mail footers")
    email_postal_address: str = Field(
        "1 Example Street, Example City", description="Postal address in every mail's footer"
    )
    email_templates_dir: str = Field(
        "", description="Folder of the merchant's mail templates (NAME.html and NAME.txt)"
    )
    email_max_per_week: int = Field(2, ge=0, description="Marketing mails per customer per 7 days")
    email_min_gap_hours: float = Field(20.0, ge=0, description="Hours between marketing mails")
    email_pause_after_purchase_days: float = Field(
        3.0, ge=0, description="Days every sequence of a customer waits after they buy"
    )
    email_frequent_buyer_orders: int = Field(
        4, ge=0, description="Orders within the window that make a frequent buyer; 0: no rule"
    )
    email_frequent_buyer_days: float = Field(
        90.0, gt=0, description="Days over which a frequent buyer's orders are counted"
    )
    email_frequent_buyer_max_offers: int = Field(
        1, ge=1, le=3, description="Most offers per mail to a frequent buyer (one offer mail)"
    )
    email_rate_per_minute: int = Field(
        0, ge=0, description="Most mails sent per minute by one worker; 0 means no limit"
    )
    dkim_key_file: str = Field("", description="PEM private key file that DKIM-signs mail")
    dkim_selector: str = Field("tactful", description="DKIM selector (s=) of that key")
    dkim_domain: str = Field("", description="DKIM domain (d=); defaults to email_from's domain")
    worker_interval: float = Field(
        15.0, gt=0, description="Seconds between runs of `tactful worker` (and the demo's)"
    )

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        if value not in {"development", "test", "production"}:
            raise ValueError("environment must be development, test or production")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _known_mail_url(cls, value: str) -> str:
        if value and not value.startswith(("smtp://", "smtps://", "file:")):
            raise ValueError("smtp_url must start with smtp://, smtps:// or file:")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read TACTFUL_* keys from `environ` (default os.environ); overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = f"TACTFUL_{name.upper()}"
            if key in env:
                values[name] = env[key]
        values.update(overrides)
        settings = cls.model_validate(values)
        settings.check_secrets()
        return settings

    def check_secrets(self) -> None:
        """Refuse a Stripe gateway without its keys and, in production, what would be a
        breach: guessable keys or plain-HTTP links.

        A placeholder or short key (or signing secret) can be guessed; an http:// public URL
        sends signed links and keys in clear, unless TACTFUL_ALLOW_INSECURE_PUBLIC_URL says
        TLS ends at a proxy in front.
        """
        if self.payment_gateway == "stripe":
            for name in ("stripe_secret_key", "stripe_publishable_key", "stripe_webhook_secret"):
                if not getattr(self, name):
                    raise ValueError(f"TACTFUL_{name.upper()} is needed when the gateway is stripe")
        if self.environment != "production":
            return
        for name in ("secret_key", "publishable_key", "signing_secret"):
            value = getattr(self, name)
            if name == "signing_secret" and not value:
                continue  # links are then signed with the secret key, checked above
            if _looks_like_placeholder(value):
                raise ValueError(f"TACTFUL_{name.upper()} must be a real key in production")
        if self.admin_password and _looks_like_placeholder(self.admin_password):
            raise ValueError("TACTFUL_ADMIN_PASSWORD must be a real password in production")
        if self.public_url.startswith("http://") and not self.allow_insecure_public_url:
            raise ValueError(
                "TACTFUL_PUBLIC_URL must be https:// in production "
                "(set TACTFUL_ALLOW_INSECURE_PUBLIC_URL=true if TLS ends at a proxy in front)"
            )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tactful.db').as_posix()}"

    @property
    def base_url(self) -> str:
        """Where the server is reached from outside."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def origins(self) -> frozenset[str]:
        """The allowed browser origins, without trailing slashes."""
        listed = (origin.strip().rstrip("/") for origin in self.allowed_origins.split(","))
        return frozenset(origin for origin in listed if origin)

    @property
    def publishable_rate_limit(self) -> int:
        """Calls per minute per key and IP on the publishable endpoints; 0 means unlimited."""
        if self.rate_limit_per_minute is not None:
            return self.rate_limit_per_minute
        return 0 if self.environment == "test" else DEFAULT_RATE_LIMIT

    @property
    def key_file(self) -> Path:
        """Where generated API keys are kept, so later runs (and signed links) keep working."""
        return self.data_dir / KEY_FILE_NAME

    def missing_keys(self) -> list[str]:
        """The API keys the environment did not set."""
        return [name for name in KEY_PREFIXES if not getattr(self, name)]

    def with_generated_keys(self) -> Settings:
        """A copy with any missing API key generated for this process only (tests, the app)."""
        updates = {name: generate_key(name) for name in self.missing_keys()}
        return self.model_copy(update=updates) if updates else self

    def with_saved_keys(self) -> Settings:
        """A copy with missing API keys from the key file, generated and saved there once.

        Keys set in the environment win and are never written to the file.
        """
        missing = self.missing_keys()
        if not missing:
            return self
        return self.model_copy(update=saved_keys(self.key_file, missing))

    @property
    def link_secret(self) -> bytes:
        """Key for HMAC-signed links."""
        return (self.signing_secret or self.secret_key).encode()
