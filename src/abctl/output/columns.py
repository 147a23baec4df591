"""What a listing is made of: the output formats and the columns of a view. Standard library only, so command
modules can declare their views without importing any drawing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Format(StrEnum):
    TABLE = "table"
    WIDE = "wide"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"

    @property
    def for_people(self) -> bool:
        return self in (Format.TABLE, Format.WIDE)


LEVEL_STYLES = {"info": "cyan", "warn": "yellow", "alert": "bold red"}


@dataclass(frozen=True)
class Column:
    """One column of a listing: its machine key, its table header, and how a table draws it.

    By default a column holds identifiers (names, ids, serials, numbers, times), which tables never cut or wrap.
    `wrap`: free text that may wrap. `drop`: shed when the terminal is too narrow (highest first; 0 never).
    `in_table=False`: only `-o wide`, json, jsonl and csv carry it (constant or secondary columns).
    `machine=False`: only the default table draws it (a short form of other keys, e.g. `5/5` for two counts).
    `date_only`: times drawn as `2026-12-31` (deadlines counted in days).
    """

    key: str
    header: str
    justify: str = "left"
    style_by_value: Mapping[str, str] | None = None
    in_table: bool = True
    wrap: bool = False
    drop: int = 0
    date_only: bool = False
    machine: bool = True
