"""`abctl usage --grace`: revoked licenses whose app is still usable (R12: iOS/iPadOS keep it 30 days), with the
date it stops. Macs keep a revoked app with no end date, so they are not in this list.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.domain.revocation import license_platform
from abctl.models.enums import TargetKind

if TYPE_CHECKING:
    from abctl.store import Store


@dataclass(frozen=True)
class GraceRow:
    """One revoked license in its grace period."""

    space: str
    account: str
    adam_id: str
    name: str
    license_type: str
    target_id: str
    platform: str | None
    revoked_at: datetime | None
    usable_until: datetime
    days_left: int

    @property
    def target(self) -> str:
        return f"{self.license_type}:{self.target_id}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "target": self.target}


def grace_licenses(store: Store, *, space: str, now: datetime, adam_id: str | None = None) -> list[GraceRow]:
    """The space's revoked licenses still usable at `now`, soonest end first; days_left rounds up (a part day
    still counts). A custom space's list includes licenses the default space's accounts lent to its targets."""
    items = store.grace_licenses(space, now=now, adam_id=adam_id)
    if space != "default":  # R21: the space's devices and users also keep what the default space's accounts lent
        lent = store.lent_grace_licenses(space, now=now, adam_id=adam_id)
        items = sorted([*items, *lent], key=lambda item: (item.usable_until or now, item.account_name, item.adam_id))
    devices = store.devices_by_serial(item.target_id for item in items if item.target_kind is TargetKind.DEVICE)
    names = store.app_names(item.adam_id for item in items)
    rows = []
    for item in items:
        assert item.usable_until is not None  # the query only returns licenses with an end date
        device = devices.get(item.target_id) if item.target_kind is TargetKind.DEVICE else None
        platform = license_platform(item.target_kind, device.platform if device else None, item.platform)
        days = math.ceil((item.usable_until - now).total_seconds() / 86_400)
        rows.append(GraceRow(space, item.account_name, item.adam_id, names.get(item.adam_id, item.adam_id),
                             str(item.target_kind), item.target_id, platform, item.revoked_at, item.usable_until,
                             days))  # fmt: skip
    return rows
