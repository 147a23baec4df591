"""Checking every row of a `devices import` or `users import` file in one pass: its values, the file itself
(duplicates) and what the database holds (spaces, owners, groups, a device's space and platform, a user's space).
Pure: lookups are passed in. The problems reading found (header, shape, keys) are reported with the rows' own, so
one run names every bad line; nothing is imported while any line is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from abctl.models.enums import Platform
from abctl.services.inventory.imports import (
    ImportProblemsError,
    Records,
    RowProblem,
    check_email,
    check_flag,
    check_group_name,
    check_platform,
    check_serial,
    check_user_id,
    collect,
    text_value,
)
from abctl.services.names.suggest import Names

SUGGESTED = 20  # distinct unknown names given a did-you-mean; past that a file is more than a typo away


@dataclass(frozen=True)
class DeviceRow:
    line: int
    serial: str
    platform: str
    owner: str | None
    space: str
    shared_ipad: bool | None  # None: not given (a known device keeps its value)


@dataclass(frozen=True)
class UserRow:
    line: int
    client_user_id: str
    email: str | None
    managed_apple_id: str | None
    groups: tuple[str, ...]
    space: str


@dataclass(frozen=True)
class Known:
    """What the database already holds that rows are checked against."""

    spaces: frozenset[str]
    users: Mapping[str, tuple[str, str]]  # client_user_id -> (space, state)
    devices: Mapping[str, tuple[str, str]]  # serial -> (space, platform)
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)  # space -> its group names


class _Suggest:
    """A did-you-mean per distinct unknown name, for the first SUGGESTED of them (each is a scan of the names,
    which are folded once, when the first is needed)."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        self._names = names
        self._index: Names | None = None
        self._cache: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        if value not in self._cache and len(self._cache) < SUGGESTED:
            self._index = self._index or Names(self._names())
            close = self._index.closest(value, 1)
            self._cache[value] = f" (did you mean `{close[0]}`?)" if close else ""
        return self._cache.get(value, "")


def _space_reason(space: str, known: Known, suggest: _Suggest) -> list[str]:
    return [] if space in known.spaces else [f"no space named `{space}`{suggest(space)}"]


def device_rows(records: Records, *, default_space: str, known: Known, source: str) -> list[DeviceRow]:
    """Checked device rows. Raises: ImportProblemsError naming every bad line (duplicates name both lines)."""
    rows: list[DeviceRow] = []
    problems = list(records.problems)
    first_line: dict[str, int] = {}
    spaces = _Suggest(lambda: known.spaces)
    owners = _Suggest(lambda: [user for user, (_space, state) in known.users.items() if state != "deleted"])
    for record in records.rows:
        reasons = list(record.reasons)
        if record.broken:
            problems.append(RowProblem(record.line, tuple(reasons)))
            continue
        given = record.given
        serial = collect(reasons, check_serial, str(given("serial"))) if given("serial") is not None else None
        platform = collect(reasons, check_platform, str(given("platform"))) if given("platform") is not None else None
        shared = (
            collect(reasons, check_flag, given("shared_ipad"), "shared_ipad")
            if given("shared_ipad") is not None
            else None
        )
        space = text_value(given("space")) or default_space
        owner = text_value(given("owner"))
        reasons += _space_reason(space, known, spaces)
        if serial is not None and serial in first_line:
            reasons.append(f"serial `{serial}` repeats line {first_line[serial]}")
        elif serial is not None:
            first_line[serial] = record.line
        if serial is not None and serial in known.devices:
            old_space, old_platform = known.devices[serial]
            if old_space != space:
                reasons.append(f"device `{serial}` is in space `{old_space}`; move it with: "
                               f"abctl move-space {serial} --to {space}")  # fmt: skip
            if platform is not None and old_platform != platform:
                reasons.append(f"device `{serial}` has platform {old_platform}, not {platform}")
        if shared and platform not in (None, Platform.IPADOS):
            reasons.append("only an iPad (platform ipados) can be a shared iPad")
        if shared and owner is not None:
            reasons.append("a shared iPad has no owner")
        elif owner is not None:
            reasons += _owner_reasons(owner, space, known, owners)
        if reasons:
            problems.append(RowProblem(record.line, tuple(reasons)))
        elif serial is not None and platform is not None:  # else a column is missing: the header's problem
            rows.append(DeviceRow(record.line, serial, platform, owner, space, shared))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _owner_reasons(owner: str, space: str, known: Known, suggest: _Suggest) -> list[str]:
    if owner not in known.users or known.users[owner][1] == "deleted":
        return [f"owner `{owner}` is not a user{suggest(owner)}; add it first (abctl users add or users import)"]
    if known.users[owner][0] != space:
        return [f"owner `{owner}` is in space `{known.users[owner][0]}`, not `{space}`"]
    return []


def user_rows(records: Records, *, default_space: str, known: Known, source: str) -> list[UserRow]:
    """Checked user rows. Raises: ImportProblemsError naming every bad line (duplicates name both lines)."""
    rows: list[UserRow] = []
    problems = list(records.problems)
    first_line: dict[str, int] = {}
    spaces = _Suggest(lambda: known.spaces)
    spelled: dict[tuple[str, str], str] = {}  # (space, folded group name) -> the first spelling met
    for space_name, names in known.groups.items():
        spelled.update({(space_name, name.casefold()): name for name in names})
    for record in records.rows:
        reasons = list(record.reasons)
        if record.broken:
            problems.append(RowProblem(record.line, tuple(reasons)))
            continue
        given = record.given
        user = (
            collect(reasons, check_user_id, str(given("client_user_id")))
            if given("client_user_id") is not None
            else None
        )
        email = text_value(given("email"))
        managed = text_value(given("managed_apple_id"))
        if email is not None:
            collect(reasons, check_email, email)
        if managed is not None:
            collect(reasons, check_email, managed, "managed Apple ID")
        groups = [collect(reasons, check_group_name, group) for group in _group_list(given("groups"))]
        space = text_value(given("space")) or default_space
        reasons += _space_reason(space, known, spaces)
        reasons += _group_case_reasons(space, [group for group in groups if group], spelled)
        if user is not None and user in first_line:
            reasons.append(f"user `{user}` repeats line {first_line[user]}")
        elif user is not None:
            first_line[user] = record.line
        existing = known.users.get(user) if user is not None else None
        if existing is not None and existing[1] != "deleted" and existing[0] != space:
            reasons.append(f"user `{user}` is in space `{existing[0]}`")
        if reasons:
            problems.append(RowProblem(record.line, tuple(reasons)))
        elif user is not None:  # else the column is missing: the header's problem
            rows.append(UserRow(record.line, user, email, managed, tuple(dict.fromkeys(g for g in groups if g)), space))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _group_case_reasons(space: str, groups: list[str], spelled: dict[tuple[str, str], str]) -> list[str]:
    """A new group is created for a name the space does not have; one that differs from a group of the space (or
    one earlier in the file) only in letter case is a typo, not a new group."""
    reasons = []
    for group in groups:
        first = spelled.setdefault((space, group.casefold()), group)
        if first != group:
            reasons.append(f"group `{group}` is spelled `{first}` in space `{space}`")
    return reasons


def _group_list(value: Any) -> list[str]:
    """`groups` as a `;`-separated cell or a JSON list."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [str(item) for item in items if str(item).strip()]
