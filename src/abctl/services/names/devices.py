"""Serial numbers: normalised at the edge (Apple writes them in capitals, and so does the store), then resolved to
the device, with a did-you-mean for one abctl does not know and the space for one that lives elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.errors import NotFoundError
from abctl.services.names.suggest import InSpace, missing_in_space

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.devices import DeviceRecord

LIST_DEVICES = "list devices with: abctl devices list"


def normalise_serial(text: str) -> str:
    """A serial as the store keys it: no surrounding blanks, in capitals (serials are case-insensitive)."""
    return text.strip().upper()


def resolve_device(store: Store, serial: str, *, space: str | None = None) -> DeviceRecord:
    """The device with that serial, in any letter case (in `space` when given).

    Raises: NotFoundError with a did-you-mean, or naming the space the device is in.
    """
    value = normalise_serial(serial)
    device = store.get_device(value)
    found = {} if device is None else {value: device}
    error = missing_devices(store, [value], found, space=space)
    if error is not None:
        raise error
    assert device is not None
    return device


def unknown_device(store: Store, serial: str) -> NotFoundError:
    """The NotFoundError for a serial abctl has no device with, with the closest serials."""
    error = missing_devices(store, [normalise_serial(serial)], {})
    assert error is not None
    return error


def missing_devices(
    store: Store, serials: Sequence[str], found: Mapping[str, InSpace], *, space: str | None = None
) -> NotFoundError | None:
    """The error for the first of `serials` not in `found` (or not in `space`), or None when all are there."""
    return missing_in_space("device", "no device with serial `{}`", serials, found, store.serials, LIST_DEVICES,
                            space=space)  # fmt: skip
