"""License-usage notification thresholds (R17) and the seat-exhaustion forecast.

Triggers: 50% Info, 70% and 80% Warn, 90% and 100% Alert. A trigger is raised when usage first reaches it and
not again while its notification is open; all of an app's usage notifications clear when usage drops below 50%.
Between 50% and a higher open trigger, open notifications stay open (the admin guide clears only below 50%).
An asset with no seats (total 0) has no percentage and raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    INFO = "info"
    WARN = "warn"
    ALERT = "alert"


TRIGGERS: tuple[tuple[int, Level], ...] = (
    (50, Level.INFO),
    (70, Level.WARN),
    (80, Level.WARN),
    (90, Level.ALERT),
    (100, Level.ALERT),
)
CLEAR_BELOW = 50
SEVERITY_ORDER = {Level.INFO: 1, Level.WARN: 2, Level.ALERT: 3}


@dataclass(frozen=True)
class ThresholdChange:
    """What one evaluation does: triggers to raise and open triggers to clear."""

    raise_: tuple[int, ...] = ()
    clear: tuple[int, ...] = ()


def percent_used(assigned: int, total: int) -> float | None:
    """Percent of seats redeemed; None when the asset has no seats."""
    if total <= 0:
        return None
    return assigned * 100.0 / total


def level(percent: float) -> Level | None:
    """The level of the highest trigger reached, or None below 50%."""
    reached = [lvl for trigger, lvl in TRIGGERS if percent >= trigger]
    return reached[-1] if reached else None


def trigger_level(trigger: int) -> Level:
    return dict(TRIGGERS)[trigger]


def evaluate(percent: float | None, open_triggers: frozenset[int]) -> ThresholdChange:
    """Raise every trigger reached that is not open; clear every open one when usage is below 50%."""
    if percent is None or percent < CLEAR_BELOW:
        return ThresholdChange(clear=tuple(sorted(open_triggers)))
    to_raise = tuple(trigger for trigger, _ in TRIGGERS if percent >= trigger and trigger not in open_triggers)
    return ThresholdChange(raise_=to_raise)


def forecast_days(available: int, assignments_in_window: int, *, window_days: int = 30) -> float | None:
    """Days until the free seats run out at the window's assignment rate; None when nothing was assigned."""
    if assignments_in_window <= 0 or window_days <= 0:
        return None
    rate_per_day = assignments_in_window / window_days
    return max(available, 0) / rate_per_day
