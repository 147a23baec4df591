"""Benchmark: `abctl usage` over 1,000,000 license rows must answer in under 1 s (design.md section 6).

Builds a database with executemany (4 accounts x 250 apps, 100,000 users and 100,000 devices holding five
licenses each, 200,000 activity rows over a year), then times the usage service, the per-user and per-device
views, and the CLI in-process. Prints each figure and its ratio to the 1 s bound.

    .venv/bin/python bench/bench_usage.py [--db PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from _inventory import insert_accounts, insert_owned_devices
from _rig import fresh_process
from _timing import timed
from abctl.cli.app import app
from abctl.services.reporting.usage import target_usage, usage
from abctl.store import Store
from abctl.timeutil import to_iso, utc_now

BOUND_SECONDS = 1.0
ACCOUNTS = 4
APPS = 250
TARGETS_PER_KIND = 100_000
LICENSES_PER_TARGET = 5
ACTIVITY_ROWS = 200_000
STAMP = "2026-01-01T00:00:00Z"


def adam_id(index: int) -> str:
    return str(400_000_000 + index)


def license_rows(targets: int = TARGETS_PER_KIND) -> Iterator[tuple[object, ...]]:
    """10 x `targets` rows (1,000,000 at full size): each user and each device holds five licenses of different
    apps."""
    for kind, prefix in (("user", "U"), ("device", "D")):
        for target in range(targets):
            for k in range(LICENSES_PER_TARGET):
                app_index = (target + k * 37) % APPS  # five different apps per target
                account = 1 + (target + k) % ACCOUNTS
                state = "active" if k < 4 else "revoked"
                yield (account, adam_id(app_index), "STDQ", kind, f"{prefix}{target:07d}", "fcfs", state, STAMP)


def activity_rows(now_iso: Callable[[int], str], count: int = ACTIVITY_ROWS,
                  targets: int = TARGETS_PER_KIND) -> Iterator[tuple[object, ...]]:  # fmt: skip
    for i in range(count):
        minutes_ago = (i * 2_629) % (365 * 24 * 60)  # spread over the last year
        account = 1 + i % ACCOUNTS
        yield (now_iso(minutes_ago), "bench", "default", f"acct{account}", adam_id(i % APPS), "user",
               f"U{i % targets:07d}", "user", "associate", "complete", f"ev-{i}")  # fmt: skip


def insert_activity(conn: sqlite3.Connection, count: int, targets: int) -> None:
    """`count` completed assignments over the last year (what the forecasts read), by users U0000000.. in turn;
    in the caller's transaction."""
    now = utc_now()
    conn.executemany(
        "INSERT INTO activity (ts, actor, space, account_name, adam_id, target_kind, target_id, license_type,"
        " action, result, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        activity_rows(lambda minutes: to_iso(now - timedelta(minutes=minutes)), count, targets),
    )


def build(path: Path, targets: int = TARGETS_PER_KIND) -> None:
    """Write the benchmark database (10 x `targets` licenses, 1,000,000 at full size, and 2 x `targets` activity
    rows) in a few bulk transactions."""
    with Store.open(path) as store:
        conn = store.db.conn
        conn.execute("PRAGMA synchronous = OFF")
        with store.transaction():
            insert_accounts(conn, ACCOUNTS, STAMP)
            conn.executemany(
                "INSERT INTO assets (account_id, adam_id, pricing_param, product_type, total, assigned, available,"
                " retired, device_assignable, revocable, platforms, synced_at)"
                " VALUES (?, ?, 'STDQ', 'App', ?, ?, ?, 0, 1, 1, 'iOS', ?)",
                [
                    (n, adam_id(a), 2_000, 1_000 + a, 1_000 - a, STAMP)
                    for n in range(1, ACCOUNTS + 1)
                    for a in range(APPS)
                ],
            )
            insert_owned_devices(conn, [adam_id(a) for a in range(APPS)], targets, STAMP)
            conn.executemany(
                "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
                " assigned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                license_rows(targets),
            )
            insert_activity(conn, targets * ACTIVITY_ROWS // TARGETS_PER_KIND, targets)
        conn.execute("ANALYZE")


def cli_call(path: Path, *args: str, columns: int = 200) -> Callable[[], object]:
    runner = CliRunner(env={"COLUMNS": str(columns), "NO_COLOR": "1"})

    def run() -> object:
        result = runner.invoke(app, ["--db", str(path), *args])
        assert result.exit_code == 0, result.output
        return result

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="Reuse or create the benchmark database here.")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "bench.db"
    if not path.exists():
        start = time.perf_counter()
        build(path)
        print(f"built {path} in {time.perf_counter() - start:.1f} s")
    with Store.open(path) as store:
        licenses = store.db.execute("SELECT count(*) FROM licenses").fetchone()[0]
        print(f"{licenses:,} license rows, {ACCOUNTS * APPS:,} assets, {ACTIVITY_ROWS:,} activity rows")
        now = utc_now()
        rows = usage(store, space="default", now=now)
        assert len(rows) == APPS * (ACCOUNTS + 1) and any(row.forecast_days for row in rows)
        worst = max(
            timed("reporting.usage (whole space)", args.repeat, lambda: usage(store, space="default", now=now)),
            timed("reporting.target_usage (--user)", args.repeat,
                  lambda: target_usage(store, user="U0004242", now=now)),
            timed("reporting.target_usage (--device)", args.repeat,
                  lambda: target_usage(store, device="D0004242", now=now)),
        )  # fmt: skip
    worst = max(
        worst,
        timed("abctl usage (CLI in-process, table, 200 cols)", args.repeat, cli_call(path, "usage")),
        timed("abctl usage (CLI in-process, table, 80 cols)", args.repeat, cli_call(path, "usage", columns=80)),
        timed("abctl --format json usage (CLI in-process)", args.repeat, cli_call(path, "--format", "json", "usage")),
        timed("abctl usage --prometheus (CLI in-process)", args.repeat, cli_call(path, "usage", "--prometheus")),
        timed("abctl usage --user (CLI in-process)", args.repeat, cli_call(path, "usage", "--user", "U0004242")),
        timed("abctl usage --device (CLI in-process)", args.repeat, cli_call(path, "usage", "--device", "D0004242")),
    )
    seconds, peak = fresh_process([sys.executable, "-m", "abctl", "--db", str(path), "usage"])
    print(f"abctl usage as a fresh process: {seconds:.2f} s, peak RSS {peak / 2**20:.0f} MiB (bound 150 MiB)")
    verdict = "PASS" if worst < BOUND_SECONDS else "FAIL"
    print(f"{verdict}: slowest median {worst:.3f} s = {worst / BOUND_SECONDS:.3f} x the {BOUND_SECONDS:.0f} s bound")
    folder.cleanup()
    if worst >= BOUND_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
