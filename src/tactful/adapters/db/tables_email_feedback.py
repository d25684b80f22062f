"""Tables for what the inbox tells us back: complaints from feedback loops, first opens."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table

from tactful.adapters.db.tables import Timestamp, metadata

email_complaints = Table(
    "email_complaints",
    metadata,
    Column("complaint_key", String(200), primary_key=True),
    Column("mail_id", BigInteger),
    Column("address", String(320)),
    Column("customer_id", String(128)),
    Column("feedback_type", String(32), nullable=False),
    Column("user_agent", String(200), nullable=False),
    Column("received_at", Timestamp, nullable=False),
    Index("ix_email_complaints_customer", "customer_id"),
)

email_opens = Table(
    "email_opens",
    metadata,
    Column("mail_id", BigInteger, primary_key=True),
    Column("first_at", Timestamp, nullable=False),
)
