"""Timing shared by the benchmarks that measure a call against an "under N seconds" bound."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def samples(repeat: int, call: Callable[[], object]) -> list[float]:
    """Run `call` once to warm caches, then `repeat` times (at least once): the seconds each timed call took."""
    call()
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def timed(label: str, repeat: int, call: Callable[[], object], *, bound_seconds: float = 1.0,
          quiet: bool = False) -> float:  # fmt: skip
    """Run `call` once to warm caches, then `repeat` times; print the median, the best and the ratio to the
    bound (unless `quiet`) and return the median."""
    times = samples(repeat, call)
    median = statistics.median(times)
    if not quiet:
        print(
            f"{label:<52} median {median * 1000:8.1f} ms  best {min(times) * 1000:8.1f} ms"
            f"  = {median / bound_seconds:.3f} x the {bound_seconds:g} s bound"
        )
    return median
