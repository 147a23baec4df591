"""Benchmark: full and incremental sync against the sandbox over loopback HTTP, compared with Apple's bound.

Bound for a full sync of one token: max(pages / maxRequestPerSecond, pages / 5 x latency) seconds (15 requests per
second, 5 pages in flight). Tokens sync in parallel, so the wall time of N tokens has the same bound.

    python bench/bench_sync.py                      # 3 accounts x 100,000 assignments, 50 ms latency
    python bench/bench_sync.py --assignments 2000   # toy size (what the test suite runs)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from abctl.sandbox.app import SandboxApp
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.seeds import generate
from abctl.sandbox.server import serve


def run(accounts: int, assignments: int, latency_ms: float, assets: int) -> dict[str, float]:
    from typer.testing import CliRunner

    from abctl.cli.app import app

    world = generate(locations=accounts, assets=assets, assignments_per_location=assignments, now=datetime.now(UTC))
    sandbox = SandboxApp(world.state, faults=FaultSpec.parse(f"latency={latency_ms}"))
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder, serve(sandbox) as running:
        env = {"ABCTL_HOME": folder, "ABCTL_API_URL": running.api_url, "NO_COLOR": "1"}
        for token in world.tokens:
            (Path(folder) / f"{token.name}.vpptoken").write_text(token.text)
            result = runner.invoke(app, ["tokens", "add", token.name, "--file", f"{folder}/{token.name}.vpptoken"],
                                   env=env)  # fmt: skip
            assert result.exit_code == 0, result.output
        world.state.reset_stats()
        started = time.perf_counter()
        result = runner.invoke(app, ["sync", "--full"], env=env)
        full_seconds = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        stats = world.state.stats()
        requests = stats["requests"]  # type: ignore[index]
        per_token = [sum(counts.values()) for counts in requests.values()]  # type: ignore[union-attr]
        throttled = float(stats["throttled"])  # type: ignore[arg-type]
        world.state.reset_stats()
        result = runner.invoke(app, ["sync"], env=env)
        assert result.exit_code == 0, result.output
        incremental = world.state.stats()["requests"]  # type: ignore[index]
    pages = -(-assignments // world.state.page_sizes["assignments"])
    bound = max(pages / 15, pages / 5 * latency_ms / 1000)
    return {
        "full_seconds": full_seconds,
        "bound_seconds": bound,
        "requests_per_token": max(per_token),
        "rate_per_token": max(per_token) / full_seconds,
        "throttled_9646": throttled,
        "incremental_requests_per_token": max(sum(c.values()) for c in incremental.values()),  # type: ignore[union-attr]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=200)
    parser.add_argument("--latency", type=float, default=50.0)
    args = parser.parse_args()
    figures = run(args.accounts, args.assignments, args.latency, args.assets)
    print(f"machine: {os.cpu_count()} cores; {args.accounts} accounts x {args.assignments:,} assignments, "
          f"{args.latency:g} ms latency")  # fmt: skip
    print(f"full sync wall time   {figures['full_seconds']:8.2f} s   bound {figures['bound_seconds']:.2f} s   "
          f"ratio {figures['bound_seconds'] / figures['full_seconds']:.2f}")  # fmt: skip
    rate = figures["rate_per_token"]
    print(f"requests per second   {rate:8.2f}     bound 15     ratio {rate / 15:.2f}"
          f"  ({figures['requests_per_token']:.0f} requests per token)")  # fmt: skip
    print(f"9646 answers          {figures['throttled_9646']:8.0f}     bound 0")
    print(f"incremental, no change{figures['incremental_requests_per_token']:8.0f} requests per token   minimum 3 "
          "(assets, assignments, users)")  # fmt: skip


if __name__ == "__main__":
    main()
