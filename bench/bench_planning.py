"""Benchmark: planning an assignment for 100,000 targets must take under 1 s (design.md section 6).

Builds a space with three accounts that own the same app: the first serves the `students` group (a quarter of
the seats needed), the second everyone (half), the third only its reservations (1%, and it does not
auto-distribute). 100,000 devices, each owned by a user, half of them students. Times what `abctl assign
--dry-run` does before printing: read the targets and the offers from the database, then decide every target
(services.licensing.plan.plan_apps), and the pure domain step alone. Prints each figure and its ratio to the bound.

    .venv/bin/python bench/bench_planning.py [--targets N] [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from _timing import timed
from abctl.domain.allocation import RequestKind, plan_assignments
from abctl.models.enums import TargetKind
from abctl.services.licensing.plan import TargetFacts, load_offers, plan_apps
from abctl.services.runtime import Runtime
from abctl.store import Store

APP = "500000001"
STAMP = "2026-01-01T00:00:00Z"


def build(path: Path, targets: int) -> None:
    """The space: 3 accounts owning APP, `targets` devices with owners, half of them in `students`."""
    reserved = targets // 100
    with Store.open(path) as store:
        conn = store.db.conn
        with store.transaction():
            for n, auto in ((1, 1), (2, 1), (3, 0)):
                conn.execute(
                    "INSERT INTO accounts (id, name, space, priority, auto_distribute, org_name, uid,"
                    " token_fingerprint, created_at, expires_at)"
                    " VALUES (?, ?, 'default', ?, ?, 'Bench', ?, 'x', ?, '2030-01-01T00:00:00Z')",
                    (n, f"acct{n}", n, auto, f"uid{n}", STAMP),
                )
            seats = {1: targets // 4, 2: targets // 2, 3: reserved}
            conn.executemany(
                "INSERT INTO assets (account_id, adam_id, pricing_param, product_type, total, assigned, available,"
                " retired, device_assignable, revocable, platforms, synced_at)"
                " VALUES (?, ?, 'STDQ', 'App', ?, 0, ?, 0, 1, 1, 'iOS', ?)",
                [(n, APP, seats[n], seats[n], STAMP) for n in (1, 2, 3)],
            )
            conn.executemany(
                "INSERT INTO users (client_user_id, space, created_at, updated_at) VALUES (?, 'default', ?, ?)",
                [(f"U{t:07d}", STAMP, STAMP) for t in range(targets)],
            )
            conn.executemany(
                "INSERT INTO devices (serial, space, platform, owner, created_at, updated_at)"
                " VALUES (?, 'default', 'ipados', ?, ?, ?)",
                [(f"D{t:07d}", f"U{t:07d}", STAMP, STAMP) for t in range(targets)],
            )
            conn.execute("INSERT INTO groups (space, name, created_at) VALUES ('default', 'students', ?)", (STAMP,))
            conn.executemany(
                "INSERT INTO group_members (space, group_name, client_user_id) VALUES ('default', 'students', ?)",
                [(f"U{t:07d}",) for t in range(0, targets, 2)],
            )
            conn.execute("INSERT INTO distribution_policies (account_id, adam_id, updated_at) VALUES (1, ?, ?)",
                         (APP, STAMP))  # fmt: skip
            conn.execute("INSERT INTO fcfs_groups VALUES (1, ?, 'students')", (APP,))
            conn.execute("INSERT INTO distribution_policies (account_id, adam_id, updated_at) VALUES (3, ?, ?)",
                         (APP, STAMP))  # fmt: skip
            conn.executemany(
                "INSERT INTO reservations VALUES (3, ?, 'device', ?)", [(APP, f"D{t:07d}") for t in range(reserved)]
            )
        conn.execute("ANALYZE")


def run(*, targets: int = 100_000, repeat: int = 5, quiet: bool = False) -> dict[str, Any]:
    """Build, plan, and return the figures (and the decisions per account, to check the plan is right)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build(path, targets)
        with Store.open(path) as store:
            rt = Runtime(store=store, clients=lambda account: None)  # type: ignore[arg-type,return-value]
            specs = [(TargetKind.DEVICE, f"D{t:07d}") for t in range(targets)]
            result: dict[str, Any] = {}

            def full() -> None:
                result["plans"] = plan_apps(rt, "default", [APP], specs, RequestKind.REQUIRED)

            facts = TargetFacts.load(store, "default", specs, RequestKind.REQUIRED)
            offers = load_offers(store, "default", APP)
            loaded = facts.for_app(store, "default", APP)

            def domain_only() -> None:
                plan_assignments(offers, loaded, RequestKind.REQUIRED)

            full_seconds = timed(f"plan {targets:,} targets (database reads + rules)", repeat, full, quiet=quiet)
            domain_seconds = timed(f"plan {targets:,} targets (rules only)", repeat, domain_only, quiet=quiet)
            decisions = result["plans"][0].allocation.decisions
            by_account = Counter(d.account or str(d.reason) for d in decisions)
            return {"seconds": full_seconds, "domain_seconds": domain_seconds, "decisions": len(decisions),
                    "by_account": dict(by_account)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures = run(targets=args.targets, repeat=args.repeat)
    print(f"decisions: {figures['decisions']:,}; per account or reason: {figures['by_account']}")


if __name__ == "__main__":
    main()
