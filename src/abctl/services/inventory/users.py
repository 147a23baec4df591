"""Users: add, list, show (with their licenses, R16) and import. Apple's side of a user (invite, retire) is in
services/inventory/enrollment.py; deleting one revokes their user-based licenses through services/revocation/execute.py.

Groups named when adding or importing a user are created in the user's space when missing (and reported), and
memberships are only ever added here. A value left empty in an import keeps what the database holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.errors import ConfigError, NotFoundError
from abctl.models.enums import TargetKind
from abctl.services.inventory.import_files import parse_records
from abctl.services.inventory.import_rows import Known, UserRow, user_rows
from abctl.services.inventory.imports import USER_FIELDS, check_email, check_group_name, check_user_id
from abctl.services.names.spaces import resolve_space
from abctl.services.names.users import unknown_user

if TYPE_CHECKING:
    from abctl.services.reporting.usage import TargetLicenseRow
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.users import AppleStatus, UserRecord


@dataclass(frozen=True)
class UserView:
    """A user as `users list` shows it; `apple_status` is "account: Status" per account of the user's space."""

    client_user_id: str
    space: str
    email: str | None
    managed_apple_id: str | None
    state: str
    groups: tuple[str, ...]
    apple_status: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UserDetail:
    """`users show`: the user, the devices they own, and every license they hold or may still use."""

    user: UserView
    devices: tuple[str, ...]
    licenses: list[TargetLicenseRow]


@dataclass(frozen=True)
class AddedUser:
    user: UserView
    created_groups: tuple[str, ...]
    revived: bool


@dataclass(frozen=True)
class ImportResult:
    """What an import changed: rows added, updated and left as they were, groups created, memberships added."""

    rows: int
    added: int
    updated: int
    unchanged: int
    created_groups: tuple[str, ...] = ()
    memberships_added: int = 0


def _status_text(statuses: Sequence[AppleStatus]) -> tuple[str, ...]:
    return tuple(f"{status.account}: {status.status}" for status in statuses)


def _views(store: Store, users: Sequence[UserRecord]) -> list[UserView]:
    ids = [user.client_user_id for user in users]
    groups = store.groups_of_users(ids) if len(ids) < 5000 else store.groups_of_users()
    statuses = store.apple_statuses(ids) if len(ids) < 5000 else store.apple_statuses()
    return [
        UserView(u.client_user_id, u.space, u.email, u.managed_apple_id, u.state,
                 tuple(groups.get(u.client_user_id, ())), _status_text(statuses.get(u.client_user_id, ())),
                 u.created_at, u.updated_at)
        for u in users
    ]  # fmt: skip


def get_user(store: Store, client_user_id: str) -> UserRecord:
    """Raises: NotFoundError when abctl has no such user."""
    user = store.get_user(client_user_id.strip())
    if user is None:
        raise unknown_user(store, client_user_id)
    return user


def add_user(
    store: Store,
    client_user_id: str,
    *,
    email: str | None = None,
    managed_apple_id: str | None = None,
    groups: Sequence[str] = (),
    space: str | None = None,
    now: datetime,
) -> AddedUser:
    """Raises: InputError for a bad value; ConfigError when the user exists (in any space) and is not deleted."""
    user_id = check_user_id(client_user_id)
    email = check_email(email) if email else None
    managed_apple_id = check_email(managed_apple_id, "managed Apple ID") if managed_apple_id else None
    group_names = tuple(dict.fromkeys(check_group_name(group) for group in groups))
    space_name = resolve_space(store, space)
    existing = store.get_user(user_id)
    if existing is not None and existing.state != "deleted":
        raise ConfigError(
            f"user `{user_id}` already exists in space `{existing.space}`",
            hint=f"see it with: abctl users show {user_id}",
        )
    missing = [name for name in group_names if name not in store.group_names(space_name)]
    with store.transaction():
        store.upsert_users([(user_id, space_name, email, managed_apple_id)], now=now)
        store.insert_groups(space_name, missing, now=now)
        store.add_group_members([(space_name, name, user_id) for name in group_names])
    return AddedUser(_views(store, [get_user(store, user_id)])[0], tuple(missing), existing is not None)


def list_users(store: Store, *, space: str | None = None, include_deleted: bool = False) -> list[UserView]:
    """Users by id (of one space when given); deleted ones only when asked."""
    space_name = resolve_space(store, space) if space is not None else None
    states = None if include_deleted else ("active", "retired")
    return _views(store, store.list_users(space=space_name, states=states))


