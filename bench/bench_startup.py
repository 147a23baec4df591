"""Benchmark: abctl at the prompt, side by side with its peers (issue 19.4, design.md section 6).

Bounds: `abctl --version` under 4x `python -c pass`; `abctl --help` and `abctl tokens --help` at or below 1.0x
`sqlite-utils --help`; `abctl spaces list` and `abctl tokens list` on a small database at or below 1.0x
`sqlite-utils tables` on the same file. Every command runs in a fresh process; the commands of one comparison
take turns (abctl, peer, abctl, peer...) so that the machine's load weighs on both alike, and the median is kept.
The CPU time (user + system) of each run is measured too; its ratio is printed beside the wall-clock one, as
the machine's other load changes it least.
Also printed: how many modules each abctl command loads, and which of httpx, sqlite_utils, pydantic.

Every module is loaded from cached bytecode, as after `pip install` (which compiles each package it installs):
the commands run with their own bytecode cache (PYTHONPYCACHEPREFIX in the run's temporary folder), written in
the warm-up round, for abctl and its peers alike. Without it, an environment with PYTHONDONTWRITEBYTECODE set
compiles abctl (an editable install, never compiled by pip) from source at every start, while the peers load the
bytecode pip wrote: `--as-env` measures that way, with the environment as it is.

    python bench/bench_startup.py [--repeat N] [--as-env]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HEAVY = ("httpx", "sqlite_utils", "pydantic")
PROBE = """
import io, json, sys
from contextlib import redirect_stdout
sys.argv = ["abctl", *{args!r}]
from abctl.__main__ import main
with redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
sys.stderr.write(json.dumps([len(sys.modules), sorted(m for m in {heavy!r} if m in sys.modules)]))
"""


def script(name: str) -> str:
    """An installed console script next to this interpreter."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return str(path)


def small_database(folder: Path) -> Path:
    """A database with the demo's three accounts in two spaces, added through the CLI from the sandbox."""
    from typer.testing import CliRunner

    from abctl.apple.transport import in_process_transport
    from abctl.cli.app import app
    from abctl.cli.context import Overrides
    from abctl.sandbox.app import SandboxApp
    from abctl.sandbox.seeds import demo

    world = demo(now=datetime.now(UTC))
    world.state.max_request_per_second = 100_000
    overrides = Overrides(transport=in_process_transport(SandboxApp(world.state)), sleep=lambda seconds: None)
    db = folder / "abctl.db"
    base = ["--db", str(db), "--api-url", "http://sandbox.bench/mdm/v2/"]
    runner = CliRunner()
    runner.invoke(app, [*base, "spaces", "add", "lab"], obj=overrides)
    for token in world.tokens:
        path = folder / f"{token.name}.vpptoken"
        path.write_text(token.text)
        result = runner.invoke(
            app, [*base, "tokens", "add", token.name, "--space", token.space, "--file", str(path)], obj=overrides
        )
        assert result.exit_code == 0, result.output
    return db


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of one run, and the CPU seconds (user + system) the process used."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime


def side_by_side(commands: dict[str, list[str]], repeat: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command, the commands taking turns (after one warm-up round for the file
    cache and the bytecode). CPU time is what the machine's other load changes least."""
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for round_ in range(repeat + 1):
        for label, command in commands.items():
            measured = timed(command, env)
            if round_:
                times[label].append(measured)
    return {
        label: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for label, values in times.items()
    }


def imported(args: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """How many modules `abctl ARGS` loads, and which of the heavy ones."""
    completed = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                               text=True, timeout=60, check=True, env=env)  # fmt: skip
    count, heavy = json.loads(completed.stderr.strip().splitlines()[-1])
    return int(count), list(heavy)


# (abctl arguments, peer label, bound on the ratio)
COMPARISONS: list[tuple[list[str], str, float]] = [
    (["--version"], "python -c pass", 4.0),
    (["--help"], "sqlite-utils --help", 1.0),
    (["tokens", "--help"], "sqlite-utils --help", 1.0),
    (["spaces", "list"], "sqlite-utils tables DB", 1.0),
    (["tokens", "list"], "sqlite-utils tables DB", 1.0),
]


def run(repeat: int, *, bytecode: bool = True) -> dict[str, dict[str, Any]]:
    """Every figure: abctl's and its peer's median seconds, their ratio, the bound, modules loaded. `bytecode`:
    every command loads cached bytecode (see the module's help); False: the environment decides."""
    with tempfile.TemporaryDirectory(prefix="abctl-bench-startup-") as folder:
        db = small_database(Path(folder))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ABCTL_")}
        env.update(ABCTL_DB=str(db), NO_COLOR="1", COLUMNS="120")
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        abctl, sqlite_utils = script("abctl"), script("sqlite-utils")
        peers = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "sqlite-utils --help": [sqlite_utils, "--help"],
            "sqlite-utils tables DB": [sqlite_utils, "tables", str(db)],
        }
        commands = {"abctl " + " ".join(args): [abctl, *args] for args, _, _ in COMPARISONS}
        medians = side_by_side({**peers, **commands}, repeat, env)
        figures: dict[str, dict[str, Any]] = {}
        for args, peer, bound in COMPARISONS:
            label = "abctl " + " ".join(args)
            modules, heavy = imported(args, env)
            (wall, cpu), (peer_wall, peer_cpu) = medians[label], medians[peer]
            figures[label] = {
                "seconds": wall, "peer": peer, "peer_seconds": peer_wall, "ratio": wall / peer_wall,
                "cpu_seconds": cpu, "peer_cpu_seconds": peer_cpu, "cpu_ratio": cpu / peer_cpu,
                "bound": bound, "modules": modules, "heavy": heavy,
            }  # fmt: skip
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--as-env", action="store_true", help="bytecode as the environment has it (no cache)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = run(args.repeat, bytecode=not args.as_env)
    cache = "as the environment has it" if args.as_env else "cached for every command"
    print(f"bytecode {cache}; load average (1 min) {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    for label, f in figures.items():
        verdict = "met" if f["ratio"] <= f["bound"] else "NOT MET"
        heavy = ", ".join(f["heavy"]) or "none"
        print(f"{label:<18} {f['seconds'] * 1000:6.1f} ms  {f['ratio']:4.2f} x {f['peer']:<22} "
              f"({f['peer_seconds'] * 1000:6.1f} ms; bound {f['bound']:.1f}x: {verdict}; CPU {f['cpu_ratio']:4.2f} x)  "
              f"{f['modules']} modules; of {', '.join(HEAVY)}: {heavy}")  # fmt: skip


if __name__ == "__main__":
    main()
