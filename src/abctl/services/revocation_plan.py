"""Planning a revocation (R10-R12): which licenses go back, with which Apple call, which are skipped and why,
which iOS devices must uninstall, which Macs keep the app, and until when each app stays usable.

Two shapes: "everything of these devices/users" (assets/revoke by target; device retire/wipe/unenroll, user
delete) and "these licenses" (assets/disassociate per asset; an app leaving the catalog). Non-revocable assets
(books, `revocable: false`) are listed as skipped and never sent to Apple (9706).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from abctl.models import License, Platform, TargetKind

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.inventory import DeviceRecord

GRACE_DAYS = 30  # R12: iOS and iPadOS keep a revoked app usable for 30 days
REVOKE = "revoke"
DISASSOCIATE = "disassociate"
SKIP = "skip"
MACOS = Platform.MACOS.value


def usable_until(platform: str | None, revoked_at: datetime) -> datetime | None:
    """R12 grace: iOS-family devices 30 days after the revocation; a Mac keeps the app (None)."""
    return None if platform == MACOS else revoked_at + timedelta(days=GRACE_DAYS)


@dataclass(frozen=True)
class PlanRow:
    """One license in a revocation plan."""

    license_id: int
    account_id: int
    account: str
    adam_id: str
    name: str
    pricing_param: str
    license_type: str
    target_id: str
    platform: str | None
    action: str
    uninstall: bool
    usable_until: datetime | None
    reason: str | None = None

    @property
    def target(self) -> str:
        return f"{self.license_type}:{self.target_id}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "target": self.target}


@dataclass(frozen=True)
class RevocationPlan:
    """What a revocation will do. `kind` is `revoke` (by target) or `disassociate` (by asset)."""

    kind: str
    reason: str
    rows: tuple[PlanRow, ...]
    uninstall_devices: tuple[str, ...] = ()
    keep_devices: tuple[str, ...] = ()
    targets: tuple[tuple[str, str], ...] = field(default=())

    @property
    def to_send(self) -> tuple[PlanRow, ...]:
        return tuple(row for row in self.rows if row.action != SKIP)

    @property
    def skipped(self) -> tuple[PlanRow, ...]:
        return tuple(row for row in self.rows if row.action == SKIP)


def _skip_reason(store_flags: dict[tuple[int, str, str], tuple[bool, str]], item: License) -> str | None:
    revocable, product_type = store_flags.get((item.account_id, item.adam_id, item.pricing_param), (True, "App"))
    if product_type == "Book":
        return "books cannot be revoked"
    if not revocable:
        return "Apple marks this asset not revocable"
    return None


def _platform(item: License, devices: dict[str, DeviceRecord]) -> str | None:
    if item.target_kind is TargetKind.DEVICE:
        device = devices.get(item.target_id)
        return device.platform if device is not None else (item.platform or None)
    return Platform.IOS.value  # user-based licenses are iOS/iPadOS only (the guide: NA on macOS)


def _rows(store: Store, licenses: Sequence[License], action: str, now: datetime) -> list[PlanRow]:
    flags = store.asset_flags((item.account_id, item.adam_id, item.pricing_param) for item in licenses)
    devices = store.devices_by_serial(item.target_id for item in licenses if item.target_kind is TargetKind.DEVICE)
    names = store.app_names(item.adam_id for item in licenses)
    rows = []
    for item in licenses:
        reason = _skip_reason(flags, item)
        platform = _platform(item, devices)
        rows.append(PlanRow(
            item.id, item.account_id, item.account_name, item.adam_id, names.get(item.adam_id, item.adam_id),
            item.pricing_param, str(item.target_kind), item.target_id, platform, SKIP if reason else action,
            reason is None and platform != MACOS, None if reason else usable_until(platform, now), reason,
        ))  # fmt: skip
    rows.sort(key=lambda row: (row.account, row.name.casefold(), row.adam_id, row.license_type, row.target_id))
    return rows


def _device_effects(
    store: Store, rows: Iterable[PlanRow], extra: Sequence[DeviceRecord]
) -> tuple[list[str], list[str]]:
    """iOS-family devices that must uninstall and Macs that keep the app (R12)."""
    uninstall: set[str] = set()
    keep: set[str] = set()
    users = set()
    for row in rows:
        if row.action == SKIP:
            continue
        if row.license_type == TargetKind.DEVICE:
            (keep if row.platform == MACOS else uninstall).add(row.target_id)
        else:
            users.add(row.target_id)
    owned = [device for user in sorted(users) for device in store.list_devices(owner=user, states=("active",))]
    for device in owned:  # a user's license is used on the user's own devices, not on shared iPads
        if device.platform != MACOS and not device.shared_ipad:
            uninstall.add(device.serial)
    for device in extra:
        (keep if device.platform == MACOS else uninstall).add(device.serial)
    return sorted(uninstall), sorted(keep - uninstall)


def plan_for_targets(
    store: Store, targets: Sequence[tuple[TargetKind, str]], *, reason: str, now: datetime
) -> RevocationPlan:
    """Everything of these devices (their device-based licenses) or users (their user-based licenses)."""
    licenses = store.find_licenses(targets=targets) if targets else []
    rows = _rows(store, licenses, REVOKE, now)
    uninstall, keep = _device_effects(store, rows, ())
    wanted = tuple((str(kind), target) for kind, target in targets)
    return RevocationPlan(REVOKE, reason, tuple(rows), tuple(uninstall), tuple(keep), wanted)


def plan_for_licenses(
    store: Store,
    licenses: Sequence[License],
    *,
    reason: str,
    now: datetime,
    installed_on: Sequence[DeviceRecord] = (),
) -> RevocationPlan:
    """These licenses, one by one (assets/disassociate); `installed_on` adds devices known to have the app."""
    rows = _rows(store, licenses, DISASSOCIATE, now)
    uninstall, keep = _device_effects(store, rows, installed_on)
    return RevocationPlan(DISASSOCIATE, reason, tuple(rows), tuple(uninstall), tuple(keep))
