"""Benchmark: start-up of `abctl --version` and `abctl --help` against `python -c pass` (design.md section 6).

The bound is qualitative: neither command imports httpx or sqlite_utils (nor sqlite3). Each command runs in a fresh
interpreter N times; the median wall time is printed next to the bare interpreter's, as a ratio, with the modules
the command imported.

    python bench/bench_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HEAVY = ("httpx", "sqlite_utils", "sqlite3")
PROBE = """
import io, json, sys
from contextlib import redirect_stdout
sys.argv = ["abctl", {arg!r}]
from abctl.cli.app import main
with redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
sys.stderr.write(json.dumps([len(sys.modules), sorted(m for m in {heavy!r} if m in sys.modules)]))
"""


def abctl_command() -> list[str]:
    """The installed `abctl` script next to this interpreter, or `python -m abctl`."""
    script = Path(sys.executable).with_name("abctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "abctl"]


def median_seconds(command: list[str], repeat: int) -> float:
    """Median wall time of `command` over `repeat` fresh processes (after one warm-up for the OS file cache)."""
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def imported(arg: str) -> tuple[int, list[str]]:
    """How many modules `abctl ARG` loads, and which of the heavy ones."""
    completed = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg, heavy=HEAVY)], capture_output=True,
                               text=True, timeout=60, check=True)  # fmt: skip
    count, heavy = json.loads(completed.stderr.strip().splitlines()[-1])
    return int(count), list(heavy)


def run(repeat: int) -> dict[str, dict[str, Any]]:
    """Every figure: median seconds, ratio to `python -c pass`, modules loaded, heavy modules loaded."""
    bare = median_seconds([sys.executable, "-c", "pass"], repeat)
    figures: dict[str, dict[str, Any]] = {"python -c pass": {"seconds": bare, "ratio": 1.0}}
    for arg in ("--version", "--help"):
        seconds = median_seconds([*abctl_command(), arg], repeat)
        modules, heavy = imported(arg)
        figures[f"abctl {arg}"] = {"seconds": seconds, "ratio": seconds / bare, "modules": modules, "heavy": heavy}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    figures = run(args.repeat)
    for label, figure in figures.items():
        extra = ""
        if "heavy" in figure:
            heavy = figure["heavy"] or "none"
            extra = f"   {figure['modules']} modules; of {', '.join(HEAVY)}: {heavy} (bound: none)"
        print(f"{label:<16} median {figure['seconds'] * 1000:7.1f} ms   {figure['ratio']:5.1f} x python -c pass{extra}")
    if any(figure.get("heavy") for figure in figures.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
