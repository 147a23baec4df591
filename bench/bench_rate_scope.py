"""Benchmark: three tokens of one organization syncing at once, against a sandbox that gives the organization one
15 requests/s budget (`--rate-scope organization`), and against one that gives each token its own (`location`).

With `organization`, abctl starts with a budget per token; once Apple refuses two of the organization's tokens
within one second (9646), their limiters merge into one and the database remembers it. Expected: 9646 answers only
in the first window (at most 15: the requests already in flight), none after; the next run, remembering it, meets
none. With `location`, nothing is learned and the three keep their own budgets (no slowdown).

    python bench/bench_rate_scope.py                      # 3 tokens x 100,000 assignments, 50 ms latency
    python bench/bench_rate_scope.py --assignments 5000   # toy size (what the test suite runs)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
from typing import Any

from _rig import Rig, World, sandbox


def timed_sync(rig: Rig) -> dict[str, Any]:
    """`abctl sync --full` over every token at once: seconds, 9646 answers and when they came (seconds after the
    run's first request), and the organizations abctl then remembers as sharing one budget."""
    rig.reset_stats()
    started = time.perf_counter()
    rig.abctl("sync", "--full")
    seconds = time.perf_counter() - started
    stats = rig.stats()
    with sqlite3.connect(rig.home / "abctl.db") as db:
        rows = db.execute("SELECT key FROM settings WHERE key LIKE 'rate_budget:%'").fetchall()
        shared = [key.removeprefix("rate_budget:") for (key,) in rows]
    times = [t for per in stats["throttled_at"].values() for t in per]
    requests = sum(sum(counts.values()) for counts in stats["requests"].values())
    return {"seconds": seconds, "throttled": stats["throttled"], "last_9646_at": max(times, default=None),
            "requests": requests, "shared": shared}  # fmt: skip


def run(accounts: int, assignments: int, latency_ms: float, assets: int) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for scope in ("organization", "location"):
        world = World(accounts=accounts, assets=assets, assignments=assignments, latency_ms=latency_ms,
                      rate_scope=scope)  # fmt: skip
        with sandbox(world) as rig:
            for name, path in rig.tokens.items():  # one at a time, a window apart: each add reads its account alone
                rig.reset_stats()
                rig.abctl("tokens", "add", name, "--file", str(path))
            figures[f"{scope} first"] = timed_sync(rig)
            figures[f"{scope} next"] = timed_sync(rig)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=200)
    parser.add_argument("--latency", type=float, default=50.0)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = run(args.accounts, args.assignments, args.latency, args.assets)
    print(f"machine: {os.cpu_count()} cores, load {load:.1f} -> {os.getloadavg()[0]:.1f}; {args.accounts} tokens of "
          f"one organization x {args.assignments:,} assignments, {args.latency:g} ms latency")  # fmt: skip
    for label, figure in figures.items():
        when = "" if figure["last_9646_at"] is None else f", the last {figure['last_9646_at']:.2f} s after the start"
        remembered = ", ".join(figure["shared"]) or "nothing"
        print(f"--rate-scope {label:<19} {figure['seconds']:7.2f} s   {figure['requests']:4d} requests   "
              f"{figure['throttled']:3d} x 9646{when}   remembered: {remembered}")  # fmt: skip
    shared, own = figures["organization next"]["seconds"], figures["location next"]["seconds"]
    print(f"one budget for three tokens takes {shared / own:.1f}x as long as three budgets (3 expected at the rate)")


if __name__ == "__main__":
    main()
