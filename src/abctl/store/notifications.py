"""Writes of the `notifications` table: raise and clear usage, authentication and expiry notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from abctl.store.base import StoreBase
from abctl.timeutil import to_iso


class NotificationsStore(StoreBase):
    def open_triggers(self, account_id: int, kind: str, adam_id: str | None, pricing_param: str | None) -> set[str]:
        rows = self.db.execute(
            "SELECT trigger FROM notifications WHERE account_id = ? AND kind = ? AND adam_id IS ? AND pricing_param"
            " IS ? AND cleared_at IS NULL",
            (account_id, kind, adam_id, pricing_param),
        ).fetchall()
        return {row[0] for row in rows}

    def open_asset_triggers(self, account_id: int, kind: str) -> dict[tuple[str, str], set[str]]:
        """The open notifications of `kind` of each of the account's assets (adamId, pricing) by trigger, in one
        query (a usage evaluation after each sync looks at every asset)."""
        rows = self.db.execute(
            "SELECT adam_id, pricing_param, trigger FROM notifications WHERE account_id = ? AND kind = ?"
            " AND adam_id IS NOT NULL AND cleared_at IS NULL",
            (account_id, kind),
        ).fetchall()
        triggers: dict[tuple[str, str], set[str]] = {}
        for adam_id, pricing_param, trigger in rows:
            triggers.setdefault((adam_id, pricing_param), set()).add(trigger)
        return triggers

    def open_notification_count(self, account_id: int) -> int:
        """Notifications of the account not yet cleared, of every kind."""
        sql = "SELECT count(*) FROM notifications WHERE account_id = ? AND cleared_at IS NULL"
        return int(self._scalar(sql, (account_id,)))

    def raise_notification(
        self, *, kind: str, account_id: int, account_name: str, severity: str, trigger: str, message: str,
        action: str | None, now: datetime, adam_id: str | None = None, pricing_param: str | None = None,
    ) -> None:  # fmt: skip
        self.db.execute(
            "INSERT INTO notifications (kind, account_id, account_name, adam_id, pricing_param, severity, trigger,"
            " message, action, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, account_id, account_name, adam_id, pricing_param, severity, trigger, message, action, to_iso(now)),
        )

    def clear_notifications(
        self, account_id: int, kind: str, *, now: datetime, adam_id: str | None = None,
        pricing_param: str | None = None, triggers: Sequence[str] | None = None, all_assets: bool = False,
    ) -> int:  # fmt: skip
        sql = "UPDATE notifications SET cleared_at = ? WHERE account_id = ? AND kind = ? AND cleared_at IS NULL"
        params: list[object] = [to_iso(now), account_id, kind]
        if not all_assets:
            sql += " AND adam_id IS ? AND pricing_param IS ?"
            params += [adam_id, pricing_param]
        if triggers is not None:
            sql += f" AND trigger IN ({', '.join('?' for _ in triggers)})"
            params += list(triggers)
        return self.db.execute(sql, tuple(params)).rowcount
