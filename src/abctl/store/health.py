"""Reads for `abctl doctor`: SQLite's own quick check, ledger rows still open, notifications open at alert."""

from __future__ import annotations

from dataclasses import dataclass

from abctl.store.base import StoreBase

OPEN_LEDGER_STATES = ("intent", "pending", "unknown")


@dataclass(frozen=True)
class OpenLedger:
    count: int
    oldest: str | None
    accounts: tuple[str, ...]


class HealthStore(StoreBase):
    def quick_check(self) -> list[str]:
        """SQLite's `quick_check`: ["ok"] for a sound file, else the problems it found (at most 10)."""
        return [str(row[0]) for row in self.db.execute("PRAGMA quick_check(10)").fetchall()]

    def open_ledger(self) -> OpenLedger:
        """Apple writes the ledger has not settled (a run was killed, or Apple's answer is still pending)."""
        marks = ", ".join("?" for _ in OPEN_LEDGER_STATES)
        row = self.db.execute(
            f"SELECT count(*), min(created_at) FROM events WHERE state IN ({marks})", OPEN_LEDGER_STATES
        ).fetchone()
        names = self.db.execute(
            f"SELECT DISTINCT account_name FROM events WHERE state IN ({marks}) ORDER BY account_name",
            OPEN_LEDGER_STATES,
        ).fetchall()
        return OpenLedger(int(row[0]), row[1], tuple(str(n[0]) for n in names))

    def open_alerts(self) -> list[tuple[str, str]]:
        """(account, message) of every notification open at severity alert, oldest first."""
        rows = self.db.execute(
            "SELECT account_name, message FROM notifications WHERE severity = 'alert' AND cleared_at IS NULL"
            " ORDER BY raised_at, id"
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]
