"""What the benchmarks share: a generated sandbox world served over loopback with injected latency, and abctl's
CLI run in-process against it.

By default the sandbox runs in a child process, as Apple's servers are not in abctl's process: in one process the
server's JSON work takes turns with abctl's under one interpreter lock (`in_process=True` measures that too).
For the same reason the child runs at a higher scheduling priority where the system allows it (SANDBOX_NICE):
Apple's servers do not wait for abctl's CPU, but on a two-core machine a sandbox at equal priority answers late
whenever abctl keeps both cores busy (measured: handler wake-ups up to 57 ms late), which abctl would then be
charged for. `Rig.priority` says which it got, and the benchmarks print it.
The child adds one endpoint of its own, POST /bench/churn, that changes assignments the way another MDM would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SERIAL_BASE = 2_000_000_000  # abctl.sandbox.seeds.generate names its apps from here
SANDBOX_NICE = -5  # the sandbox child's niceness (abctl's stays 0); raising a priority needs the privilege to


@dataclass(frozen=True)
class World:
    """What to generate: `accounts` locations with `assets` apps and `assignments` device licenses each."""

    accounts: int = 1
    assets: int = 1
    assignments: int = 0
    seats: int | None = None  # seats per app (default: what generate gives, twice the assignments per app)
    latency_ms: float = 50.0
    rate_scope: str = "location"  # or "organization": the sandbox's --rate-scope


@dataclass
class Rig:
    """A running sandbox and an abctl home pointed at it."""

    url: str
    home: Path
    tokens: dict[str, Path]
    world: World
    priority: str = "in this process"  # the sandbox's scheduling priority, as the benchmarks print it
    _runner: Any = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return f"{self.url}/mdm/v2/"

    def admin(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET (no body) or POST an admin endpoint (/sandbox/... or /bench/...) and return its JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/{path}", data=data, method="GET" if data is None else "POST")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as answer:
            result: dict[str, Any] = json.loads(answer.read())
        return result

    def reset_stats(self) -> None:
        """Zero the request counters, after Apple's one-second window has emptied (as between two cron runs: a new
        abctl process cannot know what the previous one sent in its last second)."""
        time.sleep(1.0)
        self.admin("sandbox/reset-stats", {})

    def stats(self) -> dict[str, Any]:
        return self.admin("sandbox/stats")

    def requests_per_location(self) -> dict[str, dict[str, int]]:
        """Requests Apple counted since the last reset, per location and endpoint ("GET assignments" ...)."""
        requests: dict[str, dict[str, int]] = self.stats()["requests"]
        return requests

    def abctl(self, *args: str, expect: int = 0) -> str:
        """Run `abctl ARGS` in this process against the sandbox; returns its output."""
        from typer.testing import CliRunner

        from abctl.cli.app import app

        if self._runner is None:
            self._runner = CliRunner()
        env = {"ABCTL_HOME": str(self.home), "ABCTL_API_URL": self.api_url, "NO_COLOR": "1", "COLUMNS": "200"}
        result = self._runner.invoke(app, list(args), env=env)
        assert result.exit_code == expect, f"abctl {' '.join(args)} -> {result.exit_code}\n{result.output}"
        output: str = result.output
        return output

    def env(self) -> dict[str, str]:
        return {"ABCTL_HOME": str(self.home), "ABCTL_API_URL": self.api_url, "NO_COLOR": "1", "COLUMNS": "200"}

    def abctl_process(self, *args: str) -> tuple[float, int]:
        """Run `abctl ARGS` as a fresh process against the sandbox: (seconds, peak RSS in bytes)."""
        return fresh_process([sys.executable, "-m", "abctl", *args], env=os.environ | self.env())

    def abctl_measured(self, *args: str) -> Measured:
        """Run `abctl ARGS` as a fresh process against the sandbox: wall and CPU seconds, peak RSS."""
        return measure_process([sys.executable, "-m", "abctl", *args], env=os.environ | self.env())

    def add_tokens(self) -> None:
        """`abctl tokens add` for every location (each add reads its account once, fully)."""
        for name, path in self.tokens.items():
            self.abctl("tokens", "add", name, "--file", str(path))


def fresh_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command to its end: (wall seconds, peak resident memory in bytes)."""
    measured = measure_process(argv, env)
    return measured.seconds, measured.peak_rss


@dataclass(frozen=True)
class Measured:
    """What one child process cost: wall seconds, CPU seconds (user + system) and peak resident bytes."""

    seconds: float
    cpu_seconds: float
    peak_rss: int


