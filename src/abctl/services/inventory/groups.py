"""User groups per space (the FCFS lists of R3 name them). `All Users` is implicit: every user of the space that
is not deleted is in it, so it can be listed but never created, joined or left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.errors import ConfigError, InputError
from abctl.services.inventory.imports import check_group_name
from abctl.services.names.groups import ALL_USERS, is_all_users, resolve_group
from abctl.services.names.spaces import resolve_space
from abctl.services.names.users import missing_users

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.users import UserRecord


@dataclass(frozen=True)
class GroupView:
    """One group as `groups list` shows it."""

    space: str
    name: str
    members: int
    implicit: bool
    created_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MembershipChange:
    """What `add-member` / `remove-member` changed, and which users were already as asked."""

    space: str
    group: str
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


def _live_users(store: Store, space: str) -> list[UserRecord]:
    return [user for user in store.list_users(space=space) if user.state != "deleted"]


def add_group(store: Store, name: str, *, space: str | None, now: datetime) -> GroupView:
    """Raises: InputError for a bad name or `All Users`; ConfigError when the group exists."""
    space_name = resolve_space(store, space)
    name = check_group_name(name)
    if name in store.group_names(space_name):
        raise ConfigError(f"group `{name}` already exists in space `{space_name}`", hint="abctl groups list")
    store.insert_groups(space_name, [name], now=now)
    return GroupView(space_name, name, 0, False, now)


def list_groups(store: Store, *, space: str | None) -> list[GroupView]:
    """`All Users` first, then the space's groups by name."""
    space_name = resolve_space(store, space)
    everyone = GroupView(space_name, ALL_USERS, len(_live_users(store, space_name)), True, None)
    return [everyone] + [
        GroupView(g.space, g.name, g.members, False, g.created_at) for g in store.list_groups(space_name)
    ]


def group_members(store: Store, name: str, *, space: str | None) -> list[UserRecord]:
    """The group's users by id; `All Users` lists everyone in the space. Raises: NotFoundError."""
    space_name = resolve_space(store, space)
    if is_all_users(name):
        return _live_users(store, space_name)
    group = resolve_group(store, name, space_name)
    users = store.users_by_id(store.group_member_ids(space_name, group))
    return [users[key] for key in sorted(users)]


def _members_to_change(store: Store, name: str, user_ids: Sequence[str], space: str) -> tuple[str, list[str]]:
    if is_all_users(name):
        raise InputError("`All Users` is implicit: every user is in it", hint="name another group")
    group = resolve_group(store, name, space)
    wanted = list(dict.fromkeys(user.strip() for user in user_ids))
    users = {key: user for key, user in store.users_by_id(wanted).items() if user.state != "deleted"}
    missing = missing_users(store, wanted, users)
    if missing is not None:
        raise missing
    elsewhere = [user for user in wanted if users[user].space != space]
    if elsewhere:
        raise InputError(
            f"user `{elsewhere[0]}` is in space `{users[elsewhere[0]].space}`, not `{space}`",
            hint="a group holds users of its own space only",
        )
    return group, wanted


def add_members(store: Store, name: str, user_ids: Sequence[str], *, space: str | None) -> MembershipChange:
    """Raises: InputError for `All Users` or a user of another space; NotFoundError for an unknown group or user."""
    space_name = resolve_space(store, space)
    group, wanted = _members_to_change(store, name, user_ids, space_name)
    before = set(store.group_member_ids(space_name, group))
    store.add_group_members([(space_name, group, user) for user in wanted])
    return MembershipChange(
        space_name, group, tuple(u for u in wanted if u not in before), tuple(u for u in wanted if u in before)
    )


def remove_members(store: Store, name: str, user_ids: Sequence[str], *, space: str | None) -> MembershipChange:
    """Raises: as `add_members`."""
    space_name = resolve_space(store, space)
    group, wanted = _members_to_change(store, name, user_ids, space_name)
    before = set(store.group_member_ids(space_name, group))
    store.remove_group_members(space_name, group, wanted)
    return MembershipChange(
        space_name, group, tuple(u for u in wanted if u in before), tuple(u for u in wanted if u not in before)
    )
