"""A device or user named by `--device SERIAL` / `--user ID` in a report or revocation: known when it is in the
inventory or holds any license record (licenses found at Apple for devices abctl never added count too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abctl.services.names.devices import normalise_serial, unknown_device
from abctl.services.names.users import unknown_user

if TYPE_CHECKING:
    from abctl.store import Store


def resolve_target(store: Store, kind: str, target_id: str) -> str:
    """The target's id as stored (a serial in capitals). Raises: NotFoundError with a did-you-mean."""
    value = normalise_serial(target_id) if kind == "device" else target_id.strip()
    if store.is_known_target(kind, value):
        return value
    raise unknown_device(store, value) if kind == "device" else unknown_user(store, value)
