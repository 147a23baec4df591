"""The one renderer: tables for people, json / jsonl / csv for scripts, messages and progress on stderr.

Stdout carries only data; every message, warning and progress bar goes to stderr. Machine formats use the
same snake_case keys and keep ISO-8601 times. Tables fit the terminal without cutting an identifier (see
abctl.output.layout); `-o wide` draws every column on one line per row. rich is imported only when something
is drawn with colour or a message is printed (startup speed), never at import; the table drawing, json and csv
when rows are printed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from abctl import interrupt
from abctl.output.columns import LEVEL_STYLES, Column, Format
from abctl.output.values import csv_value, human_value, machine_value

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["LEVEL_STYLES", "Column", "Format", "Renderer", "human_value", "machine_value"]


SUMMARY_ROWS = 300  # a result longer than this is summarised in the table (the full rows: -o wide/json/csv)


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
        width: int | None = None,
        columns: Sequence[str] | None = None,
    ) -> None:
        self.fmt = fmt
        self.quiet = quiet
        self.verbose = verbose
        self.no_color = no_color
        self.width = width
        self.selected = list(columns) if columns else None
        self._known: set[str] = set()
        self._stdout = stdout
        self._stderr = stderr
        self._out: Console | None = None
        self._err: Console | None = None

    # -- consoles (rich, on first use) ----------------------------------------------------------------------

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(file=self._stdout, highlight=False, no_color=self.no_color or None, soft_wrap=True)
        return self._out

    @out.setter
    def out(self, console: Console) -> None:
        self._out = console

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(file=self._stderr or sys.stderr, stderr=self._stderr is None, highlight=False)
            if self.no_color:
                self._err.no_color = True
        return self._err

    @property
    def _out_file(self) -> TextIO:
        return self._stdout or sys.stdout

    def colour(self) -> bool:
        """Whether tables on stdout are drawn with colour (a terminal, and no --no-color / NO_COLOR)."""
        if self._out is not None:
            return self._out.is_terminal and not self._out.no_color
        if self.no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        return self._out_file.isatty()

    def table_width(self) -> int | None:
        """The width tables fit: --width, else COLUMNS, else the terminal's; None (no limit) when not a terminal."""
        if self.fmt is Format.WIDE:
            return None
        if self.width is not None:
            return self.width
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        try:
            return os.get_terminal_size(self._out_file.fileno()).columns if self._out_file.isatty() else None
        except (OSError, ValueError, AttributeError):
            return None

    # -- --columns --------------------------------------------------------------------------------------------

    def check_columns(self, *column_sets: Sequence[Column]) -> None:
        """Declare the columns a command can print and check --columns against them before any work is done.

        Raises: InputError (exit 2) naming the unknown key, with a did-you-mean and the valid keys.
        """
        for columns in column_sets:
            self._known.update(column.key for column in columns)
        if not self.selected:
            return
        unknown = [key for key in self.selected if key not in self._known]
        if unknown:
            import difflib

            from abctl.errors import InputError

            keys = sorted(self._known)
            close = difflib.get_close_matches(unknown[0], keys, n=1)
            guess = f"did you mean `{close[0]}`? " if close else ""
            raise InputError(f"unknown column `{unknown[0]}`", hint=f"{guess}columns here: {', '.join(keys)}")

    def _chosen(self, columns: Sequence[Column]) -> list[Column]:
        """The columns to print: --columns in its order, else every column (wide, scripts) or the table's."""
        if self.selected:
            self.check_columns(columns)
            by_key = {column.key: column for column in columns}
            picked = [by_key[key] for key in self.selected if key in by_key]
            picked = [column for column in picked if column.machine or self.fmt.for_people]
            return picked or [column for column in columns if column.in_table]
        if self.fmt is Format.TABLE:
            return [column for column in columns if column.in_table]
        return [column for column in columns if column.machine]

    # -- data on stdout -------------------------------------------------------------------------------------

    def rows(
        self,
        rows: Sequence[Mapping[str, Any]],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        outcome: bool = False,
        summary: Sequence[str] | None = None,
        footer: str | None = None,
    ) -> None:
        """Print a listing in the chosen format; json prints `[]` when there are no rows.

        `outcome`: the report of a change (sync, assign, revoke ...): nothing at all with -q.
        `summary`: keys to count rows by when a table would be longer than SUMMARY_ROWS.
        `footer`: a line under a table for people (never in json/csv).
        """
        if outcome and self.quiet:
            self._chosen(columns)
            return
        import json  # here, as csv and the table drawing: what a help screen never needs

        import abctl.output.tables as tables
        from abctl.output.json_text import json_rows

        chosen = self._chosen(columns)
        keys = [column.key for column in chosen]
        if self.fmt is Format.JSON:
            self._write(json_rows(rows, keys) + "\n")
        elif self.fmt is Format.JSONL:
            lines = [json.dumps({k: machine_value(row.get(k)) for k in keys}, ensure_ascii=False) for row in rows]
            self._write("".join(line + "\n" for line in lines))
        elif self.fmt is Format.CSV:
            import csv
            import io

            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({key: csv_value(row.get(key)) for key in keys})
            self._write(buffer.getvalue())
        elif not rows:
            self.info(f"No {title.lower() if title else 'rows'}.")
        elif summary and self.fmt is Format.TABLE and not self.selected and len(rows) > SUMMARY_ROWS:
            grouped, counted = tables.summarise(rows, columns, summary)
            tables.draw_table(self, grouped, counted, f"{title or 'Rows'}: {len(rows):,} rows, counted", None,
                              hide_empty=False)  # fmt: skip
            self.info(f"{len(rows):,} rows in {len(grouped)} group(s); -o wide, json or csv lists every row.")
        else:
            tables.draw_table(self, rows, chosen, title, footer, hide_empty=self.fmt is Format.TABLE and
                              not self.selected)  # fmt: skip

    def record(self, record: Mapping[str, Any], columns: Sequence[Column], *, title: str | None = None) -> None:
        """Print one object: label and value lines for people, an object in json/jsonl, one row in csv."""
        import json

        import abctl.output.tables as tables

        chosen = self._chosen(columns) if self.selected else list(columns)  # one object: every field fits
        if self.fmt is Format.JSON:
            data = {column.key: machine_value(record.get(column.key)) for column in chosen}
            extra = {k: machine_value(v) for k, v in record.items() if isinstance(v, list) and k not in data}
            self._write(json.dumps({**data, **extra}, indent=2, ensure_ascii=False) + "\n")
        elif self.fmt in (Format.JSONL, Format.CSV):
            self.rows([record], chosen)
        else:
            tables.draw_record(self, record, chosen, title)

    def text(self, text: str) -> None:
        """Print plain data text on stdout (for example an invite URL or a prometheus exposition)."""
        self._write(text if text.endswith("\n") else text + "\n")

    def write(self, text: str) -> None:
        """Write data text to stdout as it is."""
        self._write(text)

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

    def success(self, message: str) -> None:
        if not self.quiet:
            self.err.print(message, markup=False, style="green")

    def warn(self, message: str) -> None:
        self.err.print(f"Warning: {message}", markup=False, style="yellow")

    def error(self, message: str, hint: str | None) -> None:
        self.err.print(f"Error: {message}", markup=False, style="bold red")
        if hint:
            self.err.print(f"Hint: {hint}", markup=False)

    def heading(self, message: str) -> None:
        """A step heading on stderr, used by `abctl demo`."""
        if not self.quiet:
            self.err.print(message, markup=False, style="bold")

    # -- progress on stderr ---------------------------------------------------------------------------------

    @property
    def shows_progress(self) -> bool:
        return self.fmt.for_people and not self.quiet and self.err.is_terminal

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
