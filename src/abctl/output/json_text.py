"""A listing as `-o json` prints it, fast: the text of `json.dumps(rows, indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from abctl.output.values import PLAIN, machine_value

# Inside one object of an indented listing, items are separated by a comma, a new line and four spaces: the C
# encoder writes that (it indents nothing itself, and the indenting encoder is pure Python); between objects the
# same separator is then replaced by the listing's own.
_ENCODE_ROWS = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one plain value, as it is written inside a listing
_ENCODE_TEXT = json.encoder.encode_basestring  # one string, as the C encoder writes it with ensure_ascii=False


class SharedRows(Sequence[dict[str, Any]]):
    """A long listing whose rows are each one of a few shared `bases` (every key, in order) with one key, `own`,
    set to the row's own value: what a plan of 100,000 targets is (each target's row differs from many others
    only by the target). Read as a sequence it gives each row as a new dict; as json each base's text is written
    once and each row adds only its own value's."""

    def __init__(self, own: str, bases: Sequence[Mapping[str, Any]], which: Sequence[int], values: Sequence[Any]):
        """Row i is `bases[which[i]]` with `own` set to `values[i]`."""
        if len(which) != len(values):
            raise ValueError("one base per value")
        self.own = own
        self.bases = [dict(base) for base in bases]
        for base in self.bases:
            base.setdefault(own, None)
        self.which = which
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return {**self.bases[self.which[index]], self.own: self.values[index]}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        bases, own = self.bases, self.own
        for which, value in zip(self.which, self.values, strict=True):
            yield {**bases[which], own: value}

    def json(self, keys: Sequence[str]) -> str | None:
        """The listing of `keys` as json_rows writes it, or None when it holds a list or an object, or a row's
        own value is not plain (json_rows then writes it the general way)."""
        bases = [{key: machine_value(base.get(key)) for key in keys} for base in self.bases]
        if not keys or any(isinstance(value, (list, dict)) for base in bases for value in base.values()):
            return None
        values, own = self.values, self.own in keys
        if not values:
            return "[]"
        kinds = set(map(type, values)) if own else set()
        if not kinds <= PLAIN:
            return None
        # Text that json writes as it is (the common id) goes between its quotes as it is, with no encoder call.
        text = kinds == {str}
        joined = "".join(values) if text else ""
        bare = text and joined.isprintable() and '"' not in joined and "\\" not in joined
        quote = '"' if bare else ""
        heads, tails = [], []
        for base in bases:  # each base's text around its own value, the row's separator after it
            items = [f"{_ENCODE(key)}: {_ENCODE(value)}" for key, value in base.items()]
            if self.own in base:
                at = list(base).index(self.own)
                head = ",\n    ".join([*items[:at], f"{_ENCODE(self.own)}: "])
                tail = ",\n    ".join(["", *items[at + 1 :]]) if at + 1 < len(items) else ""
                heads.append("  {\n    " + head + quote)
                tails.append(quote + tail + "\n  },\n")
            else:
                heads.append("  {\n    " + ",\n    ".join(items) + "\n  },\n")
                tails.append("")
        pieces = ["[\n"]
        add = pieces.append
        if not own:
            pieces += map(heads.__getitem__, self.which)
        elif bare:
            for which, value in zip(self.which, values, strict=True):
                add(heads[which])
                add(value)
                add(tails[which])
        else:
            encode = _ENCODE_TEXT if text else _ENCODE
            for which, value in zip(self.which, values, strict=True):
                add(heads[which])
                add(encode(value))
                add(tails[which])
        pieces[-1] = pieces[-1][: -len(",\n")]  # the last row's separator: the listing's end instead
        add("\n]")
        return "".join(pieces)


def json_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str:
    """The rows' `keys`, as json carries them (machine_value), as one indented listing; rows of plain values (the
    common ones) are neither converted nor searched for nested values."""
    if isinstance(rows, SharedRows):
        text = rows.json(keys)
        if text is not None:
            return text
    data = []
    flat = bool(keys)
    keys = list(keys)
    for row in rows:
        # a row that is already a dict of exactly these keys in this order is written as it is
        item = (
            row if type(row) is dict and len(row) == len(keys) and list(row) == keys else {k: row.get(k) for k in keys}
        )
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
    # One call for the whole list, then the breaks between objects: with no list or object inside, `},\n    {`
    # (a real new line: one in a string is escaped) occurs only between two objects.
    text = _ENCODE_ROWS(data)
    return "[\n  {\n    " + text[2:-2].replace("},\n    {", "\n  },\n  {\n    ") + "\n  }\n]"
