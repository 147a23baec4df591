"""Distribution policies (R3-R5): set an account's FCFS groups, reservations and disallowed users for an app;
reservations are associated with Apple at once when a seat is free, so FCFS requests cannot take the seat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from abctl.errors import InputError
from abctl.models.licenses import LicenseSource
from abctl.services.licensing.execute import execute
from abctl.services.licensing.plan import RequestKind, missing_targets, parse_target_spec, plan_apps
from abctl.services.names.accounts import resolve_account
from abctl.services.names.groups import resolve_group
from abctl.services.names.users import resolve_users

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime
    from abctl.store import Store


def set_policy(rt: Runtime, account_name: str, adam_id: str, *, fcfs: Sequence[str] | None, reserve: Sequence[str],
               disallow: Sequence[str], clear: bool) -> int:  # fmt: skip
    """Change the policy, then serve reservations that have a free seat. Returns how many were served.

    Raises: NotFoundError (account, reserved target), InputError (bad target, app not owned by the account).
    """
    store = rt.store
    account = resolve_account(store, account_name)
    if not any(a.adam_id == adam_id for a in store.list_account_assets(account.id)):
        raise InputError(f"`{account_name}` does not own app {adam_id}", hint="see: abctl usage --app " + adam_id)
    specs = [parse_target_spec(text) for text in reserve]
    # Every name is checked before the policy changes: a typo refuses the whole command (exit 4), not half of it.
    fcfs = [resolve_group(store, group, account.space) for group in fcfs] if fcfs else fcfs
    resolve_users(store, list(disallow))
    missing = missing_targets(store, account.space, specs)
    if missing is not None:
        raise missing
    if clear:
        store.clear_policy(account.id, adam_id)
        return 0
    store.set_policy(account.id, adam_id, fcfs_groups=list(fcfs) if fcfs else None,
                     reserve=[(str(k), t) for k, t in specs], disallow=list(disallow), now=rt.now())  # fmt: skip
    if not specs:
        return 0
    plans = plan_apps(rt, account.space, [adam_id], specs, RequestKind.ADMIN)
    result = execute(rt, account.space, plans, source=LicenseSource.RESERVED)
    return sum(1 for o in result.outcomes if o.result == "assigned")


def policy_rows(store: Store, space: str, adam_id: str) -> list[dict[str, object]]:
    """Each owning account's policy for the app, as the CLI shows it."""
    rows = []
    for owned in store.owned_assets(space, adam_id):
        record = store.get_policy(owned.account_id, adam_id)
        account = store.get_account_by_id(owned.account_id)
        groups = list(record.fcfs_groups) if record.fcfs_groups else (["All Users"] if account.auto_distribute else [])
        rows.append({"account": owned.account, "priority": owned.priority, "fcfs_groups": groups,
                     "reserved": [f"{k}:{t}" for k, t in record.reserved], "disallowed": list(record.disallowed),
                     "explicit": record.explicit})  # fmt: skip
    return rows