def user_detail(store: Store, client_user_id: str, *, now: datetime) -> UserDetail:
    """Raises: NotFoundError."""
    from abctl.services.reporting.usage import target_usage

    user = get_user(store, client_user_id)
    devices = tuple(device.serial for device in store.list_devices(owner=user.client_user_id))
    licenses = target_usage(store, user=user.client_user_id, now=now)
    return UserDetail(_views(store, [user])[0], devices, licenses)


def import_users(store: Store, text: str, source: str, *, space: str | None, now: datetime) -> ImportResult:
    """Add or update every user of a CSV/JSON file in one transaction; a second run changes nothing.

    Raises: ImportProblemsError (an InputError) naming every bad line; nothing is written then.
    """
    default_space = resolve_space(store, space)
    records = parse_records(text, source, USER_FIELDS)
    existing = store.users_by_id()
    spaces = frozenset(s.name for s in store.list_spaces())
    known = Known(
        spaces=spaces,
        users={key: (user.space, user.state) for key, user in existing.items()},
        devices={},
        groups={name: frozenset(store.group_names(name)) for name in spaces},
    )
    rows = user_rows(records, default_space=default_space, known=known, source=source)
    writes: list[tuple[str, str, str | None, str | None]] = []
    added = updated = 0
    for row in rows:
        old = existing.get(row.client_user_id)
        merged = _merged(row, old)
        if old is None:
            added += 1
        elif old.state == "deleted" or (old.space, old.email, old.managed_apple_id) != merged[1:]:
            updated += 1
        else:
            continue
        writes.append(merged)
    new_groups = _groups_to_create(store, rows)
    with store.transaction():
        store.upsert_users(writes, now=now)
        for group_space, names in new_groups.items():
            store.insert_groups(group_space, names, now=now)
        memberships = store.add_group_members([(r.space, g, r.client_user_id) for r in rows for g in r.groups])
    created = tuple(name for names in new_groups.values() for name in names)
    return ImportResult(len(rows), added, updated, len(rows) - added - updated, created, memberships)


def _merged(row: UserRow, old: UserRecord | None) -> tuple[str, str, str | None, str | None]:
    if old is None or old.state == "deleted":
        return (row.client_user_id, row.space, row.email, row.managed_apple_id)
    return (row.client_user_id, row.space, row.email or old.email, row.managed_apple_id or old.managed_apple_id)


def _groups_to_create(store: Store, rows: Sequence[UserRow]) -> dict[str, list[str]]:
    wanted: dict[str, dict[str, None]] = {}
    for row in rows:
        for group in row.groups:
            wanted.setdefault(row.space, {})[group] = None
    result: dict[str, list[str]] = {}
    for space_name, names in wanted.items():
        present = store.group_names(space_name)
        missing = [name for name in names if name not in present]
        if missing:
            result[space_name] = missing
    return result


@dataclass(frozen=True)
class UserDeletionPlan:
    """`users delete`: the users and the revocation of their user-based licenses (R11)."""

    users: tuple[UserRecord, ...]
    revocation: RevocationPlan


def plan_user_deletion(store: Store, user_ids: Sequence[str], *, now: datetime) -> UserDeletionPlan:
    """Raises: NotFoundError for an unknown or already deleted user."""
    from abctl.services.revocation.plan import plan_for_targets

    users = tuple(get_user(store, user_id) for user_id in dict.fromkeys(user_ids))
    gone = [user.client_user_id for user in users if user.state == "deleted"]
    if gone:
        raise NotFoundError(f"user `{gone[0]}` is already deleted", hint="list users with: abctl users list")
    targets = [(TargetKind.USER, user.client_user_id) for user in users]
    return UserDeletionPlan(users, plan_for_targets(store, targets, reason="user deleted", now=now))


def delete_users(
    rt: Runtime, plan: UserDeletionPlan, *, on_progress: Callable[[int, int], None] | None = None
) -> RevocationResult:
    """Revoke the users' user-based licenses, then mark them deleted and drop their group memberships (a user
    whose revocation failed is kept, so running the command again retries)."""
    from abctl.services.revocation.execute import execute_revocation

    result = execute_revocation(rt, plan.revocation, on_progress=on_progress)
    failed = result.failed_targets()
    done = [u.client_user_id for u in plan.users if f"{TargetKind.USER}:{u.client_user_id}" not in failed]
    with rt.store.transaction():
        rt.store.set_user_state(done, "deleted", now=rt.now())
        for user in done:
            rt.store.remove_user_from_groups(user)
    return result
