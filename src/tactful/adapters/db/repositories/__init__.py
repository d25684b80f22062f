"""Repositories: plain functions over a SQLAlchemy `Connection`, same on SQLite and PostgreSQL,
one module per kind of row (`catalog`, `customers`, `orders`, `offers`, `events`, ...).

The caller (a service) owns the transaction; nothing here commits. Import the module you use:
this package imports none of them, so a reader that needs one helper (`_common.utc`) does not
load every repository, the offer engine and the miner with it.
"""
