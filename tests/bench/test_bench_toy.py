"""The benchmarks run at toy size so they never rot; this checks their results, not their speed."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # the scripts import their shared rig (bench/_rig.py) as `_rig`
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_sync_benchmark_at_toy_size() -> None:
    figures = load("bench_sync").run(accounts=2, assignments=2_500, latency_ms=0, assets=5)
    assert figures["requests_per_token"] == 1 + 3 + 1  # assets, 3 pages of 1,000 assignments, users
    assert figures["throttled_9646"] == 0
    assert figures["incremental_requests_per_token"] == 3
    # 25 changed: 12 licenses of app 0 revoked, app 1 on 13 new devices; app 0 is re-read because deltas show
    # no removals
    assert (figures["removed"], figures["added"]) == (12, 13)
    assert figures["changed_requests_per_token"] == figures["changed_minimum"] == 4
    # the walker: 1 page of assets, then each of the 5 apps' assignments (1 page each), one request at a time
    assert (figures["walker_requests"], figures["walker_9646"]) == (6, 0)
    # 10% of apps 1-4 removed (50 each): re-reading the 4 apps would take 4 pages, one full read 3 (2,301 left)
    assert (figures["spread_full_read"], figures["spread_per_app_reads"]) == (3, 4)
    assert figures["spread_requests_per_token"] == figures["spread_minimum"] == 3 + 3


def test_planning_benchmark_at_toy_size() -> None:
    figures = load("bench_planning").run(targets=1_000, repeat=1, quiet=True, processes=True)
    # reservations first (1%), then the students' account (a quarter), then everyone's (a half); the rest refused
    assert figures["by_account"] == {"acct3": 10, "acct1": 250, "acct2": 500, "no_seat": 240}
    assert figures["decisions"] == 1_000
    # the fresh processes: every row in json, the counted summary for people
    assert figures["json_rows"] == 1_000
    assert figures["table"] == (
        "Assign 500000001: plan (dry run: nothing sent): 1,000 rows, counted\n"
        "App        Account  Result   Rows\n"
        "---------  -------  -------  ----\n"
        "500000001  acct3    planned    10\n"
        "500000001  acct1    planned   250\n"
        "500000001  acct2    planned   500\n"
        "500000001           refused   240\n"
        "1,000 rows in 4 group(s); -o wide, json or csv lists every row.\n"
    )
    assert figures["process_json_seconds"] > 0 and figures["process_table_seconds"] > 0


def test_startup_benchmark_at_toy_size() -> None:
    figures = load("bench_startup").run(repeat=1)
    assert set(figures) == {"abctl --version", "abctl --help", "abctl tokens --help", "abctl spaces list",
                            "abctl tokens list"}  # fmt: skip
    assert [figures[label]["peer"] for label in figures] == ["python -c pass", "sqlite-utils --help",
                                                             "sqlite-utils --help", "sqlite-utils tables DB",
                                                             "sqlite-utils tables DB"]  # fmt: skip
    assert all(f["seconds"] > 0 and f["ratio"] > 0 and f["cpu_ratio"] > 0 for f in figures.values())
    assert figures["abctl --version"]["heavy"] == figures["abctl --help"]["heavy"] == []
    assert (
        "httpx" not in figures["abctl spaces list"]["heavy"] and "pydantic" not in figures["abctl tokens list"]["heavy"]
    )
    assert figures["abctl --help"]["modules"] > figures["abctl --version"]["modules"] > 0


def test_import_benchmark_at_toy_size() -> None:
    figures = load("bench_import").run(50, subprocess_run=False)
    assert figures["new_summary"] == "Imported 50 device(s) from devices.csv: 50 added, 0 updated, 0 unchanged."
    assert figures["unchanged_summary"] == "Imported 50 device(s) from devices.csv: 0 added, 0 updated, 50 unchanged."
    # rows 1, 11, 21, 31 and 41 gain an owner
    assert figures["changed_summary"] == "Imported 50 device(s) from changed.csv: 0 added, 5 updated, 45 unchanged."


def test_assign_benchmark_at_toy_size() -> None:
    figures = load("bench_assign").run(devices=2_500, multi_apps=30, multi_devices=100, latency_ms=0)
    one, many = figures["one_app"], figures["many_apps"]
    assert (one["associate"], one["ceiling"], one["licenses_on_apple"]) == (3, 3, 2_500)  # 1 app x 3 x 1,000 serials
    assert (many["associate"], many["ceiling"], many["licenses_on_apple"]) == (2, 2, 2_500 + 30 * 100)  # 25 + 5 apps
    # local work is the wall time less the clocked waits for Apple (at least the two associate calls' answers)
    assert 0 < many["apple_wait"] < many["seconds"] and many["local"] == many["seconds"] - many["apple_wait"]
    assert many["cpu"] > 0
    # 3,000 rows: counted per app, account and result; the full rows only with -o wide/json/csv
    assert "3,000 rows in 30 group(s); -o wide, json or csv lists every row." in many["output"]
    assert "Bench App 29  bench1   assigned   100\n" in many["output"]


def test_rate_scope_benchmark_at_toy_size() -> None:
    figures = load("bench_rate_scope").run(accounts=3, assignments=5_000, latency_ms=0, assets=5)
    first, following = figures["organization first"], figures["organization next"]
    # 3 tokens x 7 requests at once, 15 a second for the organization: the first window refuses some (at most the
    # 15 in flight), abctl merges the three budgets and remembers it; the next run meets no 9646
    assert 0 < first["throttled"] <= 15 and first["last_9646_at"] < 1.0
    assert first["shared"] == following["shared"] == ["Bench Org"]
    assert (following["throttled"], following["requests"]) == (0, 21)
    for run in ("location first", "location next"):
        assert (figures[run]["throttled"], figures[run]["requests"], figures[run]["shared"]) == (0, 21, [])


def test_drift_benchmark_at_toy_size() -> None:
    bench = load("bench_drift")
    figures = bench.run(targets=40, repeat=1, quiet=True)
    assert figures["licenses"] == 2 * 40 * 5 + 10 + 5 + 5  # five per user and device, then the planted drift
    # the planted drift and nothing else: a matching read has no other difference
    assert figures["reasons"] == bench.expected_reasons() == {"unknown": 10, "retired": 20, "gone": 5,
                                                              "wasted-seat": 5}  # fmt: skip


def test_growth_benchmark_at_toy_size() -> None:
    bench = load("bench_growth")
    results = bench.run((400, 4_000), repeat=1)
    for size, figures in results.items():
        # one token: 1 page of assets, a page per 1,000 assignments, 1 of users; the first sync (tokens add) reads
        # the same and its token's service/config; every assignment is stored, none was refused
        pages = 1 + -(-size // 1_000) + 1
        assert figures["_sync_requests"] == (1 + pages, pages) and figures["_sync_throttled"] == 0
        assert figures["_sync_licenses"] == size
        # bench_drift's inventory: 4 accounts x 250 apps, five licenses per user and device, the planted drift
        assert figures["_drift_licenses"] == size + 10 + 5 + 5
        assert figures["_drift_reasons"] == load("bench_drift").expected_reasons()
        # a row per account and app holding licenses, a total per app; forecasts from the activity
        assert figures["_usage_rows"] == figures["_usage_expected_rows"] > 250 and figures["_usage_forecasts"] > 0
        assert figures["_planning_decisions"] == size
        assert figures["_import_summaries"] == (
            f"Imported {size} device(s) from devices.csv: {size} added, 0 updated, 0 unchanged.",
            f"Imported {size} device(s) from devices.csv: 0 added, 0 updated, {size} unchanged.",
            f"Imported {size} device(s) from changed.csv: 0 added, {size // 10} updated, {size * 9 // 10} unchanged.",
        )
        assert all(value > 0 for key, value in figures.items() if not key.startswith("_"))
    lines = bench.table(results)
    assert [line.split("  ")[0] for line in lines[2:]] == [key for key in results[400] if not key.startswith("_")]


def test_growth_factor_is_per_tenfold() -> None:
    bench = load("bench_growth")
    assert bench.growth((10, 1.0), (100, 10.0)) == 10.0
    assert round(bench.growth((10, 1.0), (1_000, 400.0)), 6) == 20.0  # 400x over 100x: 20 per 10x
    assert [bench.verdict(f) for f in (5.0, 10.0, 12.0, 12.5)] == ["sub-linear", "linear", "linear", "WORSE"]


def test_a_fresh_process_peak_rss_is_its_own_not_the_benchmarks() -> None:
    rig = load("_rig")
    held = bytearray(300 * 2**20)  # the benchmark's process after an in-process run
    for page in range(0, len(held), 4096):
        held[page] = 1
    small = rig.measure_process([sys.executable, "-c", "pass"])
    large = rig.measure_process(
        [sys.executable, "-c", "b = bytearray(150 * 2**20)\nfor i in range(0, len(b), 4096): b[i] = 1"]
    )
    del held
    assert small.peak_rss < 100 * 2**20 < 150 * 2**20 < large.peak_rss < 250 * 2**20
    assert small.cpu_seconds > 0 and small.seconds > 0


def test_growth_table_flags_worse_than_linear_but_not_apples_pace() -> None:
    bench = load("bench_growth")
    results = {10: {"sync: sync --full, wall": 1.0, "sync: sync --full, CPU": 1.0, "import: all new": 1.0,
                    "import: fresh process, peak RSS": 2**20},
               100: {"sync: sync --full, wall": 15.0, "sync: sync --full, CPU": 10.0, "import: all new": 13.0,
                     "import: fresh process, peak RSS": 2 * 2**20}}  # fmt: skip
    lines = bench.table(results)
    assert [line.split("   ")[-1].strip() for line in lines[2:]] == [
        "15.0 (Apple's rate, not abctl's work)",
        "10.0 linear",
        "13.0 WORSE",
        "2.0",
    ]
