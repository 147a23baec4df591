"""Reading `users import` and `devices import` files (CSV or JSON, design.md section 4) and checking every row.

Pure: no store, no Apple. Every bad row is collected with its line number (the CSV header is line 1; a JSON
object is numbered by the line it starts on) and reported together in one `ImportProblemsError`, so a file is
either wholly acceptable or changes nothing. The field checks are shared with `users add` and `devices add`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from abctl.errors import InputError
from abctl.failure_words import in_words
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


@dataclass(frozen=True)
class RowProblem:
    """Why one line of an import file cannot be imported."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: {'; '.join(self.reasons)}"


class ImportProblemsError(InputError):
    """An import file has bad rows; `problems` lists every one (the hint shows them too)."""

    def __init__(self, problems: Sequence[RowProblem], *, source: str) -> None:
        count = len(problems)
        rows = "1 bad row" if count == 1 else f"{count} bad rows"
        listing = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{problems[0]} ({rows} in {source}; nothing was imported)",
            hint=f"fix these lines and import the file again:\n{listing}",
        )
        self.problems = tuple(problems)


@dataclass(frozen=True)
class SourceRow:
    """One record of an import file, with the line it starts on; values are as written (strings for CSV)."""

    line: int
    values: Mapping[str, Any]


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
    if value not in {platform.value for platform in Platform}:
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


# -- reading files ----------------------------------------------------------------------------------------------


def read_text(path: str, stdin: IO[str]) -> tuple[str, str]:
    """The file's text and a name for messages; `-` reads stdin. Raises: InputError when it cannot be read."""
    if path == "-":
        return stdin.read(), "stdin"
    try:
        return Path(path).read_text(encoding="utf-8-sig"), Path(path).name
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read `{path}`: {in_words(error)}", hint="check the file path") from None


def parse_records(text: str, source: str, fields: tuple[tuple[str, ...], tuple[str, ...]]) -> list[SourceRow]:
    """Records of a CSV (header on line 1) or JSON (array of objects) file; the format follows the file name,
    else the first character. Raises: ImportProblemsError for a bad header, shape or unknown key."""
    text = text.removeprefix("\ufeff")
    is_json = source.lower().endswith(".json") or (
        not source.lower().endswith(".csv") and text.lstrip().startswith("[")
    )
    rows = _json_records(text, source) if is_json else _csv_records(text, source, fields)
    required, optional = fields
    problems = []
    for row in rows:
        reasons = [f"unknown column `{key}`" for key in row.values if key not in (*required, *optional)]
        reasons += [f"{key} is missing" for key in required if _blank(row.values.get(key))]
        if reasons:
            problems.append(RowProblem(row.line, tuple(reasons)))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_records(text: str, source: str, fields: tuple[tuple[str, ...], tuple[str, ...]]) -> list[SourceRow]:
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    required, optional = fields
    bad = [f"column `{name}` is missing" for name in required if name not in header]
    bad += [f"unknown column `{name}`" for name in header if name not in (*required, *optional)]
    if len(set(header)) != len(header):
        bad.append("a column is named twice")
    if bad:
        raise ImportProblemsError([RowProblem(1, tuple(bad))], source=source)
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    end = reader.line_num
    for record in reader:
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.append(RowProblem(start, (f"{len(record)} values for {len(header)} columns",)))
            continue
        rows.append(SourceRow(start, {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)}))
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _json_records(text: str, source: str) -> list[SourceRow]:
    """Walk the array element by element so each object keeps the line it starts on."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        raise ImportProblemsError([RowProblem(1, ("expected a JSON array of objects",))], source=source)
    index = _skip_space(text, index + 1)
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    while not text.startswith("]", index):
        line = text.count("\n", 0, index) + 1
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            problem = RowProblem(error.lineno, (f"not valid JSON: {error.msg}",))
            raise ImportProblemsError([problem], source=source) from None
        if isinstance(value, dict):
            rows.append(SourceRow(line, {str(key).lower(): item for key, item in value.items()}))
        else:
            problems.append(RowProblem(line, ("expected an object",)))
        index = _skip_space(text, index)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif not text.startswith("]", index):
            line = text.count("\n", 0, index) + 1
            raise ImportProblemsError([RowProblem(line, ("expected `,` or `]`",))], source=source)
    if problems:
        raise ImportProblemsError(problems, source=source)
    return rows


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


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
