"""What `users import` and `devices import` files are made of (CSV or JSON, design.md section 4): records with
their line numbers, the problems found in them, and the field checks (shared with `users add` and `devices add`).

Pure: no store, no Apple. Reading a file is import_files.py, checking rows against the file and the database is
import_rows.py. Every problem is collected with its line number (the CSV header is line 1; a JSON object is
numbered by the line it starts on) and reported together in one `ImportProblemsError`, so one run names every
bad line and a file is either wholly acceptable or changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from abctl.errors import InputError
from abctl.models.enums import Platform

T = TypeVar("T")
ALL_USERS = "All Users"
DEVICE_FIELDS = (("serial", "platform"), ("owner", "space", "shared_ipad"))
USER_FIELDS = (("client_user_id",), ("email", "managed_apple_id", "groups", "space"))
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_USER_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,256}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
_PLATFORMS = frozenset(platform.value for platform in Platform)
MAX_LISTED = 50  # problem lines the hint shows; the rest are counted


@dataclass(frozen=True)
class RowProblem:
    """Why one line of an import file cannot be imported."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: {'; '.join(self.reasons)}"


class ImportProblemsError(InputError):
    """An import file has bad lines; `problems` lists every one, in line order; the hint shows the first
    MAX_LISTED and counts the rest."""

    def __init__(self, problems: Sequence[RowProblem], *, source: str) -> None:
        ordered = sorted(problems, key=lambda problem: problem.line)
        count = len(ordered)
        rows = "1 bad line" if count == 1 else f"{count} bad lines"
        listing = "\n".join(f"  {problem}" for problem in ordered[:MAX_LISTED])
        if count > MAX_LISTED:
            listing += f"\n  ... and {count - MAX_LISTED} more bad lines"
        super().__init__(
            f"{ordered[0]} ({rows} in {source}; nothing was imported)",
            hint=f"fix these lines and import the file again:\n{listing}",
        )
        self.problems = tuple(ordered)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One record of an import file, with the line it starts on; values are as written (strings for CSV).

    `reasons` are the problems reading found in it (an unknown key, a required value missing); a `broken` record
    (more CSV values than columns) is reported as such only, since its values cannot be trusted.
    """

    line: int
    values: Mapping[str, Any]
    reasons: tuple[str, ...] = ()
    broken: bool = False

    def given(self, key: str) -> Any:
        """The value of a column, or None when the column is missing or the cell empty."""
        value = self.values.get(key)
        return None if is_blank(value) else value


@dataclass(frozen=True)
class Records:
    """An import file read: its records, and the problems of the file as a whole (header, JSON syntax)."""

    rows: list[SourceRow]
    problems: list[RowProblem]
    source: str


def is_blank(value: Any) -> bool:
    """An absent value or an empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


# -- field checks (raise InputError; shared with the add commands) ----------------------------------------------


def check_serial(text: str) -> str:
    """The serial in capitals (as Apple writes them). Raises: InputError unless 1-64 letters, digits or dashes."""
    serial = text.strip().upper()
    if not _SERIAL.match(serial):
        raise InputError(f"serial `{text}` is not valid", hint="use the device's serial number: letters and digits")
    return serial


def check_platform(text: str) -> str:
    """The platform in abctl's spelling (`iPadOS` -> `ipados`). Raises: InputError for an unknown one."""
    value = text.strip().lower()
    if value not in _PLATFORMS:
        raise InputError(
            f"platform `{text}` is not one of {', '.join(p.value for p in Platform)}",
            hint="give the device's platform, e.g. --platform ipados",
        )
    return value


def check_user_id(text: str) -> str:
    """Raises: InputError for an empty id, or one with spaces or control characters, or over 256 characters."""
    value = text.strip()
    if not _USER_ID.match(value):
        raise InputError(
            f"user id `{text}` is not valid",
            hint="use a stable id without spaces (1-256 characters), e.g. the directory's user id",
        )
    return value


def check_email(text: str, what: str = "email") -> str:
    """Raises: InputError unless the text looks like an email address."""
    value = text.strip()
    if not _EMAIL.match(value):
        raise InputError(f"{what} `{text}` is not an email address", hint="use the form name@example.org")
    return value


def check_group_name(text: str) -> str:
    """Raises: InputError for an empty or too long name, a `;`, or the implicit `All Users`."""
    value = text.strip()
    if value.casefold() == ALL_USERS.casefold():
        raise InputError(
            "`All Users` is implicit: every user is in it", hint="name another group, or leave All Users as it is"
        )
    if not value or len(value) > 64 or ";" in value or any(ord(char) < 32 for char in value):
        raise InputError(f"group name `{text}` is not valid", hint="use 1-64 characters, without `;`")
    return value


def check_flag(value: Any, what: str) -> bool:
    """A yes/no value from a file: true/false, yes/no, 1/0 (empty is no). Raises: InputError otherwise."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{what} `{value}` is not true or false")


def text_value(value: Any) -> str | None:
    """A cell as text, or None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def collect(reasons: list[str], check: Callable[..., T], *args: Any) -> T | None:
    """Run one field check, turning its InputError into a reason for this row."""
    try:
        return check(*args)
    except InputError as error:
        reasons.append(error.message)
        return None