# Runs the command as its own child and reports that child's cost. The kernel counts in a process's peak RSS the
# memory it had before exec, and a process started from the benchmark (fork or vfork) had the benchmark's, which
# may be gigabytes after an in-process run; a child of this small launcher starts from the launcher's ~10 MiB.
_LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    json.dump([seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024], report)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def measure_process(argv: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command to its end and return its wall time, its own CPU time (user + system) and its peak RSS, from
    the kernel's accounting (os.wait4, Linux reports KiB), through _LAUNCHER."""
    with tempfile.TemporaryDirectory() as folder:
        report, errors_path = Path(folder) / "report.json", Path(folder) / "errors"
        with errors_path.open("wb") as errors:  # a file, not a pipe: a chatty child cannot block on it
            code = subprocess.call([sys.executable, "-c", _LAUNCHER, str(report), *argv], env=env,
                                   stdout=subprocess.DEVNULL, stderr=errors)  # fmt: skip
        assert code == 0, f"{' '.join(argv)} -> {code}\n{errors_path.read_text()}"
        seconds, cpu, peak = json.loads(report.read_text())
    return Measured(seconds, cpu, peak)


@contextmanager
def sandbox(world: World, *, in_process: bool = False, higher_priority: bool = True) -> Iterator[Rig]:
    """Generate `world`, serve it on 127.0.0.1, and yield a Rig with a fresh abctl home (`higher_priority`: the
    child's, where allowed)."""
    with tempfile.TemporaryDirectory(prefix="abctl-bench-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        config = {"world": world.__dict__, "tokens": folder}
        if in_process:
            with _serve(config) as (url, tokens):
                yield Rig(url, home, tokens, world)
            return
        child = subprocess.Popen(
            [sys.executable, __file__, json.dumps(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None and child.stdin is not None
            line = child.stdout.readline()
            if not line:
                raise RuntimeError("the sandbox child process did not start")
            ready = json.loads(line)
            priority = _raise_priority(child.pid) if higher_priority else "in a child process at abctl's priority"
            yield Rig(ready["url"], home, {k: Path(v) for k, v in ready["tokens"].items()}, world, priority=priority)
        finally:
            if child.stdin:
                child.stdin.close()  # the child serves until its stdin closes
            child.wait(timeout=30)
            if child.stdout:
                child.stdout.close()


def _raise_priority(pid: int) -> str:
    """Give the sandbox child SANDBOX_NICE, if allowed; say what it runs at."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, SANDBOX_NICE)
    except (PermissionError, AttributeError):  # not privileged, or not a Unix
        return "in a child process at abctl's priority (raising it was not allowed)"
    return f"in a child process at nice {SANDBOX_NICE}"


@contextmanager
def _serve(config: dict[str, Any]) -> Iterator[tuple[str, dict[str, Path]]]:
    from abctl.sandbox.app import SandboxApp
    from abctl.sandbox.faults import FaultSpec
    from abctl.sandbox.ratelimit import RequestCounter
    from abctl.sandbox.seeds import generate
    from abctl.sandbox.server import serve

    world = World(**config["world"])
    seed = generate(locations=world.accounts, assets=world.assets, assignments_per_location=world.assignments,
                    now=datetime.now(UTC))  # fmt: skip
    if world.seats is not None:
        for location in seed.state.locations.values():
            for asset in location.assets.values():
                asset.total = world.seats
    tokens = {}
    for token in seed.tokens:
        path = Path(config["tokens"]) / f"{token.name}.vpptoken"
        path.write_text(token.text)
        tokens[token.name] = path
    seed.state.counter = RequestCounter(scope=world.rate_scope)
    app = SandboxApp(seed.state, faults=FaultSpec.parse(f"latency={world.latency_ms}"))

    def with_churn(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != "/bench/churn":
            return app(environ, start_response)
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        for adam_id, serial in body.get("remove", []):
            seed.state.external_unassign(body["location"], adam_id, "serialNumber", serial)
        for adam_id, serial in body.get("add", []):
            seed.state.external_assign(body["location"], adam_id, "serialNumber", serial)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    with serve(with_churn, clock=seed.state.clock) as running:
        yield running.url, tokens


def _child(argument: str) -> None:
    with _serve(json.loads(argument)) as (url, tokens):
        sys.stdout.write(json.dumps({"url": url, "tokens": {k: str(v) for k, v in tokens.items()}}) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    _child(sys.argv[1])
