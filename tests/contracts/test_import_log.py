"""What every ImportLog promises: each import is logged once, found by content and format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.services.ports.storage import Database

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def log(database: Database, import_id: str, sha256: str, fmt: str, started: datetime) -> None:
    with database.transaction() as tx:
        tx.imports.record_import(
            import_id=import_id,
            path=f"/data/{import_id}.csv",
            fmt=fmt,
            sha256=sha256,
            started_at=started,
            finished_at=started + timedelta(seconds=3),
            summary={"lines_read": 12, "skipped": {"cancellation": 1}},
        )


def test_an_import_is_found_by_content_and_format(database: Database) -> None:
    log(database, "i1", "abc", "online-retail", AT)
    with database.transaction() as tx:
        assert tx.imports.was_imported("abc", "online-retail") is True
        assert tx.imports.was_imported("abc", "shopify") is False
        assert tx.imports.was_imported("def", "online-retail") is False


def test_recent_imports_are_newest_first_with_their_summary(database: Database) -> None:
    for n in range(3):
        log(database, f"i{n}", f"sha{n}", "online-retail", AT + timedelta(hours=n))
    with database.transaction() as tx:
        recent = tx.imports.recent_imports(limit=2)
    assert [entry["import_id"] for entry in recent] == ["i2", "i1"]
    assert recent[0]["format"] == "online-retail"
    assert recent[0]["path"] == "/data/i2.csv"
    assert recent[0]["summary"] == {"lines_read": 12, "skipped": {"cancellation": 1}}


def test_an_import_id_is_logged_once(database: Database) -> None:
    log(database, "i1", "abc", "online-retail", AT)
    with pytest.raises(Exception):  # noqa: B017, PT011
        log(database, "i1", "abc", "online-retail", AT)
    with database.transaction() as tx:
        assert len(tx.imports.recent_imports()) == 1


def test_an_import_rolled_back_is_not_logged(database: Database) -> None:
    with pytest.raises(RuntimeError):
        log_then_fail(database)
    with database.transaction() as tx:
        assert tx.imports.was_imported("abc", "online-retail") is False


def log_then_fail(database: Database) -> None:
    with database.transaction() as tx:
        tx.imports.prepare_bulk_write()
        tx.imports.record_import(
            import_id="i9",
            path="/data/i9.csv",
            fmt="online-retail",
            sha256="abc",
            started_at=AT,
            finished_at=AT,
            summary={},
        )
        raise RuntimeError("bad line")
