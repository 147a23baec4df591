"""Distribution policies (R3-R5): set an account's FCFS groups, reservations and disallowed users for an app;
reservations are associated with Apple at once when a seat is free, so FCFS requests cannot take the seat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from abctl.domain.delegation import DEFAULT_SPACE
from abctl.errors import InputError
from abctl.models.licenses import LicenseSource
from abctl.services.licensing.execute import execute
from abctl.services.licensing.plan import RequestKind, TargetSpec, missing_targets, parse_target_spec, plan_apps
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
    by_space = _reservation_spaces(store, account.space, adam_id, specs)
    for space, wanted in by_space.items():
        missing = missing_targets(store, space, wanted)
        if missing is not None:
            raise missing
    if clear:
        store.clear_policy(account.id, adam_id)
        return 0
    store.set_policy(account.id, adam_id, fcfs_groups=list(fcfs) if fcfs else None,
                     reserve=[(str(k), t) for k, t in specs], disallow=list(disallow), now=rt.now())  # fmt: skip
    if not specs:
        return 0
    served = 0
    for space, wanted in by_space.items():  # a reservation is served in its target's space
        result = execute(rt, space, plan_apps(rt, space, [adam_id], wanted, RequestKind.ADMIN),
                         source=LicenseSource.RESERVED)  # fmt: skip
        served += sum(1 for o in result.outcomes if o.result == "assigned")
    return served


def _reservation_spaces(store: Store, account_space: str, adam_id: str,
                        specs: Sequence[TargetSpec]) -> dict[str, list[TargetSpec]]:  # fmt: skip
    """Reserved targets by the space they are served in: the account's own, or, for a default-space account, a
    space the app is delegated to where the target lives (R21: its reservations count there too)."""
    lent = {d.space for d in store.delegations(adam_id=adam_id)} if account_space == DEFAULT_SPACE else set()
    where = store.target_spaces((str(kind), target) for kind, target in specs) if lent else {}
    by_space: dict[str, list[TargetSpec]] = {}
    for kind, target in specs:
        space = where.get((str(kind), target), account_space)
        by_space.setdefault(space if space in lent else account_space, []).append((kind, target))
    return by_space


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
