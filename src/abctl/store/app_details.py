"""What Apple's content lookup says about each adamId, beyond its name (`app_metadata`): bundle id, version, the
price of one license, the download size, the store links. Written by sync (refreshed when older than a day),
read by usage, `users show`, `devices show` and APP arguments given as bundle ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.store.base import StoreBase
from abctl.timeutil import from_iso, to_iso

if TYPE_CHECKING:
    from abctl.models.apple import AppMetadata

_CHUNK = 900  # below SQLite's bound-parameter limit


@dataclass(frozen=True)
class AppDetails:
    """One app or book as the lookup last described it."""

    adam_id: str
    name: str
    kind: str | None
    platforms: tuple[str, ...]
    bundle_id: str | None
    version: str | None
    price: float | None
    price_formatted: str | None
    currency: str | None
    size_bytes: int | None
    artwork_url: str | None
    store_url: str | None
    fetched_at: datetime


def _details(row: dict[str, Any]) -> AppDetails:
    return AppDetails(
        row["adam_id"], row["name"], row["kind"], tuple(p for p in (row["platforms"] or "").split(",") if p),
        row["bundle_id"], row["version"], row["price"], row["price_formatted"], row["currency"], row["size_bytes"],
        row["artwork_url"], row["store_url"], from_iso(row["fetched_at"]),
    )  # fmt: skip


class AppDetailsStore(StoreBase):
    def store_app_details(self, found: Mapping[str, AppMetadata], *, now: datetime) -> None:
        """Remember what the lookup answered (every field replaced: the lookup is the truth for them)."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO app_metadata (adam_id, name, kind, platforms, bundle_id, version, price, price_formatted,"
                " currency, size_bytes, artwork_url, store_url, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(adam_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                " platforms = excluded.platforms, bundle_id = excluded.bundle_id, version = excluded.version,"
                " price = excluded.price, price_formatted = excluded.price_formatted, currency = excluded.currency,"
                " size_bytes = excluded.size_bytes, artwork_url = excluded.artwork_url,"
                " store_url = excluded.store_url, fetched_at = excluded.fetched_at",
                [
                    (adam_id, m.name, m.kind, ",".join(m.platforms) or None, m.bundle_id, m.version, m.price,
                     m.price_formatted, m.currency, m.size_bytes, m.artwork_url, m.url, stamp)
                    for adam_id, m in found.items()
                ],
            )  # fmt: skip

    def adam_ids_to_look_up(self, adam_ids: Iterable[str], *, fetched_before: datetime) -> list[str]:
        """The ids the lookup never answered for, or last answered before `fetched_before` (in the given order)."""
        wanted = list(dict.fromkeys(adam_ids))
        fresh: set[str] = set()
        cutoff = to_iso(fetched_before)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.execute(
                f"SELECT adam_id FROM app_metadata WHERE adam_id IN ({marks}) AND fetched_at >= ?", (*chunk, cutoff)
            ).fetchall()
            fresh.update(row[0] for row in rows)
        return [adam_id for adam_id in wanted if adam_id not in fresh]

    def app_details(self, adam_ids: Iterable[str]) -> dict[str, AppDetails]:
        wanted = sorted(set(adam_ids))
        rows: list[dict[str, Any]] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows.extend(self._all(f"SELECT * FROM app_metadata WHERE adam_id IN ({marks})", tuple(chunk)))
        return {row["adam_id"]: _details(row) for row in rows}

    def adam_ids_by_bundle_id(self, bundle_id: str) -> list[str]:
        """Apps whose bundle id is `bundle_id` (case-insensitive, as bundle ids are)."""
        rows = self.db.execute(
            "SELECT adam_id FROM app_metadata WHERE lower(bundle_id) = lower(?) ORDER BY adam_id", (bundle_id,)
        ).fetchall()
        return [str(row[0]) for row in rows]
