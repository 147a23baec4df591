"""The database handle every store mixin shares, and its transaction helper."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from abctl.store.database import Database

CHUNK = 900  # SQLite's default limit on bound parameters is 999


class StoreBase:
    """Holds the store's `Database` (abctl.store.database); mixins add typed reads and writes per concern."""

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

    def _where(self, **values: Any) -> tuple[str, tuple[Any, ...]]:
        """A WHERE clause and its parameters for the given column values (None: no filter; `states`: IN)."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in values.items():
            if value is None:
                continue
            if column == "states":
                where.append(f"state IN ({marks(value)})")
                params.extend(value)
            else:
                where.append(f"{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(where) if where else ""), tuple(params)


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    """`items` in slices small enough for one IN list."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def marks(items: Sequence[object]) -> str:
    """As many `?` placeholders as `items`, comma-separated."""
    return ", ".join("?" for _ in items)


def dumps(value: Any) -> str:
    """JSON text for a payload column."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
