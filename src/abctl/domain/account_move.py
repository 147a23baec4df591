"""An account changing space (`tokens move`): which of its licenses are left behind, and the priorities (R1) of
both spaces afterwards. Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence


def left_behind(target_space: str | None, destination: str) -> bool:
    """A license is left behind when its target belongs to another space than the destination. A target abctl has
    no device or user for belongs to no space: it is drift, settled with `abctl drift`, not by a move."""
    return target_space is not None and target_space != destination


def priorities_after_move(
    source: Sequence[str], destination: Sequence[str], name: str
) -> tuple[dict[str, int], dict[str, int]]:
    """The source space's accounts renumbered 1..N-1 without `name` (order kept, no gaps), and the destination's
    with `name` appended last: a moved account never takes seats from the destination's accounts' turn."""
    rest = [item for item in source if item != name]
    arrived = [item for item in destination if item != name] + [name]
    return ({item: n for n, item in enumerate(rest, start=1)}, {item: n for n, item in enumerate(arrived, start=1)})
