"""The benchmark database: Online Retail imported and mined by the tactful CLI, read by SQL.

Only the commands (`tactful db upgrade`, `tactful import`, `tactful mine`) and the tables'
names are used, so preparing works whatever the code inside looks like, and a baseline
commit serves the same database (the schema did not change).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from http_servers import ROOT, tactful_env

RETAIL = Path("shared") / "data" / "online_retail" / "online_retail.csv"


def retail_file() -> Path:
    """Online Retail beside the repository, or beside its main checkout (from a worktree)."""
    common = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    main_checkout = Path(common).parent if common else ROOT
    candidates = (ROOT.parent / RETAIL, main_checkout.parent / RETAIL)
    return next((path for path in candidates if path.exists()), candidates[0])


def run_cli(
    arguments: list[str], database_url: str, data_dir: Path, source: Path = ROOT / "src"
) -> None:
    """`tactful ARGUMENTS` of the tree in `source` (the current one) on `database_url`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tactful", *arguments],
        env=tactful_env(database_url, data_dir, source),
        cwd=data_dir,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"tactful {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    print(f"tactful {' '.join(arguments[:2])}: {time.perf_counter() - started:.1f} s")


def orders_file(folder: Path, sample_rows: int) -> Path:
    """The full Online Retail file, or its first `sample_rows` rows copied into `folder`."""
    if not sample_rows:
        return retail_file()
    sample = folder / "sample.csv"
    with retail_file().open(encoding="utf-8", errors="replace") as full, sample.open("w") as out:
        for number, line in enumerate(full):
            if number > sample_rows:
                break
            out.write(line)
    return sample


def prepare(
    database_url: str, data_dir: Path, sample_rows: int, source: Path = ROOT / "src"
) -> None:
    """Migrate, import the orders and mine (and activate) a model, as a shop owner would,
    with the commands of the tree in `source` (a baseline builds its own schema)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    run_cli(["db", "upgrade"], database_url, data_dir, source)
    orders = orders_file(data_dir, sample_rows)
    run_cli(["import", str(orders), "--format", "online-retail"], database_url, data_dir, source)
    run_cli(["mine"], database_url, data_dir, source)


def has_active_model(database_url: str) -> bool:
    """Whether the database is prepared: an active model whose payload file exists."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = "SELECT payload_path FROM models WHERE status = 'active'"
            paths = connection.execute(sa.text(query)).scalars().all()
    except sa.exc.DBAPIError:  # no schema yet
        return False
    finally:
        engine.dispose()
    return any(Path(path).is_file() for path in paths)


def prepared_database(database_url: str, data_dir: Path, sample_rows: int) -> None:
    """Prepare a server database (PostgreSQL) unless it already is."""
    if has_active_model(database_url):
        print("reusing the prepared database at --database-url")
    else:
        prepare(database_url, data_dir, sample_rows)


def prepared(
    folder: Path, sample_rows: int, work: Path, source: Path = ROOT / "src"
) -> tuple[str, list[str], list[str]]:
    """A fresh SQLite copy (in `work`) of the database prepared once in `folder` by the
    tree in `source`. Returns its URL, customer ids and popular SKUs for the requests.
    """
    marker = folder / f"prepared-{sample_rows}.json"
    if marker.exists():
        print(f"reusing the prepared database in {folder}")
        url, customers, skus = json.loads(marker.read_text())
    else:
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{(folder / 'bench.db').as_posix()}"
        prepare(url, folder, sample_rows, source)
        customers, skus = request_material(url)
        marker.write_text(json.dumps([url, customers, skus]))
    return copy_sqlite(url, work), customers, skus


def copy_sqlite(url: str, work: Path) -> str:
    """A copy of a SQLite database (with its WAL) in `work`; the same URL if already there."""
    source = Path(url.removeprefix("sqlite:///"))
    if source.parent == work:
        return url
    work.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", work / f"{source.name}{suffix}")
    return f"sqlite:///{(work / source.name).as_posix()}"


def request_material(database_url: str) -> tuple[list[str], list[str]]:
    """Up to 4,000 customer ids with orders, and the 400 SKUs in most order lines."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        customers = connection.execute(
            sa.text(
                "SELECT DISTINCT customer_id FROM orders WHERE customer_id IS NOT NULL "
                "ORDER BY customer_id LIMIT 4000"
            )
        ).scalars()
        skus = connection.execute(
            sa.text("SELECT sku FROM order_lines GROUP BY sku ORDER BY count(*) DESC LIMIT 400")
        ).scalars()
        material = [c for c in customers if c], list(skus)
    engine.dispose()
    return material


def stored_counts(database_url: str) -> tuple[int, int]:
    """Decisions and impressions stored (an impression is the one record of an offer shown)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        decisions = connection.execute(sa.text("SELECT count(*) FROM decisions")).scalar_one()
        shown = connection.execute(sa.text("SELECT count(*) FROM offer_impressions")).scalar_one()
    engine.dispose()
    return int(decisions), int(shown)


def running_experiments(database_url: str) -> int:
    """Experiments running in the database (each draws arms for the decisions it covers)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM experiments WHERE status = 'running'")
        running = connection.execute(query).scalar_one()
    engine.dispose()
    return int(running)
