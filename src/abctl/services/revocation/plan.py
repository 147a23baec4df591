"""Loading a revocation plan (R10-R12) from the store; the rules themselves are in domain/revocation.py.

Two shapes: "everything of these devices/users" (assets/revoke by target; device retire/wipe/unenroll, user
delete, token delete) and "these licenses" (assets/disassociate per asset; `abctl revoke`, an app leaving the
catalog, move-space). Non-revocable assets (books, `revocable: false`) are listed as skipped and never sent (9706).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from abctl.domain.platform_behaviour import LicenseAction
from abctl.domain.revocation import (
    DISASSOCIATE,
    GRACE_DAYS,
    REVOKE,
    SKIP,
    DeviceOnHand,
    LicenseFacts,
    PlanRow,
    RevocationPlan,
    device_effects,
    plan_row,
    sort_rows,
    usable_until,
    users_to_look_up,
)
from abctl.models.enums import TargetKind
from abctl.models.licenses import License

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.devices import DeviceRecord

__all__ = [
    "DISASSOCIATE",
    "GRACE_DAYS",
    "REVOKE",
    "SKIP",
    "PlanRow",
    "RevocationPlan",
    "plan_for_account",
    "plan_for_licenses",
    "plan_for_targets",
    "usable_until",
]


def _rows(store: Store, licenses: Sequence[License], send_as: str, now: datetime,
          action: LicenseAction) -> list[PlanRow]:  # fmt: skip
    flags = store.asset_flags((item.account_id, item.adam_id, item.pricing_param) for item in licenses)
    devices = store.devices_by_serial(item.target_id for item in licenses if item.target_kind is TargetKind.DEVICE)
    names = store.app_names(item.adam_id for item in licenses)
    rows = []
    for item in licenses:
        revocable, product_type = flags.get((item.account_id, item.adam_id, item.pricing_param), (True, "App"))
        device = devices.get(item.target_id) if item.target_kind is TargetKind.DEVICE else None
        facts = LicenseFacts(names.get(item.adam_id, item.adam_id), product_type, revocable,
                             device.platform if device is not None else None)  # fmt: skip
        rows.append(plan_row(item, facts, send_as=send_as, now=now, action=action))
    return sort_rows(rows)


def _on_hand(device: DeviceRecord) -> DeviceOnHand:
    return DeviceOnHand(device.serial, device.platform, device.shared_ipad)


def _effects(store: Store, rows: Sequence[PlanRow], installed_on: Sequence[DeviceRecord],
             action: LicenseAction) -> tuple[tuple[str, ...], tuple[str, ...]]:  # fmt: skip
    users_devices = {
        user: [_on_hand(d) for d in store.list_devices(owner=user, states=("active",))]
        for user in users_to_look_up(rows)
    }
    uninstall, keep = device_effects(rows, users_devices, [_on_hand(d) for d in installed_on], action)
    return tuple(uninstall), tuple(keep)


def plan_for_targets(
    store: Store, targets: Sequence[tuple[TargetKind, str]], *, reason: str, now: datetime
) -> RevocationPlan:
    """Everything of these devices (their device-based licenses) or users (their user-based licenses)."""
    licenses = store.find_licenses(targets=targets) if targets else []
    rows = _rows(store, licenses, REVOKE, now, LicenseAction.REMOVE_FROM_DISTRIBUTION)
    uninstall, keep = _effects(store, rows, (), LicenseAction.REMOVE_FROM_DISTRIBUTION)
    wanted = tuple((str(kind), target) for kind, target in targets)
    return RevocationPlan(REVOKE, reason, tuple(rows), uninstall, keep, wanted)


def plan_for_account(store: Store, account_id: int, *, reason: str, now: datetime) -> RevocationPlan:
    """Every live license one account (token) holds, by target (assets/revoke): token delete, --clear-previous."""
    licenses = store.find_licenses(account_id=account_id)
    rows = _rows(store, licenses, REVOKE, now, LicenseAction.REMOVE_FROM_DISTRIBUTION)
    uninstall, keep = _effects(store, rows, (), LicenseAction.REMOVE_FROM_DISTRIBUTION)
    targets = sorted({(row.license_type, row.target_id) for row in rows if row.action != SKIP})
    return RevocationPlan(REVOKE, reason, tuple(rows), uninstall, keep, tuple(targets))


def plan_for_licenses(
    store: Store,
    licenses: Sequence[License],
    *,
    reason: str,
    now: datetime,
    installed_on: Sequence[DeviceRecord] = (),
    action: LicenseAction = LicenseAction.REMOVE_FROM_DISTRIBUTION,
) -> RevocationPlan:
    """These licenses, one by one (assets/disassociate); `installed_on` adds devices known to have the app."""
    rows = _rows(store, licenses, DISASSOCIATE, now, action)
    uninstall, keep = _effects(store, rows, installed_on, action)
    return RevocationPlan(DISASSOCIATE, reason, tuple(rows), uninstall, keep)
