"""`tokens move` rules as tables: what is left behind, and both spaces' priorities afterwards (R1)."""

import pytest

from abctl.domain.account_move import left_behind, priorities_after_move


@pytest.mark.parametrize(
    ("target_space", "destination", "expected"),
    [
        ("default", "lab", True),  # a device of the old space: outside the new one
        ("gym", "lab", True),  # a third space (a delegated app's target, say)
        ("lab", "lab", False),  # already in the new space: the license stays valid there
        (None, "lab", False),  # unknown to abctl: drift, never revoked by a move
    ],
)
def test_left_behind(target_space: str | None, destination: str, expected: bool) -> None:
    assert left_behind(target_space, destination) is expected


@pytest.mark.parametrize(
    ("source", "destination", "name", "expected"),
    [
        (["a", "b", "c"], ["x"], "b", ({"a": 1, "c": 2}, {"x": 1, "b": 2})),  # no gap left, appended last
        (["b"], [], "b", ({}, {"b": 1})),  # the only account moves to an empty space
        (["a", "b"], ["x", "y"], "a", ({"b": 1}, {"x": 1, "y": 2, "a": 3})),
    ],
)
def test_priorities_after_move(
    source: list[str], destination: list[str], name: str, expected: tuple[dict[str, int], dict[str, int]]
) -> None:
    assert priorities_after_move(source, destination, name) == expected
