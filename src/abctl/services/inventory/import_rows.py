"""Checking every row of a `devices import` or `users import` file against the file itself (duplicates) and
against what the database holds (spaces, owners, a device's space and platform). Pure: lookups are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from abctl.models.enums import Platform
from abctl.services.inventory.imports import (
    ImportProblemsError,
    RowProblem,
    SourceRow,
    check_email,
    check_flag,
    check_group_name,
    check_platform,
    check_serial,
    check_user_id,
    collect,
    text_value,
)


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


def device_rows(records: Sequence[SourceRow], *, default_space: str, known: Known, source: str) -> list[DeviceRow]:
    """Checked device rows. Raises: ImportProblemsError naming every bad line (duplicates name both lines)."""
    rows: list[DeviceRow] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for record in records:
        values, reasons = record.values, list[str]()
        serial = collect(reasons, check_serial, str(values["serial"]))
        platform = collect(reasons, check_platform, str(values["platform"]))
        given = text_value(values.get("shared_ipad")) is not None
        shared = collect(reasons, check_flag, values.get("shared_ipad"), "shared_ipad") if given else None
        space = text_value(values.get("space")) or default_space
        owner = text_value(values.get("owner"))
        if space not in known.spaces:
            reasons.append(f"no space named `{space}`")
        if serial is not None and serial in first_line:
            reasons.append(f"serial `{serial}` repeats line {first_line[serial]}")
        elif serial is not None:
            first_line[serial] = record.line
        if serial is not None and serial in known.devices:
            old_space, old_platform = known.devices[serial]
            if old_space != space:
                reasons.append(f"device `{serial}` is in space `{old_space}`; move it with abctl move-space")
            if platform is not None and old_platform != platform:
                reasons.append(f"device `{serial}` has platform {old_platform}, not {platform}")
        if shared and platform not in (None, Platform.IPADOS):
            reasons.append("only an iPad (platform ipados) can be a shared iPad")
        if shared and owner is not None:
            reasons.append("a shared iPad has no owner")
        elif owner is not None:
            reasons += _owner_reasons(owner, space, known)
        if reasons or serial is None or platform is None:
            problems.append(RowProblem(record.line, tuple(reasons)))
        else:
            rows.append(DeviceRow(record.line, serial, platform, owner, space, shared))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _owner_reasons(owner: str, space: str, known: Known) -> list[str]:
    if owner not in known.users or known.users[owner][1] == "deleted":
        return [f"owner `{owner}` is not a user; add it first (abctl users add or users import)"]
    if known.users[owner][0] != space:
        return [f"owner `{owner}` is in space `{known.users[owner][0]}`, not `{space}`"]
    return []


def user_rows(records: Sequence[SourceRow], *, default_space: str, known: Known, source: str) -> list[UserRow]:
    """Checked user rows. Raises: ImportProblemsError naming every bad line (duplicates name both lines)."""
    rows: list[UserRow] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for record in records:
        values, reasons = record.values, list[str]()
        user = collect(reasons, check_user_id, str(values["client_user_id"]))
        email = text_value(values.get("email"))
        managed = text_value(values.get("managed_apple_id"))
        if email is not None:
            collect(reasons, check_email, email)
        if managed is not None:
            collect(reasons, check_email, managed, "managed Apple ID")
        groups = [collect(reasons, check_group_name, group) for group in _group_list(values.get("groups"))]
        space = text_value(values.get("space")) or default_space
        if space not in known.spaces:
            reasons.append(f"no space named `{space}`")
        if user is not None and user in first_line:
            reasons.append(f"user `{user}` repeats line {first_line[user]}")
        elif user is not None:
            first_line[user] = record.line
        existing = known.users.get(user) if user is not None else None
        if existing is not None and existing[1] != "deleted" and existing[0] != space:
            reasons.append(f"user `{user}` is in space `{existing[0]}`")
        if reasons or user is None:
            problems.append(RowProblem(record.line, tuple(reasons)))
        else:
            rows.append(UserRow(record.line, user, email, managed, tuple(dict.fromkeys(g for g in groups if g)), space))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _group_list(value: Any) -> list[str]:
    """`groups` as a `;`-separated cell or a JSON list."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [str(item) for item in items if str(item).strip()]
