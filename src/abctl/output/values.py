"""How one value is written: as json/csv carry it (ISO-8601 UTC, enum values) and as a table cell shows it
(`2026-12-01 07:31`, `1,500`, `yes`). Standard library only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from abctl.output.layout import Cell
from abctl.timeutil import to_iso

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


PLAIN = frozenset({str, int, float, bool, type(None)})  # values json and csv carry as they are


def machine_value(value: Any) -> Any:
    """A value as json/csv carry it: datetimes as ISO-8601 UTC, enums as their value."""
    if type(value) in PLAIN:  # the common case, first (a million values in a 100,000-row listing)
        return value
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list, frozenset, set)):
        return [machine_value(item) for item in value]
    return value


def _iso_text(value: str) -> bool:
    return len(value) >= 16 and value[4] == "-" and value[10] == "T" and _ISO.match(value) is not None


def is_time(value: Any) -> bool:
    """A datetime, or ISO-8601 text of one (tables show both as `YYYY-MM-DD HH:MM` UTC)."""
    return isinstance(value, datetime) or (isinstance(value, str) and _iso_text(value))


def _moment(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def human_value(value: Any, *, date_only: bool = False) -> str:
    """A value as a table cell shows it."""
    if type(value) is str and not _iso_text(value):  # the common case, first (30,000-row results)
        return value
    if is_time(value):
        return f"{_moment(value):%Y-%m-%d}" if date_only else f"{_moment(value):%Y-%m-%d %H:%M}"
    value = machine_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):  # one decimal (percentages, days), two where they matter (prices)
        return f"{value:.1f}" if round(value, 1) == value else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(human_value(item) for item in value)
    return str(value)


def human_cell(value: Any, *, wrap: bool = False, date_only: bool = False) -> Cell:
    """A table cell: free text breaks between words, a list between items, anything else stays whole."""
    if type(value) is str and not wrap and not _iso_text(value):  # the common case, first
        return Cell((value,) if value else ())
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [human_value(item) for item in value]
        return Cell.words(", ".join(items)) if wrap else Cell.items(items)
    text = human_value(value, date_only=date_only)
    if wrap:
        return Cell.words(text)
    return Cell((text,) if text else ())


def csv_value(value: Any) -> Any:
    value = machine_value(value)
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
