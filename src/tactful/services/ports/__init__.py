"""Ports: everything services need from the outside world, as Protocols.

Services import these and the domain, never a driver (SQLAlchemy, sqlite3) or an adapter;
adapters implement them (`tactful.adapters.db` for SQLite and PostgreSQL, `tactful.adapters.memory`
for tests), and the composition root picks which. One contract test suite
(`tests/contracts/`) runs every implementation of a port through the same checks.

Storage is reached through a `Database` (`tactful.services.ports.storage`):
`with database.transaction() as tx:` gives one transaction's stores (`tx.catalog`,
`tx.orders`, ...), all committed together or none.

This package imports none of its modules: a service that needs one port (the reports) does
not load every port's domain types with it (the miner's, the offer engine's).
"""
