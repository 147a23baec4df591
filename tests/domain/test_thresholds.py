"""R17 thresholds at their exact edges, and the raise/clear sequence of the issue."""

import pytest

from abctl.domain.thresholds import Level, evaluate, forecast_days, level, percent_used


@pytest.mark.parametrize(
    "assigned,total,expected",
    [
        (49, 100, None),
        (50, 100, Level.INFO),
        (1, 2, Level.INFO),
        (69, 100, Level.INFO),
        (70, 100, Level.WARN),
        (79, 100, Level.WARN),
        (80, 100, Level.WARN),
        (89, 100, Level.WARN),
        (90, 100, Level.ALERT),
        (99, 100, Level.ALERT),
        (100, 100, Level.ALERT),
        (0, 0, None),
    ],
)
def test_levels_at_the_edges(assigned: int, total: int, expected: Level | None) -> None:
    percent = percent_used(assigned, total)
    assert (None if percent is None else level(percent)) == expected


def test_zero_seats_has_no_percentage_and_raises_nothing() -> None:
    assert percent_used(0, 0) is None
    assert evaluate(None, frozenset()).raise_ == ()


def test_raise_and_clear_sequence() -> None:
    open_: set[int] = set()
    steps = []
    for percent in (40, 55, 75, 95, 60, 45, 72):
        change = evaluate(percent, frozenset(open_))
        open_ |= set(change.raise_)
        open_ -= set(change.clear)
        steps.append((percent, change.raise_, change.clear))
    assert steps == [
        (40, (), ()),
        (55, (50,), ()),
        (75, (70,), ()),
        (95, (80, 90), ()),
        (60, (), ()),
        (45, (), (50, 70, 80, 90)),
        (72, (50, 70), ()),
    ]


def test_an_open_trigger_is_not_raised_again() -> None:
    assert evaluate(100, frozenset({50, 70, 80, 90, 100})).raise_ == ()
    assert evaluate(100, frozenset({50})).raise_ == (70, 80, 90, 100)


def test_forecast() -> None:
    assert forecast_days(30, 30, window_days=30) == 30.0
    assert forecast_days(10, 0) is None
    assert forecast_days(0, 5, window_days=30) == 0.0


def test_priorities_shift_without_gaps() -> None:
    from abctl.domain.priority import reprioritise
    from abctl.errors import InputError

    assert reprioritise(["a", "b", "c"], "c", 1) == {"c": 1, "a": 2, "b": 3}
    assert reprioritise(["a", "b", "c"], "a", 3) == {"b": 1, "c": 2, "a": 3}
    assert reprioritise(["a", "b"], "new", 3) == {"a": 1, "b": 2, "new": 3}
    with pytest.raises(InputError) as caught:
        reprioritise(["a", "b"], "a", 3)
    assert caught.value.hint == "priority must be between 1 and 2 in this space"
