"""Start-up of the `tactful` command: `tactful --help` and `tactful report --json`.

Run: .venv/bin/python bench/cli_startup.py [--db-dir DIR] [--database-url URL] [--repeat 5]
`report` runs against the SQLite store in --db-dir, or the database at --database-url
(bench/report_speed.py builds either with the Online Retail history and about 1,000,000
simulated decisions); it is skipped when neither is there. Prints wall and CPU seconds (user +
system of the child: the database server's work on PostgreSQL is only in the wall time) per
command, the median and the spread of --repeat runs. Target (issue 22): `tactful report` < 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command` (CPU: the child's user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def figures(label: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (
        f"{label:<22} wall median {statistics.median(walls):.2f} s "
        f"({min(walls):.2f}-{max(walls):.2f}), CPU median {statistics.median(cpus):.2f} s "
        f"({min(cpus):.2f}-{max(cpus):.2f}), {len(runs)} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "tactful-report-bench"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", help="report on this database instead (prepared by report_speed.py)"
    )
    args = parser.parse_args()
    tactful = [sys.executable, "-m", "tactful"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed tactful runs from compiled bytecode
    commands = {"tactful --help": [*tactful, "--help"]}
    database = args.db_dir / "tactful.db"
    if args.database_url or database.is_file():
        url = args.database_url or f"sqlite:///{database}"
        env.update(TACTFUL_DATA_DIR=str(args.db_dir), TACTFUL_DATABASE_URL=url)
        commands["tactful report --json"] = [*tactful, "report", "--json"]
    else:
        print(f"no {database}: report skipped (build it with bench/report_speed.py)")
    for label, command in commands.items():
        run_once(command, env)  # warm the page cache and write the bytecode
        runs = [run_once(command, env) for _ in range(args.repeat)]
        print(figures(label, runs))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
