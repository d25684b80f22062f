"""SQLAlchemy storage for SQLite (default) and PostgreSQL."""
