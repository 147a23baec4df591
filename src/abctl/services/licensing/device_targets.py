"""Planning's read of many devices at once (services.licensing.plan): devices each licensed as a device, made
targets straight from plain rows, and the collector kept off the objects that planning builds by the hundred
thousand.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from abctl.domain.allocation import Target
from abctl.models.enums import TargetKind
from abctl.services.runtime import cyclic_gc_paused

if TYPE_CHECKING:
    from abctl.store import Store

Holders = tuple[tuple[str, ...], tuple[str, ...]]  # (serials, client user ids) whose licenses count
_new_target = partial(tuple.__new__, Target)  # a Target from all its fields, as Target._make, without its call


@contextmanager
def lasting_acyclic() -> Iterator[None]:
    """Build many small acyclic objects that outlive the block: the cycle collector paused meanwhile, and then
    every object moved to its oldest generation at once (gc.freeze and gc.unfreeze: no collection), so the next
    young collection does not walk them all (a fresh dry run of 100,000 targets spent 40 ms on that one)."""
    with cyclic_gc_paused():
        yield
        gc.freeze()
        gc.unfreeze()


class GroupSets(dict[str | None, frozenset[str]]):
    """Group sets by the store's joined group names (None: no group), each set made once."""

    def __missing__(self, text: str | None) -> frozenset[str]:
        found = self[text] = frozenset(text.split("\x1f")) if text else frozenset()
        return found


def devices_only(store: Store, space: str, serials: list[str]) -> tuple[tuple[Target, ...], Holders] | None:
    """The targets of devices each licensed as a device, in the order asked, and their holders (the devices, and
    the owners whose user licenses count, R8), from one read of plain rows; None when one is unknown or in
    another space, or the rows did not come in the order asked (the caller's general path then names it, or
    reads them the general way)."""
    device, groups, none = TargetKind.DEVICE, GroupSets(), Target._field_defaults["enrollment"]
    nothing: frozenset[tuple[int, str]] = frozenset()
    platforms: dict[str, str] = {}  # each platform's text once, not once per device
    rows = _OnePerDevice(store.device_targets(serials, space))
    fields = ((device, serials[at], platforms.setdefault(platform, platform), owner, shared == 1, active == 1,
               groups[names], none, none, nothing) for at, platform, owner, shared, active, names in rows)  # fmt: skip
    targets = tuple(map(_new_target, fields))
    if rows.unordered or len(targets) != len(serials):  # in order and as many: each device once, where asked
        return None
    owners = [t.owner for t in targets if t.owner and not t.shared_ipad]  # R8: their user licenses count too
    return targets, (tuple(serials), tuple(dict.fromkeys(owners)))


class _OnePerDevice:
    """store.device_targets' rows, one per device: the rows of a device whose owner is in several groups (one
    after another) joined into one, the group names by US (chr 31); `unordered` once a row came before the one
    before it."""

    def __init__(self, rows: Iterable[tuple[int, str, str | None, int, int, str | None]]) -> None:
        self.rows = rows
        self.unordered = False

    def __iter__(self) -> Iterator[tuple[int, str, str | None, int, int, str | None]]:
        last = None
        for row in self.rows:
            if last is not None:
                if row[0] == last[0]:
                    last = (*last[:5], f"{last[5]}\x1f{row[5]}")
                    continue
                self.unordered = self.unordered or row[0] < last[0]
                yield last
            last = row
        if last is not None:
            yield last
