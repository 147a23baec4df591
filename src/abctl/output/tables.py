"""Tables and records for people: laid out by abctl.output.layout, written plain (or coloured with rich, imported
only then), times in UTC said once, columns shed for a narrow terminal named in one note on stderr.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

import abctl.output.layout as layout
from abctl.output.columns import Column
from abctl.output.values import human_cell, human_value, is_time

if TYPE_CHECKING:
    from rich.console import Console

PLAIN_ROWS = 500  # beyond this, tables are not coloured (rich costs tens of microseconds a line)


class Sink(Protocol):
    """What drawing needs from the renderer."""

    @property
    def out(self) -> Console: ...

    def table_width(self) -> int | None: ...

    def colour(self) -> bool: ...

    def write(self, text: str) -> None: ...

    def info(self, message: str) -> None: ...


def _join(pieces: Sequence[str]) -> str:
    return (" " * layout.GAP).join(pieces).rstrip()


def _timed(columns: Sequence[Column], values: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a time of day is shown (dates alone are not worth the note); a column holds times or not, so its
    first value says."""
    for column in columns:
        if column.date_only:
            continue
        first = next((row.get(column.key) for row in values if row.get(column.key) not in (None, "")), None)
        if is_time(first):
            return True
    return False


def _wrapped(text: str, width: int | None) -> list[str]:
    return layout.wrap(layout.Cell.words(text), width, fold=False) if width else [text]


def draw_table(
    sink: Sink, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], title: str | None,
    footer: str | None, *, hide_empty: bool,
) -> None:  # fmt: skip
    """The rows as an aligned table at the terminal's width; a column empty in every row is left out when
    `hide_empty` (the default view: it says nothing)."""
    if hide_empty:
        columns = [c for c in columns if any(row.get(c.key) not in (None, "", [], ()) for row in rows)] or columns
    specs = [layout.Spec(c.header, c.justify == "right", c.wrap, c.drop) for c in columns]
    cells = [[human_cell(row.get(c.key), wrap=c.wrap, date_only=c.date_only) for c in columns] for row in rows]
    width = sink.table_width()
    plan = layout.plan(specs, cells, width)
    shown = [columns[j] for j in plan.shown]
    timed = _timed(shown, rows)
    heading = _wrapped(f"{title} (times in UTC)" if timed else title, width) if title else []
    header = layout.block(specs, [layout.Cell.words(spec.header) for spec in specs], plan)
    body = [layout.block(specs, row, plan) for row in cells]
    rule = _join(["-" * w for w in plan.widths])
    if sink.colour() and len(rows) <= PLAIN_ROWS:
        _coloured(sink, heading, header, rule, body, rows, shown)
    else:
        text = [*heading, *(_join(line) for line in header), rule, *(_join(line) for lines in body for line in lines)]
        sink.write("\n".join(text) + "\n")
    for line in (footer or "").splitlines():  # continuation lines indented, so each note reads as one
        first, *more = _wrapped(line, width)
        rest = _wrapped(" ".join(more), width - 2 if width else None) if more else []
        sink.write("\n".join([first, *("  " + piece for piece in rest)]) + "\n")
    if timed and not title:
        sink.write("Times are in UTC.\n")
    if plan.shed:
        sink.info(f"{plan.shed} column{'s' if plan.shed > 1 else ''} hidden; -o wide shows them")


def _coloured(
    sink: Sink, heading: list[str], header: list[list[str]], rule: str, body: list[list[list[str]]],
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column],
) -> None:  # fmt: skip
    from rich.text import Text

    gap = " " * layout.GAP
    text = Text(no_wrap=True, overflow="ignore")
    for line in heading:
        text.append(line + "\n", style="bold")
    for pieces in header:
        text.append(_join(pieces) + "\n", style="bold")
    text.append(rule + "\n", style="dim")
    for row, lines in zip(rows, body, strict=True):
        styles = [(c.style_by_value or {}).get(human_value(row.get(c.key)).lower(), "") for c in columns]
        for pieces in lines:
            last = max((i for i, piece in enumerate(pieces) if piece.strip()), default=-1)
            for i, (piece, style) in enumerate(zip(pieces[: last + 1], styles, strict=False)):
                text.append(piece.rstrip() if i == last else piece + gap, style=style if piece.strip() else "")
            text.append("\n")
    text.rstrip()
    sink.out.print(text, soft_wrap=True, crop=False)


def draw_record(sink: Sink, record: Mapping[str, Any], columns: Sequence[Column], title: str | None) -> None:
    """One object as label / value lines; free text and lists wrap under their value, identifiers never."""
    label = max((layout.cell_len(column.header) for column in columns), default=0)
    width = sink.table_width()
    room = width - label - layout.GAP if width is not None else None
    lines = _wrapped(title, width) if title else []
    for column in columns:
        cell = human_cell(record.get(column.key), wrap=column.wrap, date_only=column.date_only)
        values = layout.wrap(cell, room, fold=column.wrap) if room and room > 0 else [cell.text]
        lines.append(_join([layout.pad(column.header, label, False), values[0]]))
        lines += [_join([" " * label, more]) for more in values[1:]]
    if _timed(columns, [record]):
        lines.append("Times are in UTC.")
    sink.write("\n".join(lines) + "\n")


def summarise(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], keys: Sequence[str]
) -> tuple[list[dict[str, Any]], list[Column]]:
    """Rows counted by `keys` (for a result too long to read row by row), in order of first appearance."""
    from abctl.output.json_text import SharedRows

    by_key = {column.key: column for column in columns}
    # counted by the values first (in C when every row has every key), shown once per group: 30,000 rows, 10x less
    raw: Counter[tuple[Any, ...]] = Counter()
    if isinstance(rows, SharedRows) and rows.own not in keys:  # rows of a few shared ones: count those
        for which, n in Counter(rows.which).items():
            raw[tuple(rows.bases[which].get(key) for key in keys)] += n
    else:
        pick = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
        try:
            raw = Counter(map(pick, rows))
        except KeyError:
            raw = Counter(tuple(row.get(key) for key in keys) for row in rows)
    counts: dict[tuple[str, ...], int] = {}
    for values, n in raw.items():
        group = tuple(human_value(value) for value in values)
        counts[group] = counts.get(group, 0) + n
    grouped = [{**dict(zip(keys, group, strict=True)), "count": n} for group, n in counts.items()]
    plain = [Column(key, by_key[key].header if key in by_key else key) for key in keys]
    return grouped, [*plain, Column("count", "Rows", "right")]
