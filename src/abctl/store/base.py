"""The database handle every store mixin shares, and its transaction helper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database


class StoreBase:
    """Holds the sqlite-utils `Database`; mixins add typed reads and writes per concern."""

    db: Database

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction (a savepoint when nested)."""
        with self.db.atomic():
            yield

    def _one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        rows = list(self.db.query(sql, params))
        return rows[0] if rows else None

    def _all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def _scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]


def dumps(value: Any) -> str:
    """JSON text for a payload column."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
