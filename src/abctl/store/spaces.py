"""Spaces and installation settings: reads and writes of the `spaces` and `settings` tables."""

from __future__ import annotations

import uuid

from abctl.errors import NotFoundError
from abctl.models.accounts import Space
from abctl.store.base import StoreBase
from abctl.timeutil import from_iso, to_iso, utc_now


class SpacesStore(StoreBase):
    def list_spaces(self) -> list[Space]:
        """Every space with how many accounts, devices and users it holds, `default` first."""
        rows = self._all(
            """
            SELECT s.name, s.is_default, s.created_at,
              (SELECT count(*) FROM accounts a WHERE a.space = s.name) AS accounts,
              (SELECT count(*) FROM devices d WHERE d.space = s.name) AS devices,
              (SELECT count(*) FROM users u WHERE u.space = s.name AND u.state != 'deleted') AS users
            FROM spaces s ORDER BY s.is_default DESC, s.name
            """
        )
        return [
            Space(
                name=row["name"],
                is_default=bool(row["is_default"]),
                created_at=from_iso(row["created_at"]),
                accounts=row["accounts"],
                devices=row["devices"],
                users=row["users"],
            )
            for row in rows
        ]

    def get_space(self, name: str) -> Space:
        """Raises: NotFoundError when no space has that name."""
        for space in self.list_spaces():
            if space.name == name:
                return space
        raise NotFoundError(f"no space named `{name}`", hint="list spaces with: abctl spaces list")

    def has_space(self, name: str) -> bool:
        return self._scalar("SELECT 1 FROM spaces WHERE name = ?", (name,)) is not None

    def insert_space(self, name: str) -> None:
        self.db.execute("INSERT INTO spaces (name, is_default, created_at) VALUES (?, 0, ?)", (name, to_iso(utc_now())))

    def delete_space(self, name: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM groups WHERE space = ?", (name,))
            self.db.execute("DELETE FROM catalog WHERE space = ?", (name,))
            self.db.execute("DELETE FROM spaces WHERE name = ?", (name,))

    def installation_id(self) -> str:
        """This installation's id (a UUID made once), used as `mdmInfo.id` when abctl claims a location."""
        value = self._scalar("SELECT value FROM settings WHERE key = 'installation_id'")
        if value is None:
            value = str(uuid.uuid4())
            self.db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('installation_id', ?)", (value,))
            value = self._scalar("SELECT value FROM settings WHERE key = 'installation_id'")
        return str(value)
