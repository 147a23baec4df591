"""Reading an import file: CSV (header on line 1) or JSON (an array of objects), every record with the line it
starts on. Problems of the header or of one record are collected, not raised: the rows are checked in the same
pass (import_rows.py), so one run names every bad line. Pure: no store, no Apple.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import IO

from abctl.errors import InputError
from abctl.failure_words import in_words
from abctl.services.inventory.imports import Records, RowProblem, SourceRow, is_blank

Fields = tuple[tuple[str, ...], tuple[str, ...]]  # (required, optional) column names


def read_text(path: str, stdin: IO[str]) -> tuple[str, str]:
    """The file's text and a name for messages; `-` reads stdin. Raises: InputError when it cannot be read."""
    if path == "-":
        return stdin.read(), "stdin"
    try:
        return Path(path).read_text(encoding="utf-8-sig"), Path(path).name
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read `{path}`: {in_words(error)}", hint="check the file path") from None


def parse_records(text: str, source: str, fields: Fields) -> Records:
    """Records of a CSV or JSON file (the format follows the file name, else the first character), each with the
    problems reading found in it; header and syntax problems are the file's."""
    text = text.removeprefix("\ufeff")
    is_json = source.lower().endswith(".json") or (
        not source.lower().endswith(".csv") and text.lstrip().startswith("[")
    )
    return _json_records(text, source, fields) if is_json else _csv_records(text, source, fields)


def _csv_records(text: str, source: str, fields: Fields) -> Records:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as error:
        return Records([], [RowProblem(1, (f"not valid CSV: {error}",))], source)
    required, optional = fields
    bad = [f"column `{name}` is missing" for name in required if name not in header]
    bad += [f"unknown column `{name}`" for name in dict.fromkeys(header) if name not in (*required, *optional)]
    if len(set(header)) != len(header):
        bad.append("a column is named twice")
    problems = [RowProblem(1, tuple(bad))] if bad else []
    rows: list[SourceRow] = []
    end = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # e.g. a quote left open: nothing after it can be read
            problems.append(RowProblem(end + 1, (f"not valid CSV: {error}",)))
            break
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            rows.append(SourceRow(start, {}, (f"{len(record)} values for {len(header)} columns",), broken=True))
            continue
        values = {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)}
        missing = tuple(f"{key} is missing" for key in required if key in header and is_blank(values[key]))
        rows.append(SourceRow(start, values, missing))
    return Records(rows, problems, source)


def _json_records(text: str, source: str, fields: Fields) -> Records:
    """Walk the array element by element so each object keeps the line it starts on."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        return Records([], [RowProblem(1, ("expected a JSON array of objects",))], source)
    index = _skip_space(text, index + 1)
    required, optional = fields
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    line, counted = 1, 0  # the line at `counted`: newlines are counted from the previous object on, not from 0
    while not text.startswith("]", index):
        line, counted = line + text.count("\n", counted, index), index
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:  # nothing after it can be read
            problems.append(RowProblem(error.lineno, (f"not valid JSON: {error.msg}",)))
            break
        if isinstance(value, dict):
            values = {str(key).lower(): item for key, item in value.items()}
            reasons = [f"unknown column `{key}`" for key in values if key not in (*required, *optional)]
            reasons += [f"{key} is missing" for key in required if is_blank(values.get(key))]
            rows.append(SourceRow(line, values, tuple(reasons)))
        else:
            rows.append(SourceRow(line, {}, ("expected an object",), broken=True))
        index = _skip_space(text, index)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif not text.startswith("]", index):
            problems.append(RowProblem(text.count("\n", 0, index) + 1, ("expected `,` or `]`",)))
            break
    return Records(rows, problems, source)


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index
