"""Tables for email sequences: versions, enrolments, the outbox and the inbox's verdicts."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from tactful.adapters.db.tables import Timestamp, metadata

sequence_versions = Table(
    "sequence_versions",
    metadata,
    Column("sequence_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", JSON, nullable=False),
    Column("source", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("active", Boolean, nullable=False),
    PrimaryKeyConstraint("sequence_id", "version"),
)

email_enrolments = Table(
    "email_enrolments",
    metadata,
    Column("enrolment_key", String(400), primary_key=True),
    Column("sequence_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("trigger_key", String(200), nullable=False),
    Column("trigger_at", Timestamp, nullable=False),
    Column("enrolled_at", Timestamp, nullable=False),
    Column("held_out", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("exit_reason", String(32)),
    Column("ended_at", Timestamp),
    Index("ix_email_enrolments_customer_state", "customer_id", "state"),
    Index("ix_email_enrolments_sequence_state", "sequence_id", "state", "customer_id"),
    # The trigger scan's "already enrolled for this trigger" check (migration 0024).
    Index("ix_email_enrolments_trigger", "customer_id", "sequence_id", "trigger_key"),
)

email_outbox = Table(
    "email_outbox",
    metadata,
    Column("mail_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("enrolment_key", String(400), nullable=False),
    Column("step", Integer, nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("due_at", Timestamp, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("claim_token", String(40)),
    Column("lease_until", Timestamp),
    Column("sent_at", Timestamp),
    Column("recipient", Text),
    Column("subject", Text),
    Column("offered", JSON),
    Column("error", Text),
    Index("uq_email_outbox_enrolment_step", "enrolment_key", "step", unique=True),
    Index("ix_email_outbox_state_due", "state", "due_at"),
    Index("ix_email_outbox_customer_sent", "customer_id", "sent_at"),
    Index("ix_email_outbox_claim", "claim_token"),
)

email_suppressions = Table(
    "email_suppressions",
    metadata,
    Column("address", String(320), primary_key=True),
    Column("customer_id", String(128)),
    Column("reason", String(32), nullable=False),
    Column("at", Timestamp, nullable=False),
)

email_preferences = Table(
    "email_preferences",
    metadata,
    Column("customer_id", String(128), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("paused_until", Timestamp),
    Column("updated_at", Timestamp, nullable=False),
)

email_interactions = Table(
    "email_interactions",
    metadata,
    Column("mail_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("value", Text, nullable=False),
    Index("ix_email_interactions_mail", "mail_id", "kind"),
)
