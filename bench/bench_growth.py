"""Benchmark: how abctl's own work grows with the inventory (issue 19, item 7): sync, usage, planning, drift and
import at three sizes (10,000 / 100,000 / 1,000,000 by default), with the growth factor per 10x.

The growth factor is time at 10N / time at N (for sizes not 10x apart, scaled to 10x): 10 is linear. Up to about
12 is reported as linear (B-tree depth and caches grow a little with size), below 8 as sub-linear (fixed costs
such as start-up still count), above 12 as WORSE: that needs a reason.

What grows with what:

- sync: one token with N device assignments over 100 apps, served by the sandbox (bench/_rig.py) in a child
  process at 0 ms latency. Measured as fresh `abctl` processes: the first full sync (`tokens add`) and a full
  re-sync over it (`sync --full`). Their wall time is bound by Apple's 15 requests per second (N / 1,000 pages
  / 15 s), not by abctl, so the growth of abctl's own work is read from the process's CPU time (user + system,
  the sandbox's work is in its own process); peak RSS is the kernel's count.
- usage and drift: bench_drift's inventory (four accounts x 250 apps, N / 10 users and as many devices holding
  five licenses each, a little planted drift) plus bench_usage's activity (N / 5 completed assignments over a
  year, what the forecasts read), built once per size. Timed in-process (best of --repeat) and once each as a
  fresh process with its peak RSS. Usage reads Apple's asset counts and the activity, not the licenses.
- planning: bench_planning at N targets (database reads and rules; the rules alone).
- import: bench_import's `devices import` of N rows: all new, all unchanged, a tenth changed (in-process), and the
  first file again as a fresh process with its peak RSS.

    .venv/bin/python bench/bench_growth.py [--sizes 10000,100000,1000000] [--only sync,usage,...] [--repeat N]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bench_drift
import bench_import
import bench_planning
import bench_usage
from _rig import Measured, World, measure_process, sandbox
from _timing import samples

SIZES = (10_000, 100_000, 1_000_000)
OPERATIONS = ("sync", "usage", "drift", "planning", "import")
SYNC_APPS = 100
LINEAR_UP_TO = 12.0
SUBLINEAR_BELOW = 8.0


def best(repeat: int, call: Callable[[], object]) -> float:
    """The best of `repeat` timed calls, after one warm-up call (the least disturbed by other processes)."""
    return min(samples(repeat, call))


def sync_figures(size: int) -> dict[str, Any]:
    """First full sync (tokens add) and a full re-sync of one token with `size` assignments, as fresh processes."""
    from abctl.store import Store

    world = World(accounts=1, assets=SYNC_APPS, assignments=size, latency_ms=0)
    with sandbox(world) as rig:
        (name, token), *_ = rig.tokens.items()
        rig.reset_stats()
        first = rig.abctl_measured("tokens", "add", name, "--file", str(token))
        first_requests = sum(sum(counts.values()) for counts in rig.requests_per_location().values())
        throttled = rig.stats()["throttled"]
        rig.reset_stats()
        again = rig.abctl_measured("sync", "--full")
        requests = sum(sum(counts.values()) for counts in rig.requests_per_location().values())
        throttled += rig.stats()["throttled"]
        with Store.open(rig.home / "abctl.db") as store:
            licenses = store.db.execute("SELECT count(*) FROM licenses WHERE state = 'active'").fetchone()[0]
    return {
        "sync: tokens add (first full sync), wall": first.seconds,
        "sync: tokens add, CPU": first.cpu_seconds,
        "sync: tokens add, peak RSS": first.peak_rss,
        "sync: sync --full, wall": again.seconds,
        "sync: sync --full, CPU": again.cpu_seconds,
        "sync: sync --full, peak RSS": again.peak_rss,
        "sync: Apple's bound for sync --full (requests / 15)": requests / 15,
        "_sync_requests": (first_requests, requests),
        "_sync_throttled": throttled,
        "_sync_licenses": licenses,
    }


def inventory(folder: Path, size: int) -> Path:
    """bench_drift's database for `size` licenses, with bench_usage's activity added (built once, reused)."""
    from abctl.store import Store

    path = folder / f"inventory-{size}.db"
    if not path.exists():
        targets = size // (2 * bench_drift.LICENSES_PER_TARGET)
        bench_drift.build(path, targets)
        with Store.open(path) as store, store.transaction():
            bench_usage.insert_activity(store.db.conn, size // 5, targets)
    return path


def usage_figures(path: Path, repeat: int) -> dict[str, Any]:
    from abctl.services.reporting.usage import usage
    from abctl.store import Store
    from abctl.timeutil import utc_now

    now = utc_now()
    with Store.open(path) as store:
        rows = usage(store, space="default", now=now)
        assets, apps = store.db.execute("SELECT count(*), count(DISTINCT adam_id) FROM assets").fetchone()
        seconds = best(repeat, lambda: usage(store, space="default", now=now))
    process = abctl_process("--db", str(path), "usage")
    return {
        "usage: service, in-process": seconds,
        "usage: abctl usage, fresh process": process.seconds,
        "usage: abctl usage, peak RSS": process.peak_rss,
        "_usage_rows": len(rows),
        "_usage_expected_rows": assets + apps,  # one per account and app, and a total per app
        "_usage_forecasts": sum(1 for row in rows if row.forecast_days is not None),
    }


def drift_figures(path: Path, repeat: int) -> dict[str, Any]:
    from collections import Counter

    from abctl.services.drift.find import find_drift
    from abctl.store import Store

    with Store.open(path) as store:
        licenses = store.db.execute("SELECT count(*) FROM licenses").fetchone()[0]
        reasons = dict(Counter(str(item.reason) for item in find_drift(store)))
        seconds = best(repeat, lambda: find_drift(store))
    process = abctl_process("--db", str(path), "drift")
    return {
        "drift: find_drift, in-process": seconds,
        "drift: abctl drift, fresh process": process.seconds,
        "drift: abctl drift, peak RSS": process.peak_rss,
        "_drift_licenses": licenses,
        "_drift_reasons": reasons,
    }


def planning_figures(size: int) -> dict[str, Any]:
    figures = bench_planning.run(targets=size, repeat=1, quiet=True)
    return {
        "planning: database reads + rules": figures["seconds"],
        "planning: rules only": figures["domain_seconds"],
        "_planning_decisions": figures["decisions"],
    }


def import_figures(size: int) -> dict[str, Any]:
    figures = bench_import.run(size)
    return {
        "import: all new": figures["new_seconds"],
        "import: all unchanged": figures["unchanged_seconds"],
        "import: a tenth changed": figures["changed_seconds"],
        "import: fresh process": figures["process_seconds"],
        "import: fresh process, peak RSS": figures["process_peak_rss"],
        "_import_summaries": (figures["new_summary"], figures["unchanged_summary"], figures["changed_summary"]),
    }


def abctl_process(*args: str) -> Measured:
    return measure_process([sys.executable, "-m", "abctl", *args], env=os.environ | {"NO_COLOR": "1"})


def run(sizes: Sequence[int] = SIZES, *, only: Sequence[str] = OPERATIONS, repeat: int = 3,
        progress: Callable[[str], None] | None = None) -> dict[int, dict[str, Any]]:  # fmt: skip
    """Every figure per size: metric name -> seconds or bytes ("peak RSS"); names starting with `_` are the
    counts the toy-size test checks."""
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="abctl-growth-") as folder:
        for size in sizes:
            figures: dict[str, Any] = {}
            started = time.perf_counter()
            if "sync" in only:
                figures |= sync_figures(size)
            if "usage" in only or "drift" in only:
                path = inventory(Path(folder), size)
                if "usage" in only:
                    figures |= usage_figures(path, repeat)
                if "drift" in only:
                    figures |= drift_figures(path, repeat)
                path.unlink()
            if "planning" in only:
                figures |= planning_figures(size)
            if "import" in only:
                figures |= import_figures(size)
            results[size] = figures
            if progress:
                progress(f"size {size:,} measured in {time.perf_counter() - started:.0f} s")
    return results


def growth(small: tuple[int, float], large: tuple[int, float]) -> float:
    """The factor per 10x in size between two measurements (size, value)."""
    (n1, v1), (n2, v2) = small, large
    return float((v2 / v1) ** (1 / math.log10(n2 / n1))) if v1 > 0 and v2 > 0 else math.nan


def verdict(factor: float) -> str:
    if math.isnan(factor):
        return "?"
    if factor > LINEAR_UP_TO:
        return "WORSE"
    return "sub-linear" if factor < SUBLINEAR_BELOW else "linear"


def table(results: dict[int, dict[str, Any]]) -> list[str]:
    """One line per metric: its value at each size and the growth per 10x between neighbouring sizes."""
    sizes = sorted(results)
    metrics = [key for key in results[sizes[0]] if not key.startswith("_")]
    head = f"{'metric':<56}" + "".join(f"{size:>12,}" for size in sizes) + "   growth per 10x"
    lines = [head, "-" * len(head)]
    for metric in metrics:
        memory = metric.endswith("peak RSS")
        paced = metric.startswith("sync:") and not metric.endswith(("CPU", "peak RSS"))  # Apple's 15 per second
        values = [float(results[size][metric]) for size in sizes]
        cells = "".join(f"{v / 2**20:>8.0f} MiB" if memory else f"{v:>10.3f} s" for v in values)
        steps = [growth((sizes[i], values[i]), (sizes[i + 1], values[i + 1])) for i in range(len(sizes) - 1)]
        words = ", ".join(f"{f:.1f}" + ("" if memory or paced else f" {verdict(f)}") for f in steps)
        words += " (Apple's rate, not abctl's work)" if paced else ""
        lines.append(f"{metric:<56}{cells}   {words}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in SIZES),
                        help="Comma-separated licenses (and import rows) per size.")  # fmt: skip
    parser.add_argument("--only", default=",".join(OPERATIONS), help=f"Some of {', '.join(OPERATIONS)}.")
    parser.add_argument("--repeat", type=int, default=3, help="In-process timings: best of N.")
    args = parser.parse_args()
    sizes = sorted(int(size.replace("_", "")) for size in args.sizes.split(","))
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(OPERATIONS))
    if unknown or len(sizes) < 2:
        parser.error(f"unknown operation {unknown}" if unknown else "give at least two sizes")
    load = os.getloadavg()
    started = time.perf_counter()
    results = run(sizes, only=only, repeat=args.repeat, progress=print)
    print(f"machine: {os.cpu_count()} cores, load {load[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end;"
          f" {time.perf_counter() - started:.0f} s in all")  # fmt: skip
    print("\n".join(table(results)))
    if "sync" in only:
        requests = ", ".join(f"{results[size]['_sync_requests'][1]:,}" for size in sizes)
        print(f"sync: requests per full read {requests}; 9646 answers "
              f"{sum(results[size]['_sync_throttled'] for size in sizes)}; the wall time is Apple's 15 requests"
              " per second, abctl's own work is its CPU time")  # fmt: skip


if __name__ == "__main__":
    main()
