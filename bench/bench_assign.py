"""Benchmark: `abctl assign` to many devices uses the fewest Apple calls, and its local work stays under 1 s.

Ceiling formula (design.md section 6): associate calls = ceil(apps / maxAssets) x ceil(devices / maxSerialNumbers)
per account, with the sandbox's (Apple's) limits of 25 assets and 1,000 serial numbers per call. Two runs on one
account over loopback with injected latency: one app to 20,000 devices, then 30 apps to 1,000 other devices
(30,000 licenses: issue 19.5 bounds its local work at 1 s). Apple calls are counted by the sandbox
(/sandbox/stats); wall time is `abctl assign` in-process, planning and waiting for Apple's events included.

Local work, measured: wall time minus the time spent waiting for Apple. abctl runs with an HTTP transport that
clocks every request from send to the last byte of the answer and a sleep that clocks every wait (for the rate
limit, a retry, or the next poll of Apple's event); the waits are the union of those intervals (overlapping
requests count once). The sandbox runs in a child process, so its work is not abctl's. The CPU time of this
process over the run is printed beside it (it leaves out the waits for the disk, which local work includes).

    python bench/bench_assign.py                                  # 20,000 devices; 30 apps x 1,000 devices
    python bench/bench_assign.py --devices 2500 --multi-devices 100   # toy size
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from _rig import SERIAL_BASE, Rig, World, sandbox

MAX_ASSETS = 25
MAX_SERIALS = 1_000
LOCAL_BOUND = 1.0  # seconds of local work for 30 apps x 1,000 devices


def ceiling(apps: int, devices: int) -> int:
    """The fewest associate calls Apple allows for `apps` x `devices` on one account."""
    return -(-apps // MAX_ASSETS) * -(-devices // MAX_SERIALS)


class Waits:
    """The time abctl spends waiting for Apple: the union of its requests in flight and its sleeps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._since = 0.0
        self.seconds = 0.0

    @contextmanager
    def waiting(self) -> Iterator[None]:
        with self._lock:
            if self._open == 0:
                self._since = time.perf_counter()
            self._open += 1
        try:
            yield
        finally:
            with self._lock:
                self._open -= 1
                if self._open == 0:
                    self.seconds += time.perf_counter() - self._since

    def sleep(self, seconds: float) -> None:
        with self.waiting():
            time.sleep(seconds)


class ClockedTransport(httpx.BaseTransport):
    """The real HTTP transport, each request clocked as a wait until its whole answer has arrived."""

    def __init__(self, waits: Waits) -> None:
        self._inner = httpx.HTTPTransport()
        self._waits = waits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._waits.waiting():
            response = self._inner.handle_request(request)
            response.read()
        return response

    def close(self) -> None:
        self._inner.close()


def clocked_abctl(rig: Rig, *args: str) -> tuple[str, Waits]:
    """`abctl ARGS` in this process against the sandbox, its waits for Apple clocked."""
    from typer.testing import CliRunner

    from abctl.cli.app import app
    from abctl.cli.context import Overrides

    waits = Waits()
    overrides = Overrides(transport=ClockedTransport(waits), sleep=waits.sleep)
    result = CliRunner().invoke(app, list(args), env=rig.env(), obj=overrides)
    assert result.exit_code == 0, f"abctl {' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.output, waits


def timed_assign(rig: Rig, apps: list[str], serials: range) -> dict[str, Any]:
    """`abctl assign APPS --from FILE` for devices D{n}: seconds (wall, waiting for Apple, local, CPU), associate
    calls, all Apple calls, and the table it printed."""
    targets = rig.home / f"targets-{serials.start}.txt"
    targets.write_text("".join(f"device:D{n:07d}\n" for n in serials))
    rig.reset_stats()
    started, cpu = time.perf_counter(), time.process_time()
    output, waits = clocked_abctl(rig, "assign", *apps, "--from", str(targets))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    (counts,) = rig.requests_per_location().values()
    licenses = rig.stats()["locations"]["bench1"]["assignments"]
    return {"seconds": seconds, "apple_wait": waits.seconds, "local": seconds - waits.seconds, "cpu": cpu_seconds,
            "associate": counts.get("POST assets/associate", 0), "apple_calls": sum(counts.values()),
            "ceiling": ceiling(len(apps), len(serials)), "licenses_on_apple": licenses, "output": output}  # fmt: skip


def run(devices: int, multi_apps: int, multi_devices: int, latency_ms: float) -> dict[str, Any]:
    """Both runs' figures (the toy-size test checks them)."""
    world = World(accounts=1, assets=max(multi_apps, 1), assignments=0, seats=devices + multi_devices,
                  latency_ms=latency_ms)  # fmt: skip
    with sandbox(world) as rig:
        rig.add_tokens()
        csv = Path(rig.home) / "devices.csv"
        csv.write_text("serial,platform\n" + "".join(f"D{n:07d},ios\n" for n in range(devices + multi_devices)))
        rig.abctl("devices", "import", str(csv))
        apps = [str(SERIAL_BASE + n) for n in range(multi_apps)]
        one = timed_assign(rig, apps[:1], range(devices))
        many = timed_assign(rig, apps, range(devices, devices + multi_devices))
        priority = rig.priority
    return {"one_app": one, "many_apps": many, "sandbox": priority}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--multi-apps", type=int, default=30)
    parser.add_argument("--multi-devices", type=int, default=1_000)
    parser.add_argument("--latency", type=float, default=50.0)
    args = parser.parse_args()
    figures = run(args.devices, args.multi_apps, args.multi_devices, args.latency)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; one account, "
          f"{args.latency:g} ms latency, sandbox {figures['sandbox']}")  # fmt: skip
    runs = [("one_app", f"1 app x {args.devices:,} devices"),
            ("many_apps", f"{args.multi_apps} apps x {args.multi_devices:,} devices")]  # fmt: skip
    for key, label in runs:
        figure = figures[key]
        print(f"{label:<26} associate calls {figure['associate']:4.0f}   ceiling {figure['ceiling']:4.0f}   "
              f"ratio {figure['ceiling'] / max(figure['associate'], 1):.2f}   |   wall {figure['seconds']:.2f} s, "
              f"{figure['apple_calls']:.0f} Apple calls in all, "
              f"{figure['licenses_on_apple']:,.0f} licenses on Apple")  # fmt: skip
        bound = "" if key == "one_app" else f" = {figure['local'] / LOCAL_BOUND:.2f} x the 1 s bound"
        print(f"{'':<26} local work {figure['local']:.2f} s (wall - {figure['apple_wait']:.2f} s waiting for Apple)"
              f"{bound}; CPU {figure['cpu']:.2f} s")  # fmt: skip
    print(f"what the 30-app run printed:\n{figures['many_apps']['output']}", end="")


if __name__ == "__main__":
    main()
