"""Devices: add, list, show (with their licenses, R16), import, and retire / wipe / unenroll.

Retire, wipe and unenroll revoke the device's device-based licenses (assets/revoke by serial, R11) and record the
R12 grace (30 days on iOS-family devices, none on a Mac, where the app stays installed). Unenroll (MDM profile
removed) takes back the device's licenses only: the owner's user-based licenses belong to the user, who may use
them on other devices, so they are released only when the user is deleted (R11 lists the profile case with the
device's licenses). A device that is not active again becomes active when added or imported (re-enrolled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from abctl.errors import ConfigError, InputError, NotFoundError
from abctl.models.enums import Platform, TargetKind
from abctl.services.inventory.import_files import parse_records
from abctl.services.inventory.import_rows import DeviceRow, Known, device_rows
from abctl.services.inventory.imports import DEVICE_FIELDS, check_platform, check_serial
from abctl.services.inventory.users import ImportResult
from abctl.services.names.devices import normalise_serial, unknown_device
from abctl.services.names.spaces import resolve_space
from abctl.services.names.users import unknown_user

if TYPE_CHECKING:
    from abctl.services.reporting.usage import TargetLicenseRow
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.devices import DeviceFacts, DeviceRecord


class DeviceAction(StrEnum):
    """What happened to a device; each releases its device-based licenses."""

    RETIRE = "retire"
    WIPE = "wipe"
    UNENROLL = "unenroll"

    @property
    def state(self) -> str:
        return {"retire": "retired", "wipe": "wiped", "unenroll": "unenrolled"}[self.value]


@dataclass(frozen=True)
class DeviceView:
    serial: str
    space: str
    platform: str
    owner: str | None
    shared_ipad: bool
    state: str
    installed_apps: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DeviceDetail:
    device: DeviceView
    licenses: list[TargetLicenseRow]


@dataclass(frozen=True)
class AddedDevice:
    device: DeviceView
    reenrolled: bool


@dataclass(frozen=True)
class DeviceActionPlan:
    action: DeviceAction
    devices: tuple[DeviceRecord, ...]
    revocation: RevocationPlan


def _view(store: Store, device: DeviceRecord) -> DeviceView:
    return DeviceView(device.serial, device.space, device.platform, device.owner, device.shared_ipad, device.state,
                      tuple(store.installed_apps(device.serial)), device.created_at, device.updated_at)  # fmt: skip


def get_device(store: Store, serial: str) -> DeviceRecord:
    """Raises: NotFoundError when abctl has no device with that serial."""
    device = store.get_device(normalise_serial(serial))
    if device is None:
        raise unknown_device(store, serial)
    return device


def _check_owner(store: Store, owner: str, space: str) -> None:
    user = store.get_user(owner.strip())
    if user is None or user.state == "deleted":
        error = unknown_user(store, owner)
        hint = error.hint if error.hint and error.hint.startswith("did you mean") else None
        raise NotFoundError(error.message, hint=hint or f"add the owner first: abctl users add {owner.strip()}")
    if user.space != space:
        raise InputError(f"owner `{owner}` is in space `{user.space}`, not `{space}`")


def add_device(
    store: Store,
    serial: str,
    *,
    platform: str,
    owner: str | None = None,
    shared_ipad: bool = False,
    space: str | None = None,
    apps: Sequence[str] = (),
    now: datetime,
) -> AddedDevice:
    """Add a device (or re-enroll one that is not active), with the apps installed on it.

    Raises: InputError for a bad value; NotFoundError for an unknown owner or app name; ConfigError when an
    active device has the serial, or the device is in another space.
    """
    from abctl.services.names.apps import resolve_app

    serial, platform = check_serial(serial), check_platform(platform)
    space_name = resolve_space(store, space)
    if shared_ipad and platform != Platform.IPADOS:
        raise InputError("only an iPad (platform ipados) can be a shared iPad")
    if shared_ipad and owner:
        raise InputError("a shared iPad has no owner", hint="drop --owner or --shared-ipad")
    if owner:
        _check_owner(store, owner, space_name)
    existing = store.get_device(serial)
    if existing is not None and existing.state == "active":
        raise ConfigError(f"device `{serial}` already exists", hint=f"see it with: abctl devices show {serial}")
    if existing is not None and existing.space != space_name:
        raise ConfigError(f"device `{serial}` is in space `{existing.space}`", hint="move it with: abctl move-space")
    adam_ids = [resolve_app(store, app, space_name, known_only=False) for app in apps]  # installed before bought
    with store.transaction():
        store.upsert_devices([(serial, space_name, platform, owner or None, shared_ipad)], now=now)
        store.add_installed_apps(serial, adam_ids, now=now)
    return AddedDevice(_view(store, get_device(store, serial)), existing is not None)


def list_devices(
    store: Store, *, space: str | None = None, owner: str | None = None, include_inactive: bool = True
) -> list[DeviceView]:
    """Devices by serial, filtered by space, owner and state."""
    space_name = resolve_space(store, space) if space is not None else None
    states = None if include_inactive else ("active",)
    if owner is not None and store.get_user(owner.strip()) is None:
        raise unknown_user(store, owner)
    owner = owner.strip() if owner is not None else None
    return [_view(store, d) for d in store.list_devices(space=space_name, owner=owner, states=states)]


def device_detail(store: Store, serial: str, *, now: datetime) -> DeviceDetail:
    """Raises: NotFoundError."""
    from abctl.services.reporting.usage import target_usage

    device = get_device(store, serial)
    return DeviceDetail(_view(store, device), target_usage(store, device=device.serial, now=now))


def import_devices(store: Store, text: str, source: str, *, space: str | None, now: datetime) -> ImportResult:
    """Add or update every device of a CSV/JSON file in one transaction; a second run changes nothing.

    Raises: ImportProblemsError (an InputError) naming every bad line; nothing is written then.
    """
    from abctl.services.runtime import cyclic_gc_paused

    default_space = resolve_space(store, space)
    with cyclic_gc_paused():  # a million rows are millions of small objects, none in a cycle
        records = parse_records(text, source, DEVICE_FIELDS)
        existing = store.device_facts([_serial_key(record.values.get("serial")) for record in records.rows])
        known = Known(
            spaces=frozenset(s.name for s in store.list_spaces()),
            users=store.user_places(),
            devices={key: (device.space, device.platform) for key, device in existing.items()},
        )
        rows = device_rows(records, default_space=default_space, known=known, source=source)
        del records
        writes = []
        added = updated = 0
        for row in rows:
            old = existing.get(row.serial)
            merged = _merged(row, old)
            if old is None:
                added += 1
            elif old.state != "active" or (old.owner, old.shared_ipad) != (merged[3], merged[4]):
                updated += 1
            else:
                continue
            writes.append(merged)
    with store.transaction():
        store.upsert_devices(writes, now=now)
    return ImportResult(len(rows), added, updated, len(rows) - added - updated)


def _serial_key(value: object) -> str:
    """A file's serial as the database spells it (check_serial's capitals), to look the device up before the
    rows are checked."""
    return str(value or "").strip().upper()


def _merged(row: DeviceRow, old: DeviceFacts | None) -> tuple[str, str, str, str | None, bool]:
    """A value left empty keeps what the database holds (a new device: no owner, not shared)."""
    shared = row.shared_ipad if row.shared_ipad is not None else bool(old and old.shared_ipad)
    owner = row.owner if row.owner is not None or old is None else old.owner
    return (row.serial, row.space, row.platform, None if shared else owner, shared)


def plan_device_action(
    store: Store, serials: Sequence[str], action: DeviceAction, *, now: datetime
) -> DeviceActionPlan:
    """The devices and the revocation of their device-based licenses. Raises: NotFoundError for an unknown serial."""
    from abctl.services.revocation.plan import plan_for_targets

    devices = tuple(get_device(store, serial) for serial in dict.fromkeys(serials))
    targets = [(TargetKind.DEVICE, device.serial) for device in devices]
    plan = plan_for_targets(store, targets, reason=f"device {action.state}", now=now)
    return DeviceActionPlan(action, devices, plan)


def apply_device_action(
    rt: Runtime, plan: DeviceActionPlan, *, on_progress: Callable[[int, int], None] | None = None
) -> RevocationResult:
    """Revoke, then record the devices' new state (a device whose revocation failed keeps its state)."""
    from abctl.services.revocation.execute import execute_revocation

    result = execute_revocation(rt, plan.revocation, on_progress=on_progress)
    failed = result.failed_targets()
    done = [d.serial for d in plan.devices if f"{TargetKind.DEVICE}:{d.serial}" not in failed]
    rt.store.set_device_state(done, plan.action.state, now=rt.now())
    return result
