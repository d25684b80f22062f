"""Plain SQL on a connection's driver, for the decision hot path on SQLite and PostgreSQL.

Building SQLAlchemy statements per call costs ten times the query itself on SQLite; the
offer engine's reads and the decision log's writes run once per decision, so they go
straight to the driver with '?' placeholders (rewritten for psycopg).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection

from tactful.adapters.db.repositories._common import utc


class Driver:
    """Plain SQL on the connection's driver: '?' placeholders, SQLite text decoded."""

    def __init__(self, connection: Connection) -> None:
        self.sqlite = connection.dialect.name == "sqlite"
        self.raw: Any = connection.connection.driver_connection
        self._times: dict[Any, datetime] = {}

    def rows(self, sql: str, *params: Any) -> list[Any]:
        if self.sqlite:
            return list(self.raw.execute(sql, params).fetchall())
        with self.raw.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall())

    def run(self, sql: str, *params: Any) -> int:
        """Run one statement; the number of rows it changed."""
        if self.sqlite:
            return int(self.raw.execute(sql, params).rowcount)
        with self.raw.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return int(cursor.rowcount)

    def time(self, value: Any) -> datetime:
        """A stored time as aware UTC; repeated values (one order's lines) parsed once."""
        found = self._times.get(value)
        if found is None:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            found = self._times[value] = utc(moment)
        return found

    def bound_time(self, value: datetime) -> Any:
        """A datetime as the column stores it (naive UTC text on SQLite)."""
        return sqlite_text(value) if self.sqlite else utc(value)

    def bound_day(self, value: date) -> Any:
        """A date as the column stores it (ISO text on SQLite)."""
        return value.isoformat() if self.sqlite else value

    def json(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def bound_json(self, value: Any) -> Any:
        if self.sqlite:
            return _dumps(value)
        from psycopg.types.json import Json

        return Json(value, dumps=_dumps)

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            self.raw.executemany(sql, rows)
            return
        with self.raw.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)


def sqlite_text(moment: datetime) -> str:
    """A datetime as SQLite stores it: naive UTC text, the format SQLAlchemy writes.

    %-formatting takes a quarter of the time of `strftime`, and less than `isoformat`.
    """
    d = moment if moment.tzinfo is UTC or moment.tzinfo is None else utc(moment)
    fields = (d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % fields  # noqa: UP031


def _plain(value: Any) -> Any:
    """orjson's fallback for numbers it does not know (numpy scalars, float subclasses)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=_plain).decode()
