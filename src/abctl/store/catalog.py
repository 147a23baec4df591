"""The app catalog of each space and the cached app names (`catalog`, `app_metadata`), plus the read of which
assets the space's accounts own that `apps list` and APP-name resolution need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.store.base import StoreBase
from abctl.timeutil import from_iso, to_iso


@dataclass(frozen=True)
class CatalogEntry:
    """An app or book in a space's catalog."""

    space: str
    adam_id: str
    install_on_device: bool
    auto_update: bool
    added_at: datetime


@dataclass(frozen=True)
class CachedMetadata:
    """Name, kind and platforms from Apple's content lookup, cached."""

    adam_id: str
    name: str
    kind: str | None
    platforms: tuple[str, ...]
    fetched_at: datetime


@dataclass(frozen=True)
class OwnedAsset:
    """One asset an account of the space owns, with Apple's counts as last synced."""

    account_id: int
    account: str
    priority: int
    adam_id: str
    pricing_param: str
    product_type: str
    total: int
    assigned: int
    available: int
    device_assignable: bool
    revocable: bool
    platforms: tuple[str, ...]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


def _entry(row: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        row["space"], row["adam_id"], bool(row["install_on_device"]), bool(row["auto_update"]),
        from_iso(row["added_at"]),
    )  # fmt: skip


class CatalogStore(StoreBase):
    def catalog_entries(self, space: str) -> list[CatalogEntry]:
        rows = self._all("SELECT * FROM catalog WHERE space = ? ORDER BY adam_id", (space,))
        return [_entry(row) for row in rows]

    def get_catalog_entry(self, space: str, adam_id: str) -> CatalogEntry | None:
        row = self._one("SELECT * FROM catalog WHERE space = ? AND adam_id = ?", (space, adam_id))
        return None if row is None else _entry(row)

    def upsert_catalog_entry(
        self, space: str, adam_id: str, *, install_on_device: bool, auto_update: bool, now: datetime
    ) -> None:
        self.db.execute(
            "INSERT INTO catalog (space, adam_id, install_on_device, auto_update, added_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(space, adam_id) DO UPDATE SET install_on_device = excluded.install_on_device,"
            " auto_update = excluded.auto_update",
            (space, adam_id, int(install_on_device), int(auto_update), to_iso(now)),
        )

    def delete_catalog_entry(self, space: str, adam_id: str) -> None:
        self.db.execute("DELETE FROM catalog WHERE space = ? AND adam_id = ?", (space, adam_id))

    def app_metadata(self, adam_ids: Iterable[str] | None = None) -> dict[str, CachedMetadata]:
        """Cached metadata by adamId (all of it when no ids are given)."""
        if adam_ids is None:
            rows = self._all("SELECT * FROM app_metadata")
        else:
            wanted = sorted(set(adam_ids))
            rows = []
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ", ".join("?" for _ in chunk)
                rows.extend(self._all(f"SELECT * FROM app_metadata WHERE adam_id IN ({marks})", tuple(chunk)))
        return {
            r["adam_id"]: CachedMetadata(r["adam_id"], r["name"], r["kind"], _split(r["platforms"]),
                                      from_iso(r["fetched_at"]))
            for r in rows
        }  # fmt: skip

    def owned_assets(self, space: str, adam_id: str | None = None) -> list[OwnedAsset]:
        """Assets the space's accounts own (one app's when asked), by account priority then adamId."""
        sql = (
            "SELECT a.id AS account_id, a.name AS account, a.priority, s.adam_id, s.pricing_param, s.product_type,"
            " s.total, s.assigned, s.available, s.device_assignable, s.revocable, s.platforms"
            " FROM assets s JOIN accounts a ON a.id = s.account_id WHERE a.space = ?"
        )
        params: tuple[Any, ...] = (space,)
        if adam_id is not None:
            sql += " AND s.adam_id = ?"
            params = (space, adam_id)
        return [
            OwnedAsset(
                r["account_id"], r["account"], r["priority"], r["adam_id"], r["pricing_param"], r["product_type"],
                r["total"], r["assigned"], r["available"], bool(r["device_assignable"]), bool(r["revocable"]),
                _split(r["platforms"]),
            )
            for r in self._all(sql + " ORDER BY a.priority, s.adam_id, s.pricing_param", params)
        ]  # fmt: skip

    def asset_flags(self, keys: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], tuple[bool, str]]:
        """(revocable, product_type) per (account_id, adam_id, pricing_param) known from the last sync."""
        wanted = set(keys)
        accounts = sorted({account_id for account_id, _adam, _pricing in wanted})
        found: dict[tuple[int, str, str], tuple[bool, str]] = {}
        for account_id in accounts:
            rows = self.db.execute(
                "SELECT adam_id, pricing_param, revocable, product_type FROM assets WHERE account_id = ?",
                (account_id,),
            ).fetchall()
            for adam_id, pricing, revocable, product_type in rows:
                key = (account_id, adam_id, pricing)
                if key in wanted:
                    found[key] = (bool(revocable), product_type)
        return found

    def adam_ids_by_name(self, name: str) -> list[str]:
        """AdamIds whose cached name is `name`, ignoring case."""
        rows = self.db.execute(
            "SELECT adam_id FROM app_metadata WHERE name = ? COLLATE NOCASE ORDER BY adam_id", (name,)
        ).fetchall()
        return [adam_id for (adam_id,) in rows]

    def metadata_names(self) -> dict[str, str]:
        """Every cached app name by adamId (for suggestions when a name is not found)."""
        return dict(self.db.execute("SELECT adam_id, name FROM app_metadata").fetchall())

    def known_adam_ids(self) -> set[str]:
        """Every adamId abctl has heard of: owned by an account, in a catalog, or with a cached name."""
        rows = self.db.execute(
            "SELECT adam_id FROM assets UNION SELECT adam_id FROM catalog UNION SELECT adam_id FROM app_metadata"
        ).fetchall()
        return {adam_id for (adam_id,) in rows}
