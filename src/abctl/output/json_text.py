"""A listing as `-o json` prints it, fast: the text of `json.dumps(rows, indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from abctl.output.values import PLAIN, machine_value

# Inside one object of an indented listing, items are separated by a comma, a new line and four spaces: the C
# encoder writes that (it indents nothing itself, and the indenting encoder is pure Python).
_ENCODE_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode


def json_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str:
    """The rows' `keys`, as json carries them (machine_value), as one indented listing; rows of plain values (the
    common ones) are neither converted nor searched for nested values."""
    data = []
    flat = bool(keys)
    for row in rows:
        item = {key: row.get(key) for key in keys}
        for value in item.values():
            if type(value) not in PLAIN:
                item = {key: machine_value(value) for key, value in item.items()}
                flat = flat and not any(isinstance(value, (list, dict)) for value in item.values())
                break
        data.append(item)
    return _indented(data, flat=flat)


def json_listing(data: Sequence[Mapping[str, Any]]) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)`, faster for a list of flat objects."""
    flat = all(row and not any(isinstance(v, (list, dict)) for v in row.values()) for row in data)
    return _indented(data, flat=flat)


def _indented(data: Sequence[Mapping[str, Any]], *, flat: bool) -> str:
    """Flat objects (no list or object inside, none empty) each written by the C encoder (100,000 rows took
    seconds in the indenting one); anything else the standard way."""
    if not data or not flat:
        return json.dumps(data, indent=2, ensure_ascii=False)
    return "[\n" + ",\n".join("  {\n    " + _ENCODE_ROW(row)[1:-1] + "\n  }" for row in data) + "\n]"
