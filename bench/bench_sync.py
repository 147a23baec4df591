"""Benchmark: full and incremental sync against the sandbox over loopback HTTP, compared with Apple's bound.

Bound for a full sync of one token: max(pages / maxRequestPerSecond, pages / 5 x latency) seconds (15 requests per
second, 5 pages in flight), where pages counts every page Apple serves the sync (assets, assignments, users): all
of them are requests within the same 15 per second. Tokens sync in parallel, so N tokens have the same bound.
Incremental sync is measured with no change on Apple's side, then with 1% of each account's assignments changed
by another MDM (half of it an app revoked from its devices, half an app given to new devices).

    python bench/bench_sync.py                      # 3 accounts x 100,000 assignments, 50 ms latency
    python bench/bench_sync.py --assignments 2500   # toy size (what the test suite runs)
    python bench/bench_sync.py --in-process         # the sandbox in abctl's own process (shares its GIL)
"""

from __future__ import annotations

import argparse
import os
import time

from _rig import SERIAL_BASE, Rig, World, sandbox

PAGE = 1_000  # assignments per page (the sandbox, as Apple)


def per_token(rig: Rig) -> list[int]:
    return [sum(counts.values()) for counts in rig.requests_per_location().values()]


def churn(rig: Rig, changes: int) -> tuple[int, int]:
    """Another MDM changes `changes` assignments per account: app 0 revoked from some of its devices, app 1
    given to as many new ones. Returns (removed, added) per account."""
    world = rig.world
    removed = min(changes // 2, -(-world.assignments // world.assets))
    added = changes - removed
    for index, name in enumerate(rig.tokens):
        remove = [[str(SERIAL_BASE), f"SN{index}-{n:07d}"] for n in range(0, removed * world.assets, world.assets)]
        add = [[str(SERIAL_BASE + 1 % world.assets), f"NEW{index}-{n:07d}"] for n in range(added)]
        rig.admin("bench/churn", {"location": name, "remove": remove, "add": add})
    return removed, added


def run(accounts: int, assignments: int, latency_ms: float, assets: int, *, in_process: bool = False,
        change_percent: float = 1.0, repeat: int = 1) -> dict[str, float]:  # fmt: skip
    """Every figure of this benchmark, as a dict (the toy-size test checks them)."""
    world = World(accounts=accounts, assets=assets, assignments=assignments, latency_ms=latency_ms)
    with sandbox(world, in_process=in_process) as rig:
        rig.add_tokens()
        runs = []
        throttled = 0.0
        for _ in range(repeat):
            rig.reset_stats()
            started = time.perf_counter()
            rig.abctl("sync", "--full")
            runs.append((time.perf_counter() - started, max(per_token(rig))))
            throttled += float(rig.stats()["throttled"])
        full_seconds, requests = sorted(runs)[len(runs) // 2]  # the median run
        rig.reset_stats()
        rig.abctl("sync")
        idle = max(per_token(rig))
        throttled += float(rig.stats()["throttled"])
        removed, added = churn(rig, round(assignments * change_percent / 100))
        rig.reset_stats()
        started = time.perf_counter()
        rig.abctl("sync")
        changed_seconds = time.perf_counter() - started
        changed = max(per_token(rig))
        throttled += float(rig.stats()["throttled"])
    pages = requests
    per_app = -(-assignments // assets)
    # assets + assignment delta pages + users, and the revoked app's assignments re-read (deltas carry no removals)
    changed_minimum = 1 + max(1, -(-added // PAGE)) + 1 + (max(1, -(-(per_app - removed) // PAGE)) if removed else 0)
    return {
        "full_seconds": full_seconds,
        "full_runs": len(runs),
        "bound_seconds": max(pages / 15, pages / 5 * latency_ms / 1000),
        "requests_per_token": requests,
        "rate_per_token": requests / full_seconds,
        "throttled_9646": throttled,
        "incremental_requests_per_token": idle,
        "changed_requests_per_token": changed,
        "changed_minimum": changed_minimum,
        "changed_seconds": changed_seconds,
        "removed": removed,
        "added": added,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=200)
    parser.add_argument("--latency", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3, help="full syncs to run; the median one is reported")
    parser.add_argument("--in-process", action="store_true", help="serve the sandbox from this process")
    args = parser.parse_args()
    figures = run(args.accounts, args.assignments, args.latency, args.assets, in_process=args.in_process,
                  repeat=args.repeat)  # fmt: skip
    where = "in abctl's process" if args.in_process else "in a child process"
    print(f"machine: {os.cpu_count()} cores; {args.accounts} accounts x {args.assignments:,} assignments, "
          f"{args.latency:g} ms latency, sandbox {where}")  # fmt: skip
    print(f"full sync wall time      {figures['full_seconds']:8.2f} s   bound {figures['bound_seconds']:.2f} s   "
          f"ratio {figures['bound_seconds'] / figures['full_seconds']:.2f}   (median of {args.repeat})")  # fmt: skip
    rate = figures["rate_per_token"]
    print(f"requests per second      {rate:8.2f}     bound 15     ratio {rate / 15:.2f}"
          f"  ({figures['requests_per_token']:.0f} requests per token)")  # fmt: skip
    print(f"9646 answers             {figures['throttled_9646']:8.0f}     bound 0   (all runs)")
    print(f"incremental, no change   {figures['incremental_requests_per_token']:8.0f} requests per token   minimum 3 "
          "(assets, assignments, users)")  # fmt: skip
    print(
        f"incremental, 1% changed  {figures['changed_requests_per_token']:8.0f} requests per token   minimum "
        f"{figures['changed_minimum']:.0f} (assets, assignment delta, users, the revoked app re-read: "
        f"{figures['removed']:.0f} removed, {figures['added']:.0f} added)   {figures['changed_seconds']:.2f} s"
    )


if __name__ == "__main__":
    main()
