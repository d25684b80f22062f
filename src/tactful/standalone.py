"""What commands need without a whole container: each opens its own engine and disposes it.

Schema upgrades, revisions and backups, the order-file readers, the Spark engine, a kept
backtest report, and the mining job a child process runs (`tactful.mining_process`).
"""

from __future__ import annotations

from pathlib import Path

from tactful.adapters.backtest_files import BacktestFolder
from tactful.adapters.db.backup import BackupResult, BackupUnsupportedError, backup_sqlite
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories.models import NpzModelPayloads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.importers import FORMATS, FileReaders
from tactful.adapters.importers.mining_input import baskets_from_file
from tactful.adapters.spark import SparkUnavailableError
from tactful.domain.affinity import MiningEngine
from tactful.domain.clock import SystemClock
from tactful.domain.model_jobs import JobId, ModelJob
from tactful.services.model_jobs import ModelJobs
from tactful.services.models import ModelStorage
from tactful.services.ports.imports import OrderFiles
from tactful.settings import Settings

__all__ = [
    "FORMATS",
    "BackupResult",
    "BackupUnsupportedError",
    "SparkUnavailableError",
    "backup_database",
    "baskets_from_file",
    "file_readers",
    "keep_backtest",
    "migrate",
    "run_mining_job",
    "schema_revisions",
    "spark_engine",
]


def migrate(settings: Settings) -> tuple[str | None, str | None, str]:
    """Upgrade the configured database to the newest schema: (before, after, safe URL)."""
    from tactful.adapters.db.schema import current_revision, upgrade  # alembic: only here

    engine = build_engine(settings.resolved_database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        return before, current_revision(engine), engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


def schema_revisions(settings: Settings) -> tuple[str | None, str | None]:
    """The configured database's schema revision and the newest one this code knows."""
    from tactful.adapters.db.schema import current_revision, head_revision

    engine = build_engine(settings.resolved_database_url)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()


def file_readers() -> OrderFiles:
    """The order-export readers, for commands that read a file without a database."""
    return FileReaders()


def backup_database(settings: Settings, target: Path) -> BackupResult:
    """An online, consistent copy of the configured SQLite database at `target`."""
    engine = build_engine(settings.resolved_database_url)
    try:
        return backup_sqlite(engine, target)
    finally:
        engine.dispose()


def keep_backtest(settings: Settings, name: str, report: dict[str, object]) -> Path | None:
    """Keep a copy of a backtest report in DATA_DIR/backtests/ for the dashboard (None if not)."""
    try:
        return BacktestFolder(settings.data_dir / "backtests").save(name, report)
    except OSError:
        return None


def spark_engine(master: str | None) -> MiningEngine:
    """The Spark mining engine on `master` (default local[*]); SparkUnavailableError if absent."""
    from tactful.adapters.spark import SparkEngine, spark_session

    return SparkEngine(spark_session(master))


def run_mining_job(settings: Settings, job_id: JobId) -> ModelJob:
    """Run one stored mining job in this process (`python -m tactful.mining_process`).

    Only what mining needs is built: the database, the model storage and the job runner.
    """
    engine = build_engine(settings.resolved_database_url)
    try:
        storage = ModelStorage(SqlDatabase(engine), NpzModelPayloads())
        return ModelJobs(storage, settings, SystemClock()).run(job_id)
    finally:
        engine.dispose()
