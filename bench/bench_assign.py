"""Benchmark: `abctl assign` to many devices uses the fewest Apple calls, and how long it takes.

Ceiling formula (design.md section 6): associate calls = ceil(apps / maxAssets) x ceil(devices / maxSerialNumbers)
per account, with the sandbox's (Apple's) limits of 25 assets and 1,000 serial numbers per call. Two runs on one
account over loopback with injected latency: one app to 20,000 devices, then 30 apps to 1,000 other devices.
Apple calls are counted by the sandbox (/sandbox/stats); wall time is `abctl assign` in-process, planning and
waiting for Apple's events included.

    python bench/bench_assign.py                                  # 20,000 devices; 30 apps x 1,000 devices
    python bench/bench_assign.py --devices 2500 --multi-devices 100   # toy size
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _rig import SERIAL_BASE, Rig, World, sandbox

MAX_ASSETS = 25
MAX_SERIALS = 1_000


def ceiling(apps: int, devices: int) -> int:
    """The fewest associate calls Apple allows for `apps` x `devices` on one account."""
    return -(-apps // MAX_ASSETS) * -(-devices // MAX_SERIALS)


def timed_assign(rig: Rig, apps: list[str], serials: range) -> dict[str, float]:
    """`abctl assign APPS --from FILE` for devices D{n}: seconds, associate calls, all Apple calls."""
    targets = rig.home / f"targets-{serials.start}.txt"
    targets.write_text("".join(f"device:D{n:07d}\n" for n in serials))
    rig.reset_stats()
    started = time.perf_counter()
    rig.abctl("assign", *apps, "--from", str(targets))
    seconds = time.perf_counter() - started
    (counts,) = rig.requests_per_location().values()
    licenses = rig.stats()["locations"]["bench1"]["assignments"]
    return {"seconds": seconds, "associate": counts.get("POST assets/associate", 0),
            "apple_calls": sum(counts.values()), "ceiling": ceiling(len(apps), len(serials)),
            "licenses_on_apple": licenses}  # fmt: skip


def run(devices: int, multi_apps: int, multi_devices: int, latency_ms: float) -> dict[str, dict[str, float]]:
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
    return {"one_app": one, "many_apps": many}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--multi-apps", type=int, default=30)
    parser.add_argument("--multi-devices", type=int, default=1_000)
    parser.add_argument("--latency", type=float, default=50.0)
    args = parser.parse_args()
    figures = run(args.devices, args.multi_apps, args.multi_devices, args.latency)
    print(f"machine: {os.cpu_count()} cores; one account, {args.latency:g} ms latency, sandbox in a child process")
    runs = [("one_app", f"1 app x {args.devices:,} devices"),
            ("many_apps", f"{args.multi_apps} apps x {args.multi_devices:,} devices")]  # fmt: skip
    for key, label in runs:
        figure = figures[key]
        print(f"{label:<26} associate calls {figure['associate']:4.0f}   ceiling {figure['ceiling']:4.0f}   "
              f"ratio {figure['ceiling'] / max(figure['associate'], 1):.2f}   |   wall {figure['seconds']:.2f} s, "
              f"{figure['apple_calls']:.0f} Apple calls in all, "
              f"{figure['licenses_on_apple']:,.0f} licenses on Apple")  # fmt: skip


if __name__ == "__main__":
    main()
