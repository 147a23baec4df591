"""The pure rules of a revocation plan (R10-R12): which licenses are skipped and why, which platform a license
is used on, whether the device must uninstall, until when the app stays usable, and which devices a plan leaves
with or without the app. services/revocation/plan.py loads the facts from the store and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from abctl.domain.platform_behaviour import GRACE_DAYS as GRACE_DAYS
from abctl.domain.platform_behaviour import LicenseAction, behaviour, user_licenses_apply
from abctl.models.enums import Platform, ProductType, TargetKind
from abctl.models.licenses import License

REVOKE = "revoke"  # assets/revoke: every revocable asset of the targets
DISASSOCIATE = "disassociate"  # assets/disassociate: these assets of these targets
SKIP = "skip"  # never sent to Apple
MACOS = Platform.MACOS.value
BOOK_REASON = "books cannot be revoked"
NOT_REVOCABLE_REASON = "Apple marks this asset not revocable"


def usable_until(
    platform: str | None,
    revoked_at: datetime,
    license_type: TargetKind | str = TargetKind.DEVICE,
    action: LicenseAction = LicenseAction.REMOVE_FROM_DISTRIBUTION,
) -> datetime | None:
    """R12 grace: iOS-family devices 30 days after the revocation; a Mac keeps the app (None)."""
    days = behaviour(action, platform, license_type).grace_days
    return None if days is None else revoked_at + timedelta(days=days)


def skip_reason(product_type: str, revocable: bool) -> str | None:
    """Why a license cannot be sent to Apple (books and `revocable: false` assets: 9706), or None."""
    if product_type == ProductType.BOOK.value:
        return BOOK_REASON
    if not revocable:
        return NOT_REVOCABLE_REASON
    return None


def license_platform(target_kind: TargetKind, device_platform: str | None, stored: str | None) -> str | None:
    """Where a license is used: a device license on its device's platform (else the one recorded with it); a
    user license on iOS, since user-based licenses are NA on macOS (the guide)."""
    if target_kind is TargetKind.DEVICE:
        return device_platform if device_platform is not None else (stored or None)
    return Platform.IOS.value


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


@dataclass(frozen=True)
class LicenseFacts:
    """What the plan needs to know about one license besides the license itself."""

    name: str
    product_type: str = ProductType.APP.value
    revocable: bool = True
    device_platform: str | None = None


@dataclass(frozen=True)
class DeviceOnHand:
    """A device that has (or may have) the app: an active device of a user, or one known to have it installed."""

    serial: str
    platform: str | None
    shared_ipad: bool = False


def plan_row(
    item: License,
    facts: LicenseFacts,
    *,
    send_as: str,
    now: datetime,
    action: LicenseAction = LicenseAction.REMOVE_FROM_DISTRIBUTION,
) -> PlanRow:
    """The plan row of one license: sent as `send_as` (revoke or disassociate) unless it must be skipped."""
    reason = skip_reason(facts.product_type, facts.revocable)
    platform = license_platform(item.target_kind, facts.device_platform, item.platform)
    cell = behaviour(action, platform, item.target_kind)
    return PlanRow(
        license_id=item.id,
        account_id=item.account_id,
        account=item.account_name,
        adam_id=item.adam_id,
        name=facts.name,
        pricing_param=item.pricing_param,
        license_type=str(item.target_kind),
        target_id=item.target_id,
        platform=platform,
        action=SKIP if reason else send_as,
        uninstall=reason is None and cell.uninstall,
        usable_until=None if reason else usable_until(platform, now, item.target_kind, action),
        reason=reason,
    )


def sort_rows(rows: Iterable[PlanRow]) -> list[PlanRow]:
    """Plan order: account, app name (case-insensitive), adamId, license type, target."""
    return sorted(rows, key=lambda row: (row.account, row.name.casefold(), row.adam_id, row.license_type,
                                         row.target_id))  # fmt: skip


def users_to_look_up(rows: Iterable[PlanRow]) -> list[str]:
    """The users whose devices a plan affects (their user-based licenses are sent)."""
    return sorted({row.target_id for row in rows if row.action != SKIP and row.license_type == TargetKind.USER})


def device_effects(
    rows: Iterable[PlanRow],
    users_devices: Mapping[str, Sequence[DeviceOnHand]],
    installed_on: Sequence[DeviceOnHand] = (),
    action: LicenseAction = LicenseAction.REMOVE_FROM_DISTRIBUTION,
) -> tuple[list[str], list[str]]:
    """iOS-family devices that must uninstall and Macs that keep the app (R12, the guide's behaviour tables).

    A user's license is used on the user's own devices where user licenses apply (not Macs), never on a shared
    iPad (device-based only there)."""
    uninstall: set[str] = set()
    keep: set[str] = set()
    for row in rows:
        if row.action != SKIP and row.license_type == TargetKind.DEVICE:
            (uninstall if row.uninstall else keep).add(row.target_id)
    for devices in users_devices.values():
        for device in devices:
            if device.shared_ipad or not user_licenses_apply(device.platform):
                continue
            if behaviour(action, device.platform, TargetKind.USER).uninstall:
                uninstall.add(device.serial)
    for device in installed_on:
        (uninstall if behaviour(action, device.platform, TargetKind.DEVICE).uninstall else keep).add(device.serial)
    return sorted(uninstall), sorted(keep - uninstall)
