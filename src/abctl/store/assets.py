"""Apple's side as last read: assets with their counts, and the users registered with each location."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from abctl.store.base import StoreBase
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.models.apple import AppleUser, Asset


class AssetsStore(StoreBase):
    def replace_assets(self, account_id: int, assets: Sequence[Asset], *, now: datetime) -> None:
        """The account's assets become exactly what Apple listed."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.execute("DELETE FROM assets WHERE account_id = ?", (account_id,))
            self.db.conn.executemany(
                "INSERT INTO assets (account_id, adam_id, pricing_param, product_type, total, assigned, available,"
                " retired, device_assignable, revocable, platforms, synced_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (account_id, a.adam_id, a.pricing_param, a.product_type, a.total, a.assigned, a.available,
                     a.retired, int(a.device_assignable), int(a.revocable), ",".join(a.platforms), stamp)
                    for a in assets
                ],
            )  # fmt: skip

    def adjust_assigned(self, account_id: int, adam_id: str, pricing_param: str, delta: int) -> None:
        """Move an asset's local counts as a settled Apple event moved them (until the next sync re-reads them)."""
        self.db.execute(
            "UPDATE assets SET assigned = max(assigned + ?, 0), available = max(available - ?, 0) WHERE account_id = ?"
            " AND adam_id = ? AND pricing_param = ?",
            (delta, delta, account_id, adam_id, pricing_param),
        )

    def list_account_assets(self, account_id: int) -> list[Asset]:
        from abctl.models.apple import Asset  # here: a command that reads no assets does not load Apple's models

        rows = self._all("SELECT * FROM assets WHERE account_id = ? ORDER BY adam_id, pricing_param", (account_id,))
        return [
            Asset(r["adam_id"], r["pricing_param"], r["product_type"], r["total"], r["assigned"], r["available"],
                  r["retired"], bool(r["device_assignable"]), bool(r["revocable"]),
                  tuple(p for p in r["platforms"].split(",") if p))
            for r in rows
        ]  # fmt: skip

    def upsert_apple_users(self, account_id: int, users: Sequence[AppleUser], *, now: datetime, replace: bool) -> None:
        """Record Apple's view of the location's users (all of them on a full read, changes on a delta)."""
        stamp = to_iso(now)
        with self.transaction():
            if replace:
                self.db.execute("DELETE FROM apple_users WHERE account_id = ?", (account_id,))
            self.db.conn.executemany(
                "INSERT INTO apple_users (account_id, client_user_id, status, email, invite_code, id_hash, synced_at)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(account_id, client_user_id) DO UPDATE SET"
                " status = excluded.status, email = excluded.email, invite_code = excluded.invite_code,"
                " id_hash = excluded.id_hash,"
                " synced_at = excluded.synced_at",
                [(account_id, u.client_user_id, u.status, u.email, u.invite_code, u.id_hash, stamp) for u in users],
            )

    def apple_user_count(self, account_id: int) -> int:
        return int(self._scalar("SELECT count(*) FROM apple_users WHERE account_id = ?", (account_id,)) or 0)

    def adam_ids_without_metadata(self, adam_ids: Sequence[str]) -> list[str]:
        known = {row[0] for row in self.db.execute("SELECT adam_id FROM app_metadata").fetchall()}
        return [adam_id for adam_id in dict.fromkeys(adam_ids) if adam_id not in known]

    def cache_app_metadata(self, metadata: dict[str, dict[str, object]], *, now: datetime) -> None:
        """Remember names and platforms from Apple's content lookup."""
        with self.transaction():
            self._cache_rows(metadata, now)

    def _cache_rows(self, metadata: dict[str, dict[str, object]], now: datetime) -> None:
        self.db.conn.executemany(
            "INSERT INTO app_metadata (adam_id, name, kind, platforms, fetched_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(adam_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
            " platforms = excluded.platforms, fetched_at = excluded.fetched_at",
            [
                (adam_id, str(data.get("name") or adam_id), data.get("kind"),
                 ",".join(str(p) for p in data.get("platforms") or []) or None, to_iso(now))  # type: ignore[attr-defined]
                for adam_id, data in metadata.items()
            ],
        )  # fmt: skip
