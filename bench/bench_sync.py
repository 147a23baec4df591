"""Benchmark: full and incremental sync against the sandbox over loopback HTTP, compared with Apple's bound and
with a peer-style walker over the same data.

Bound for a full sync of one token: max(pages / maxRequestPerSecond, pages / 5 x latency) seconds (15 requests per
second, 5 pages in flight), where pages counts every page Apple serves the sync (assets, assignments, users): all
of them are requests within the same 15 per second. Tokens sync in parallel, so N tokens have the same bound.
The sandbox counts each request when it arrives (sandbox/ratelimit.py), so any 9646 is a real overshoot.

The walker reads as Zentral's client does (peers.md): the assets page by page, then each asset's assignments
(`adamId` filter) page by page, one request at a time, each token on its own thread, waiting out a 9646.

Incremental sync is measured with no change on Apple's side, then with 1% of each account's assignments changed
by another MDM (half of it an app revoked from some devices, half an app given to new devices), then with 10%
removed spread over every app (each app's re-read would cost more pages than one full read: abctl reads fully).

    python bench/bench_sync.py                      # 3 accounts x 100,000 assignments, 50 ms latency
    python bench/bench_sync.py --latency 300        # the same at 300 ms
    python bench/bench_sync.py --assignments 2500   # toy size (what the test suite runs)
    python bench/bench_sync.py --in-process         # the sandbox in abctl's own process (shares its GIL)
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from typing import Any

import httpx

from _rig import SERIAL_BASE, Rig, World, sandbox

PAGE = 1_000  # assignments per page (the sandbox, as Apple)


def per_token(rig: Rig) -> list[int]:
    return [sum(counts.values()) for counts in rig.requests_per_location().values()]


def pages(records: int) -> int:
    return max(1, -(-records // PAGE))


def churn(rig: Rig, changes: int) -> tuple[int, int]:
    """Another MDM changes `changes` assignments per account: app 0 revoked from some of its devices, app 1
    given to as many new ones. Returns (removed, added) per account."""
    world = rig.world
    removed = min(changes // 2, -(-world.assignments // world.assets))
    added = changes - removed
    for index, name in enumerate(rig.tokens):
        remove = [[str(SERIAL_BASE), f"SN{index}-{n:07d}"] for n in range(0, removed * world.assets, world.assets)]
        add = [[str(SERIAL_BASE + 1 % world.assets), f"NEW{index}-{n:07d}"] for n in range(added)]
        rig.admin("bench/churn", {"location": name, "remove": remove, "add": add})
    return removed, added


def spread_removal(rig: Rig, percent: int) -> int:
    """Another MDM revokes `percent`% of every app's licenses but app 0's (device n holds app n mod assets; every
    tenth device of each app goes). Returns the licenses removed per account."""
    world = rig.world
    step = round(100 / percent)
    chosen = [n for n in range(world.assignments) if (n // world.assets) % step == 0 and n % world.assets]
    for index, name in enumerate(rig.tokens):
        remove = [[str(SERIAL_BASE + n % world.assets), f"SN{index}-{n:07d}"] for n in chosen]
        for start in range(0, len(remove), 20_000):
            rig.admin("bench/churn", {"location": name, "remove": remove[start : start + 20_000], "add": []})
    return len(chosen)


def heal_costs(rig: Rig, changed: set[str]) -> tuple[int, int]:
    """Pages of one full read of the first token's assignments, and of re-reading each app in `changed` alone,
    from the counts Apple reports."""
    token = next(iter(rig.tokens.values())).read_text().strip()
    with httpx.Client(base_url=rig.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        assets = http.get("assets").json()["assets"]
    counts = {asset["adamId"]: int(asset["assignedCount"]) for asset in assets}
    return pages(sum(counts.values())), sum(pages(counts[adam_id]) for adam_id in changed)


def walk(rig: Rig) -> dict[str, float]:
    """The peer-style walker over every token at once (one thread per token, one request at a time)."""
    counts: dict[str, int] = {}

    def get(http: httpx.Client, path: str, params: dict[str, str]) -> dict[str, Any]:
        while True:
            answer = http.get(path, params=params)
            body: dict[str, Any] = answer.json()
            if body.get("errorNumber") == 9646:
                time.sleep(float(answer.headers.get("Retry-After") or 1))
                continue
            answer.raise_for_status()
            return body

    def pages_of(http: httpx.Client, path: str, key: str, **params: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        index: int | None = 0
        while index is not None:
            body = get(http, path, {**params, **({"pageIndex": str(index)} if index else {})})
            items += body.get(key) or []
            index = body.get("nextPageIndex")
        return items

    def one(name: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=rig.api_url, headers=headers, timeout=60) as http:
            assignments = 0
            for asset in pages_of(http, "assets", "assets"):
                listed = pages_of(http, "assignments", "assignments", adamId=asset["adamId"])
                assignments += sum(1 for a in listed if a.get("pricingParam") == asset["pricingParam"])
            counts[name] = assignments

    rig.reset_stats()
    started = time.perf_counter()
    threads = [threading.Thread(target=one, args=(n, p.read_text().strip())) for n, p in rig.tokens.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    assert all(count == rig.world.assignments for count in counts.values()), counts
    return {"seconds": seconds, "requests": max(per_token(rig)), "throttled": float(rig.stats()["throttled"])}


def run(accounts: int, assignments: int, latency_ms: float, assets: int, *, in_process: bool = False,
        change_percent: float = 1.0, repeat: int = 1, walker: bool = True,
        higher_priority: bool = True) -> dict[str, Any]:  # fmt: skip
    """Every figure of this benchmark, as a dict (the toy-size test checks them)."""
    world = World(accounts=accounts, assets=assets, assignments=assignments, latency_ms=latency_ms)
    figures: dict[str, Any] = {}
    with sandbox(world, in_process=in_process, higher_priority=higher_priority) as rig:
        figures["sandbox"] = rig.priority
        rig.add_tokens()
        runs = []
        throttled = 0.0
        for _ in range(repeat):
            rig.reset_stats()
            started = time.perf_counter()
            rig.abctl("sync", "--full")
            runs.append((time.perf_counter() - started, max(per_token(rig))))
            throttled += float(rig.stats()["throttled"])
        full_seconds, requests = sorted(runs)[len(runs) // 2]  # the median run
        rig.reset_stats()
        process_seconds, peak_rss = rig.abctl_process("sync", "--full")
        throttled += float(rig.stats()["throttled"])
        figures |= {"process_seconds": process_seconds, "peak_rss": peak_rss}
        if walker:
            peer = walk(rig)
            figures |= {"walker_seconds": peer["seconds"], "walker_requests": peer["requests"],
                        "walker_9646": peer["throttled"], "speedup": peer["seconds"] / full_seconds}  # fmt: skip
        rig.reset_stats()
        rig.abctl("sync")
        idle = max(per_token(rig))
        throttled += float(rig.stats()["throttled"])
        removed, added = churn(rig, round(assignments * change_percent / 100))
        rig.reset_stats()
        started = time.perf_counter()
        rig.abctl("sync")
        changed_seconds = time.perf_counter() - started
        changed = max(per_token(rig))
        throttled += float(rig.stats()["throttled"])
        spread = spread_removal(rig, 10)
        full_read, per_app_reads = heal_costs(rig, {str(SERIAL_BASE + n) for n in range(1, assets)})
        rig.reset_stats()
        started = time.perf_counter()
        rig.abctl("sync")
        spread_seconds = time.perf_counter() - started
        spread_requests = max(per_token(rig))
        throttled += float(rig.stats()["throttled"])
    per_app = -(-assignments // assets)
    # assets + assignment delta pages + users, and the revoked app's assignments re-read (deltas carry no removals)
    changed_minimum = 1 + pages(added) + 1 + (pages(per_app - removed) if removed else 0)
    return figures | {
        "full_seconds": full_seconds,
        "full_runs": len(runs),
        "bound_seconds": max(requests / 15, requests / 5 * latency_ms / 1000),
        "requests_per_token": requests,
        "rate_per_token": requests / full_seconds,
        "throttled_9646": throttled,
        "incremental_requests_per_token": idle,
        "changed_requests_per_token": changed,
        "changed_minimum": changed_minimum,
        "changed_seconds": changed_seconds,
        "removed": removed,
        "added": added,
        "spread_removed": spread,
        "spread_requests_per_token": spread_requests,
        "spread_full_read": full_read,
        "spread_per_app_reads": per_app_reads,
        "spread_minimum": 3 + min(full_read, per_app_reads),  # assets, empty delta, users + the cheaper heal
        "spread_seconds": spread_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--assets", type=int, default=200)
    parser.add_argument("--latency", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3, help="full syncs to run; the median one is reported")
    parser.add_argument("--in-process", action="store_true", help="serve the sandbox from this process")
    parser.add_argument("--no-walker", action="store_true", help="skip the peer-style walker")
    parser.add_argument(
        "--same-priority",
        action="store_true",
        help="run the sandbox child at abctl's scheduling priority (by default it gets a higher one)",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = run(args.accounts, args.assignments, args.latency, args.assets, in_process=args.in_process,
                  repeat=args.repeat, walker=not args.no_walker, higher_priority=not args.same_priority)  # fmt: skip
    where = figures["sandbox"]
    print(f"machine: {os.cpu_count()} cores, load {load:.1f} -> {os.getloadavg()[0]:.1f}; {args.accounts} accounts"
          f" x {args.assignments:,} assignments, {args.latency:g} ms latency, sandbox {where}")  # fmt: skip
    print(f"full sync wall time      {figures['full_seconds']:8.2f} s   bound {figures['bound_seconds']:.2f} s   "
          f"ratio {figures['bound_seconds'] / figures['full_seconds']:.2f}   (median of {args.repeat})")  # fmt: skip
    rate = figures["rate_per_token"]
    print(f"requests per second      {rate:8.2f}     bound 15     ratio {rate / 15:.2f}"
          f"  ({figures['requests_per_token']:.0f} requests per token)")  # fmt: skip
    print(f"9646 answers             {figures['throttled_9646']:8.0f}     bound 0   (all runs)")
    print(f"the same as a fresh process {figures['process_seconds']:5.2f} s   peak RSS "
          f"{figures['peak_rss'] / 2**20:.0f} MiB   bound 200 MiB")  # fmt: skip
    if "speedup" in figures:
        print(
            f"one-page walker          {figures['walker_seconds']:8.2f} s   {figures['walker_requests']:.0f} "
            f"requests per token, {figures['walker_9646']:.0f} x 9646   abctl's speed-up {figures['speedup']:.1f}x"
        )
    print(f"incremental, no change   {figures['incremental_requests_per_token']:8.0f} requests per token   minimum 3 "
          "(assets, assignments, users)")  # fmt: skip
    print(
        f"incremental, 1% changed  {figures['changed_requests_per_token']:8.0f} requests per token   minimum "
        f"{figures['changed_minimum']:.0f} (assets, assignment delta, users, the revoked app re-read: "
        f"{figures['removed']:.0f} removed, {figures['added']:.0f} added)   {figures['changed_seconds']:.2f} s"
    )
    print(
        f"incremental, 10% removed {figures['spread_requests_per_token']:8.0f} requests per token   minimum "
        f"{figures['spread_minimum']:.0f} = 3 + min(full read {figures['spread_full_read']:.0f}, per-app re-reads "
        f"{figures['spread_per_app_reads']:.0f})   ({figures['spread_removed']:,.0f} removed across "
        f"{args.assets} apps)   {figures['spread_seconds']:.2f} s"
    )


if __name__ == "__main__":
    main()
