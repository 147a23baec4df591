"""The one renderer: tables for people, json / jsonl / csv for scripts, messages and progress on stderr.

Stdout carries only data; every message, warning and progress bar goes to stderr. Machine formats use the
same snake_case keys. Only this module and `abctl.cli` import rich.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from abctl import interrupt
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


LARGE_TABLE_ROWS = 500  # beyond this, tables are drawn as aligned plain text (fast, still readable)
LEVEL_STYLES = {"info": "cyan", "warn": "yellow", "alert": "bold red"}


@dataclass(frozen=True)
class Column:
    """One column of a listing: its machine key, its table header, and how a table cell is drawn."""

    key: str
    header: str
    justify: str = "left"
    style_by_value: Mapping[str, str] | None = None
    in_table: bool = True  # False: json/jsonl/csv carry it, the table for people leaves it out to stay readable


def machine_value(value: Any) -> Any:
    """A value as json/csv carry it: datetimes as ISO-8601 UTC, enums as their value."""
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list, frozenset, set)):
        return [machine_value(item) for item in value]
    return value


def human_value(value: Any) -> str:
    """A value as a table cell shows it."""
    value = machine_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _csv_value(value: Any) -> Any:
    value = machine_value(value)
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


class Renderer:
    """Draws rows and records on stdout and messages on stderr, in the format the user chose."""

    def __init__(
        self,
        *,
        fmt: Format = Format.TABLE,
        quiet: bool = False,
        verbose: bool = False,
        no_color: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.fmt = fmt
        self.quiet = quiet
        self.verbose = verbose
        self._stdout = stdout
        self._stderr = stderr
        self._no_color = no_color

    # rich is imported when something is drawn, not before: `abctl --version` and json output never load it.
    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(file=self._stdout, highlight=False, no_color=self._no_color or None, soft_wrap=False)

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        console = Console(file=self._stderr or sys.stderr, stderr=self._stderr is None, highlight=False)
        if self._no_color:
            console.no_color = True
        return console

    @property
    def _out_file(self) -> TextIO:
        return self._stdout or sys.stdout

    # -- data on stdout -------------------------------------------------------------------------------------

    def rows(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *, title: str | None = None) -> None:
        """Print a listing in the chosen format; json prints `[]` when there are no rows."""
        keys = [column.key for column in columns]
        if self.fmt is Format.JSON:
            data = [{key: machine_value(row.get(key)) for key in keys} for row in rows]
            self._write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        elif self.fmt is Format.JSONL:
            lines = [json.dumps({k: machine_value(row.get(k)) for k in keys}, ensure_ascii=False) for row in rows]
            self._write("".join(line + "\n" for line in lines))
        elif self.fmt is Format.CSV:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({key: _csv_value(row.get(key)) for key in keys})
            self._write(buffer.getvalue())
        else:
            self._table(rows, [column for column in columns if column.in_table], title)

    def record(self, record: Mapping[str, Any], columns: Sequence[Column], *, title: str | None = None) -> None:
        """Print one object: a two-column table for people, an object in json/jsonl, one row in csv."""
        if self.fmt is Format.JSON:
            data = {column.key: machine_value(record.get(column.key)) for column in columns}
            extra = {k: machine_value(v) for k, v in record.items() if isinstance(v, list) and k not in data}
            self._write(json.dumps({**data, **extra}, indent=2, ensure_ascii=False) + "\n")
        elif self.fmt in (Format.JSONL, Format.CSV):
            self.rows([record], columns)
        else:
            from rich.table import Table

            table = Table(title=title, show_header=False, box=None, pad_edge=False)
            table.add_column(style="bold")
            table.add_column()
            for column in columns:
                table.add_row(column.header, human_value(record.get(column.key)))
            self.out.print(table)

    def _table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], title: str | None) -> None:
        if not rows:
            self.info(f"No {title.lower() if title else 'rows'}.")
            return
        if len(rows) > LARGE_TABLE_ROWS:
            self._plain_table(rows, columns, title)
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column.header, justify=column.justify)  # type: ignore[arg-type]
        for row in rows:
            cells: list[Text] = []
            for column in columns:
                text = human_value(row.get(column.key))
                style = (column.style_by_value or {}).get(text.lower(), "")
                cells.append(Text(text, style=style))
            table.add_row(*cells)
        self.out.print(table)

    def _plain_table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], title: str | None) -> None:
        """Aligned plain text for long listings: Rich's table layout costs about a millisecond a row."""
        cells = [[human_value(row.get(column.key)) for column in columns] for row in rows]
        widths = [max(len(column.header), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]

        def line(values: Sequence[str]) -> str:
            parts = [
                v.rjust(w) if c.justify == "right" else v.ljust(w)
                for v, w, c in zip(values, widths, columns, strict=True)
            ]
            return "  ".join(parts).rstrip()

        header = line([column.header for column in columns])
        body = "\n".join(line(values) for values in cells)
        self._write(f"{title + chr(10) if title else ''}{header}\n{'-' * len(header)}\n{body}\n")

    def text(self, text: str) -> None:
        """Print plain data text on stdout (for example an invite URL or a prometheus exposition)."""
        self._write(text if text.endswith("\n") else text + "\n")

    def _write(self, text: str) -> None:
        self._out_file.write(text)
        self._out_file.flush()

    # -- messages on stderr ---------------------------------------------------------------------------------

    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(message, markup=False)

    def detail(self, message: str) -> None:
        """A message shown only with --verbose."""
        if self.verbose and not self.quiet:
            self.err.print(message, markup=False, style="dim")

    @staticmethod
    def _text(message: str, style: str = "") -> Text:
        from rich.text import Text

        return Text(message, style=style)

    def success(self, message: str) -> None:
        if not self.quiet:
            self.err.print(self._text(message, "green"))

    def warn(self, message: str) -> None:
        self.err.print(self._text(f"Warning: {message}", "yellow"))

    def error(self, message: str, hint: str | None) -> None:
        self.err.print(self._text(f"Error: {message}", "bold red"))
        if hint:
            self.err.print(self._text(f"Hint: {hint}"))

    def heading(self, message: str) -> None:
        """A step heading on stderr, used by `abctl demo`."""
        if not self.quiet:
            self.err.print(self._text(message, "bold"))

    # -- progress on stderr ---------------------------------------------------------------------------------

    @property
    def shows_progress(self) -> bool:
        return self.fmt is Format.TABLE and not self.quiet and self.err.is_terminal

    @contextmanager
    def progress(self, description: str) -> Iterator[Callable[[int, int], None]]:
        """Yield `advance(done, total)`; draws a bar on stderr only when it is a terminal."""
        if not self.shows_progress:
            yield lambda done, total: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.err,
            transient=True,
        )
        task = bar.add_task(description, total=None)
        with bar, interrupt.on_interrupt(bar.stop):  # Ctrl-C: the bar goes at once, not when the threads stop

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield advance
