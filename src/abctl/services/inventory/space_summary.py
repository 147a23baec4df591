"""`spaces show`: one space at a glance: its accounts by priority, devices and users by state, its catalog with
own and delegated apps (R21), usage totals of its own accounts and of the seats lent to it, open notifications.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from abctl.domain.delegation import DEFAULT_SPACE
from abctl.services.inventory.catalog import AppRow, list_apps
from abctl.services.names.spaces import resolve_space

if TYPE_CHECKING:
    from abctl.models.accounts import Account
    from abctl.services.runtime import Runtime
    from abctl.store.reports import NotificationRecord


@dataclass(frozen=True)
class SpaceSummary:
    name: str
    is_default: bool
    accounts: tuple[Account, ...]
    devices: dict[str, int]  # state -> count
    users: dict[str, int]
    catalog: tuple[AppRow, ...]  # in the catalog, or delegated to the space
    total: int  # seats of the space's own accounts
    assigned: int
    available: int
    delegated_in_use: int  # live licenses lent through the space's delegations
    notifications: tuple[NotificationRecord, ...]

    def record(self) -> dict[str, Any]:
        """The summary as one flat record (the tables carry the lists)."""
        own = sum(1 for app in self.catalog if app.source in ("own", "own + delegated"))
        lent = sum(1 for app in self.catalog if "delegated" in app.source)
        return {
            "name": self.name, "is_default": self.is_default,
            "devices": _counts(self.devices), "users": _counts(self.users), "own_apps": own, "delegated_apps": lent,
            "total": self.total, "assigned": self.assigned,
            "available": self.available, "delegated_in_use": self.delegated_in_use,
            "open_notifications": len(self.notifications),
        }  # fmt: skip


def _counts(by_state: dict[str, int]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(by_state.items())) or "none"


def space_summary(rt: Runtime, name: str) -> SpaceSummary:
    """Raises: NotFoundError (with a did-you-mean) for an unknown space."""
    store = rt.store
    space = store.get_space(resolve_space(store, name))
    devices = Counter(d.state for d in store.list_devices(space=space.name))
    users = Counter(u.state for u in store.list_users(space=space.name))
    catalog = tuple(app for app in list_apps(rt, space=space.name, lookup=False)
                    if app.in_catalog or "delegated" in app.source)  # fmt: skip
    owned = store.owned_assets(space.name)
    lent = len(store.delegated_licenses(space.name)) if space.name != DEFAULT_SPACE else 0
    return SpaceSummary(
        space.name, space.is_default, tuple(store.list_accounts(space.name)), dict(devices), dict(users), catalog,
        sum(a.total for a in owned), sum(a.assigned for a in owned), sum(a.available for a in owned), lent,
        tuple(store.notifications(space=space.name)),
    )  # fmt: skip
