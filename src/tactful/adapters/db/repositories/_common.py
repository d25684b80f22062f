"""Helpers shared by the repositories: dialect-aware inserts, chunked IN lists, counts."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite

from tactful.domain.counts import UpsertCounts

__all__ = [
    "UpsertCounts",
    "bulk_insert",
    "chunked",
    "dialect_insert",
    "insert_ignoring",
    "insert_ignoring_rows",
    "last_by",
    "time_param",
    "unique",
    "utc",
]

T = TypeVar("T")

# Well under SQLite's 32,766 bound variables and PostgreSQL's 65,535.
IN_CHUNK = 5_000


def dialect_insert(conn: Connection, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT for the connection's backend (SQLite or PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database backend {conn.dialect.name!r}")


@cache
def insert_ignoring(dialect: str, table: Table, *conflict: str) -> Any:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING, built once per backend and table, so its
    compiled form is reused (`bulk_insert` with a `cache_key`, or SQLAlchemy's own cache)."""
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing(index_elements=list(conflict) or None)


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """Successive lists of at most `size` values."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def unique(values: Iterable[T]) -> list[T]:
    """Values without repeats, first occurrence order kept."""
    return list(dict.fromkeys(values))


def last_by(items: Sequence[T], key: Any) -> list[T]:
    """One item per key, the last given winning (a batch that names a key twice)."""
    return list({key(item): item for item in items}.values())


def utc(moment: datetime) -> datetime:
    """The same moment as an aware UTC datetime (a naive one is taken to be UTC)."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def time_param(conn: Connection) -> Callable[[datetime], Any]:
    """A converter of datetimes to what the driver stores (for `bulk_insert` rows).

    SQLite gets SQLAlchemy's own text format in UTC, PostgreSQL an aware UTC datetime.
    """
    if conn.dialect.name != "sqlite":
        return utc
    cache: dict[datetime, str] = {}

    def to_text(moment: datetime) -> str:
        text = cache.get(moment)
        if text is None:
            text = cache[moment] = utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds")
        return text

    return to_text


_COMPILED: dict[Hashable, Any] = {}


def bulk_insert(
    conn: Connection,
    statement: Any,
    rows: Sequence[dict[str, Any]],
    *,
    cache_key: Hashable | None = None,
) -> int:
    """Run an INSERT for many rows through the driver's executemany.

    Skips SQLAlchemy's per-row parameter processing, which dominates bulk imports; rows must
    hold driver-ready values (datetimes through `time_param`, no JSON). A `cache_key` naming
    the statement (the same key, the same SQL) keeps its compilation for the next call.
    Returns the rows the driver reports written (those an ON CONFLICT DO NOTHING kept out
    are not counted).
    """
    if not rows:
        return 0
    columns = tuple(rows[0])
    key = None if cache_key is None else (cache_key, conn.dialect.name, columns)
    compiled = _COMPILED.get(key) if key is not None else None
    if compiled is None:
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(columns))
        if key is not None:
            _COMPILED[key] = compiled
    if compiled.positiontup is None:
        return int(conn.exec_driver_sql(compiled.string, list(rows)).rowcount)
    names = compiled.positiontup
    values = [tuple(row[n] for n in names) for row in rows]
    return int(conn.exec_driver_sql(compiled.string, values).rowcount)


def _copy_types(table: Table, columns: tuple[str, ...], dialect: Dialect) -> list[str]:
    """The PostgreSQL type of each column, as psycopg's binary COPY names them ('varchar')."""
    names = (table.c[name].type.compile(dialect=dialect) for name in columns)
    return [name.split("(")[0].lower() for name in names]


def insert_ignoring_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert driver-ready rows (as for `bulk_insert`), skipping any that conflict with a stored
    one; returns how many were written.

    SQLite runs INSERT ... ON CONFLICT DO NOTHING per row in the driver's C loop. PostgreSQL
    gets the rows by binary COPY into a temporary table, then one INSERT ... SELECT ... ON
    CONFLICT DO NOTHING: psycopg's executemany binds and executes each row from Python and the
    server runs an INSERT per row (100,000 enrolments: most of the scan's time), and psycopg
    dumps arrays (`unnest`) in Python too.
    """
    if not rows:
        return 0
    if conn.dialect.name != "postgresql":
        statement = insert_ignoring(conn.dialect.name, table)
        return bulk_insert(conn, statement, rows, cache_key=("insert_ignoring", table.name))
    columns = tuple(rows[0])
    names = ", ".join(columns)
    staging = f"staging_{table.name}"
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP "
            f"AS SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_copy_types(table, columns, conn.dialect))
            for row in rows:
                copy.write_row([row[name] for name in columns])
        cursor.execute(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} "
            "ON CONFLICT DO NOTHING"
        )
        inserted = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {staging}")
    return inserted
