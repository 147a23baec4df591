"""`Database`: the store's handle on one SQLite connection, with what the store needs of it and nothing more.

abctl used sqlite-utils' `Database` for this; importing sqlite-utils (and what it pulls in: dateutil, pluggy,
its plugins) is most of the start-up time of a small read command, so the store keeps its own small class and
imports sqlite-utils only to apply a pending migration (abctl.store.schema). The transaction rules are the ones
the store was written against (sqlite-utils 4):

- The connection keeps Python's default transaction handling (a write statement opens a transaction).
- `execute` commits a write statement that opened a transaction itself; inside an open transaction (`atomic`)
  it becomes part of it. A failed statement that opened a transaction rolls it back.
- `atomic` runs a block in one transaction; nested blocks are savepoints, undone alone when they fail.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Params = Sequence[Any] | dict[str, Any]
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def first_keyword(sql: str) -> str:
    """The statement's first keyword in capitals (`INSERT`, `SAVEPOINT`...); empty when it has none."""
    text = sql.lstrip(" \t\r\n;\ufeff")
    end = 0
    while end < len(text) and (text[end].isalpha() or text[end] == "_"):
        end += 1
    return text[:end].upper()


def unique_keys(names: Sequence[str]) -> list[str]:
    """Column names made unique for dict rows: a repeated name gets `_2`, `_3`... (never another column's)."""
    taken = set(names)
    if len(taken) == len(names):
        return list(names)
    seen: set[str] = set()
    keys: list[str] = []
    for name in names:
        key, suffix = name, 2
        if key in seen:
            while key in seen or key in taken:
                key, suffix = f"{name}_{suffix}", suffix + 1
        seen.add(key)
        keys.append(key)
    return keys


class Database:
    """One SQLite connection (`conn`, for `executemany`, backups and tracing) and the store's ways to use it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._savepoints = itertools.count(1)
        conn.execute("PRAGMA recursive_triggers = ON")  # as under sqlite-utils: a trigger's writes fire triggers

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one statement. A write outside `atomic` is committed at once; a failed one leaves nothing open."""
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql, params)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and conn.in_transaction
            and cursor.description is None
            and first_keyword(sql) not in TRANSACTION_CONTROL
        ):
            conn.execute("COMMIT")
        return cursor

    def query(self, sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
        """The rows of a statement that returns rows, each a dict by column name (read as they are iterated).

        Raises:
            ValueError: the statement returns no rows (use `execute`).
        """
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() is for SQL that returns rows; use execute() for other statements")
        keys = unique_keys([column[0] for column in cursor.description])
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """Run the block in one transaction, committed at its end and rolled back if it raises; a block inside
        another is a savepoint: when it raises, only its own writes are undone (and the error goes on)."""
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"abctl_{next(self._savepoints)}"
            conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:  # an error such as a full disk may have ended the transaction already
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        conn.execute("BEGIN")
        try:
            yield self
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def table_names(self) -> list[str]:
        """The names of the database's tables (not views or indexes)."""
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def close(self) -> None:
        self.conn.close()
