"""Serial numbers: normalised at the edge (Apple writes them in capitals, and so does the store), then resolved to
the device, with a did-you-mean for one abctl does not know and the space for one that lives elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from abctl.errors import NotFoundError
from abctl.services.names.suggest import did_you_mean

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.devices import DeviceRecord

LIST_DEVICES = "list devices with: abctl devices list"


class _InSpace(Protocol):
    @property
    def space(self) -> str: ...


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
    store: Store, serials: Sequence[str], found: Mapping[str, _InSpace], *, space: str | None = None
) -> NotFoundError | None:
    """The error for the first of `serials` not in `found` (or not in `space`), or None when all are there."""
    unknown = [serial for serial in dict.fromkeys(serials) if serial not in found]
    if unknown:
        more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])}{' ...' if len(unknown) > 4 else ''})"
        hint = did_you_mean(unknown[0], store.serials(), LIST_DEVICES + (f" --space {space}" if space else ""))
        return NotFoundError(f"no device with serial `{unknown[0]}`" + (more if len(unknown) > 1 else ""), hint=hint)
    elsewhere = [serial for serial in dict.fromkeys(serials) if space is not None and found[serial].space != space]
    if elsewhere:
        other = found[elsewhere[0]].space
        more = f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else ""
        return NotFoundError(
            f"device `{elsewhere[0]}` is in space `{other}`, not `{space}`{more}",
            hint=f"add --space {other}",
        )
    return None
