"""Benchmark: `abctl devices import` of 10,000 devices from CSV must take under 1 s (design.md section 6).

Times three imports of the same size into one database: all new, all unchanged (a nightly re-import), and with
a tenth of the rows changed (new owners). Each is timed in-process (the CLI without interpreter start-up) and once
as a fresh `abctl` process (what a user waits for). Prints each figure and its ratio to the bound.

    python bench/bench_import.py [--devices N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from _rig import fresh_process
from abctl.cli.app import app

BOUND_SECONDS = 1.0
PLATFORMS = ("ios", "ipados", "macos")


def write_csv(path: Path, devices: int, *, changed: bool = False) -> None:
    """`devices` rows, even ones owned by a user; with `changed`, every tenth row (n % 10 == 1) gains an owner."""
    lines = ["serial,platform,owner,space,shared_ipad"]
    for n in range(devices):
        owned = n % 2 == 0 or (changed and n % 10 == 1)
        lines.append(f"SN{n:07d},{PLATFORMS[n % 3]},{f'user{n % 100:03d}' if owned else ''},,")
    path.write_text("\n".join(lines) + "\n")


def run(devices: int, *, subprocess_run: bool = True) -> dict[str, float | str]:
    """Every figure: seconds per import and the CLI's summary line of each; with `subprocess_run`, the fresh
    process's seconds and peak RSS (bytes)."""
    figures: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory(prefix="abctl-bench-") as folder:
        env = {"ABCTL_HOME": folder, "NO_COLOR": "1", "COLUMNS": "200"}
        runner = CliRunner()

        def abctl(*args: str) -> tuple[float, str]:
            started = time.perf_counter()
            result = runner.invoke(app, list(args), env=env)
            elapsed = time.perf_counter() - started
            assert result.exit_code == 0, result.output
            return elapsed, result.output.strip().splitlines()[-1]

        users = Path(folder) / "users.csv"
        users.write_text("client_user_id\n" + "".join(f"user{n:03d}\n" for n in range(100)))
        abctl("users", "import", str(users))
        csv, changed = Path(folder) / "devices.csv", Path(folder) / "changed.csv"
        write_csv(csv, devices)
        write_csv(changed, devices, changed=True)
        figures["new_seconds"], figures["new_summary"] = abctl("devices", "import", str(csv))
        figures["unchanged_seconds"], figures["unchanged_summary"] = abctl("devices", "import", str(csv))
        figures["changed_seconds"], figures["changed_summary"] = abctl("devices", "import", str(changed))
        if subprocess_run:
            script = Path(sys.executable).with_name("abctl")
            command = [str(script)] if script.exists() else [sys.executable, "-m", "abctl"]
            seconds, peak = fresh_process([*command, "devices", "import", str(csv)], env={**env, "PATH": ""})
            figures["process_seconds"], figures["process_peak_rss"] = seconds, peak
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    args = parser.parse_args()
    figures = run(args.devices)
    rows = [("all new (in-process)", "new"), ("all unchanged (in-process)", "unchanged"),
            ("a tenth changed (in-process)", "changed")]  # fmt: skip
    for label, key in rows:
        seconds = float(figures[f"{key}_seconds"])
        print(f"{label:<40} {seconds * 1000:8.1f} ms  = {seconds / BOUND_SECONDS:.3f} x the 1 s bound"
              f"   [{figures[f'{key}_summary']}]")  # fmt: skip
    seconds = float(figures["process_seconds"])
    print(f"{'back to the first file (fresh process)':<40} {seconds * 1000:8.1f} ms  = "
          f"{seconds / BOUND_SECONDS:.3f} x the 1 s bound (start-up included), peak RSS "
          f"{float(figures['process_peak_rss']) / 2**20:.0f} MiB")  # fmt: skip
    worst = max(float(figures[f"{key}_seconds"]) for _, key in rows)
    if worst >= BOUND_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
