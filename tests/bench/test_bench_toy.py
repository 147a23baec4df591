"""The benchmarks run at toy size so they never rot; this checks their results, not their speed."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
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
