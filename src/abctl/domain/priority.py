"""Account priority inside a space (R1): 1..N, 1 highest, unique, no gaps; moving one account shifts the others.
Changing priority never moves or revokes a license: it only decides where the next license comes from.
"""

from __future__ import annotations

from collections.abc import Sequence

from abctl.errors import InputError


def reprioritise(ordered: Sequence[str], name: str, new_priority: int) -> dict[str, int]:
    """New priorities after putting `name` at `new_priority`; `ordered` lists the space's accounts by priority.

    Raises:
        InputError: the priority is outside 1..N.
    """
    names = [item for item in ordered if item != name]
    count = len(names) + 1
    if not 1 <= new_priority <= count:
        raise InputError(
            f"priority {new_priority} is out of range",
            hint=f"priority must be between 1 and {count} in this space",
        )
    names.insert(new_priority - 1, name)
    return {item: index for index, item in enumerate(names, start=1)}
