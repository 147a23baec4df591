"""What `abctl demo` puts in its temporary database besides what commands do: the inventory an MDM would hand
over (users, groups, devices), taken from the sandbox seed's manifest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.timeutil import utc_now

if TYPE_CHECKING:
    from abctl.store import Store


def load_inventory(store: Store, users: Sequence[Mapping[str, object]], devices: Sequence[Mapping[str, object]],
                   groups: Mapping[str, Sequence[str]]) -> None:  # fmt: skip
    """Write the demo's users, groups and devices in one transaction."""
    now = utc_now()
    with store.transaction():
        store.upsert_users([(str(u["client_user_id"]), str(u["space"]), str(u.get("email") or "") or None, None)
                            for u in users], now=now)  # fmt: skip
        store.insert_groups("default", list(groups), now=now)
        store.add_group_members([("default", group, member) for group, members in groups.items() for member in members])
        store.upsert_devices([(str(d["serial"]), str(d["space"]), str(d["platform"]),
                               str(d["owner"]) if d.get("owner") else None, bool(d.get("shared_ipad")))
                              for d in devices], now=now)  # fmt: skip
