"""Users, their groups, and each user's status with Apple per account (`apple_users`, written by sync and by
`users invite`). Bulk writes use executemany, so an import of 10,000 rows is one short transaction (callers wrap
several writes in one `transaction()`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.store.base import StoreBase, chunks, marks
from abctl.store.rows import when
from abctl.timeutil import from_iso, to_iso


@dataclass(frozen=True)
class UserRecord:
    """A person abctl knows, in one space; `state` is active, retired or deleted."""

    client_user_id: str
    space: str
    email: str | None
    managed_apple_id: str | None
    state: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AppleStatus:
    """A user's status with one account's location, as Apple last reported it."""

    account_id: int
    account: str
    client_user_id: str
    status: str
    invite_code: str | None
    synced_at: datetime | None


@dataclass(frozen=True)
class GroupRecord:
    space: str
    name: str
    members: int
    created_at: datetime | None


def _user(row: dict[str, Any]) -> UserRecord:
    return UserRecord(
        row["client_user_id"], row["space"], row["email"], row["managed_apple_id"], row["state"],
        from_iso(row["created_at"]), from_iso(row["updated_at"]),
    )  # fmt: skip


class UsersStore(StoreBase):
    def get_user(self, client_user_id: str) -> UserRecord | None:
        row = self._one("SELECT * FROM users WHERE client_user_id = ?", (client_user_id,))
        return None if row is None else _user(row)

    def users_by_id(self, client_user_ids: Iterable[str] | None = None) -> dict[str, UserRecord]:
        """Users by id: the ones asked for (in one query, the ids as one JSON array parameter), or every user
        (imports compare a whole file against this)."""
        if client_user_ids is None:
            return {row["client_user_id"]: _user(row) for row in self._all("SELECT * FROM users")}
        sql = "SELECT u.* FROM json_each(?) j JOIN users u ON u.client_user_id = j.value"
        return {row["client_user_id"]: _user(row) for row in self._all(sql, (_ids(sorted(set(client_user_ids))),))}

    def user_places(self) -> dict[str, tuple[str, str]]:
        """Every user's (space, state) by id, without the rest of the record: what an import checks a file's
        owners against, cheap at a million users."""
        rows = self.db.conn.execute("SELECT client_user_id, space, state FROM users")
        return {user: (space, state) for user, space, state in rows}

    def user_ids(self, space: str | None = None) -> list[str]:
        """Ids of the users that are not deleted (of one space when given): what a did-you-mean compares with."""
        where, params = self._where(space=space)
        sql = f"SELECT client_user_id FROM users{where}{' AND' if where else ' WHERE'} state != 'deleted'"
        return [row[0] for row in self.db.execute(sql, params).fetchall()]

    def list_users(self, *, space: str | None = None, states: Sequence[str] | None = None) -> list[UserRecord]:
        """Users ordered by id, of one space and in the given states when asked."""
        where, params = self._where(space=space, states=states)
        return [_user(row) for row in self._all(f"SELECT * FROM users{where} ORDER BY client_user_id", params)]

    def upsert_users(self, rows: Sequence[tuple[str, str, str | None, str | None]], *, now: datetime) -> None:
        """Insert or update (client_user_id, space, email, managed_apple_id) rows; a deleted user becomes active
        again, a retired one stays retired (only `users invite` brings them back)."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO users (client_user_id, space, email, managed_apple_id, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'active', ?, ?) ON CONFLICT(client_user_id) DO UPDATE SET space = excluded.space,"
                " email = excluded.email, managed_apple_id = excluded.managed_apple_id,"
                " state = CASE users.state WHEN 'retired' THEN 'retired' ELSE 'active' END,"
                " updated_at = excluded.updated_at",
                [(*row, stamp, stamp) for row in rows],
            )

    def set_user_state(self, client_user_ids: Sequence[str], state: str, *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE users SET state = ?, updated_at = ? WHERE client_user_id = ?",
                [(state, to_iso(now), user) for user in client_user_ids],
            )

    def apple_statuses(self, client_user_ids: Iterable[str] | None = None) -> dict[str, list[AppleStatus]]:
        """Apple's status of each user per account (accounts in priority order)."""
        sql = (
            "SELECT u.account_id, a.name AS account, u.client_user_id, u.status, u.invite_code, u.synced_at"
            " FROM apple_users u JOIN accounts a ON a.id = u.account_id"
        )
        if client_user_ids is None:
            rows = self._all(sql + " ORDER BY a.space, a.priority")
        else:
            where = " WHERE u.client_user_id IN (SELECT value FROM json_each(?)) ORDER BY a.space, a.priority"
            rows = self._all(sql + where, (_ids(client_user_ids),))
        found: dict[str, list[AppleStatus]] = {}
        for row in rows:
            found.setdefault(row["client_user_id"], []).append(
                AppleStatus(row["account_id"], row["account"], row["client_user_id"], row["status"],
                            row["invite_code"], when(row["synced_at"]))
            )  # fmt: skip
        return found

    def set_apple_user_status(
        self, account_id: int, client_user_ids: Sequence[str], status: str, *, now: datetime
    ) -> None:
        """Record a status change abctl caused (e.g. Retired after users/retire) until the next sync reads it."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE apple_users SET status = ?, synced_at = ? WHERE account_id = ? AND client_user_id = ?",
                [(status, to_iso(now), account_id, user) for user in client_user_ids],
            )

    # -- groups --------------------------------------------------------------------------------------------

    def list_groups(self, space: str) -> list[GroupRecord]:
        """Explicit groups of a space with their member counts (deleted users do not count)."""
        rows = self._all(
            "SELECT g.space, g.name, g.created_at, (SELECT count(*) FROM group_members m JOIN users u"
            " ON u.client_user_id = m.client_user_id WHERE m.space = g.space AND m.group_name = g.name"
            " AND u.state != 'deleted') AS members FROM groups g WHERE g.space = ? ORDER BY g.name COLLATE NOCASE",
            (space,),
        )
        return [GroupRecord(r["space"], r["name"], r["members"], from_iso(r["created_at"])) for r in rows]

    def group_names(self, space: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT name FROM groups WHERE space = ?", (space,)).fetchall()}

    def insert_groups(self, space: str, names: Iterable[str], *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO groups (space, name, created_at) VALUES (?, ?, ?)",
                [(space, name, to_iso(now)) for name in names],
            )

    def add_group_members(self, members: Sequence[tuple[str, str, str]]) -> int:
        """Add (space, group, client_user_id) memberships; returns how many were new."""
        before = self.db.conn.total_changes
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO group_members (space, group_name, client_user_id) VALUES (?, ?, ?)", members
            )
        return int(self.db.conn.total_changes - before)

    def remove_group_members(self, space: str, group: str, client_user_ids: Sequence[str]) -> int:
        before = self.db.conn.total_changes
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM group_members WHERE space = ? AND group_name = ? AND client_user_id = ?",
                [(space, group, user) for user in client_user_ids],
            )
        return int(self.db.conn.total_changes - before)

    def remove_user_from_groups(self, client_user_id: str) -> None:
        self.db.execute("DELETE FROM group_members WHERE client_user_id = ?", (client_user_id,))

    def group_member_ids(self, space: str, group: str) -> list[str]:
        rows = self.db.execute(
            "SELECT m.client_user_id FROM group_members m JOIN users u ON u.client_user_id = m.client_user_id"
            " WHERE m.space = ? AND m.group_name = ? AND u.state != 'deleted' ORDER BY m.client_user_id",
            (space, group),
        )
        return [user for (user,) in rows.fetchall()]

    def groups_of_users(self, client_user_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """Explicit groups per user, sorted by name (all users when no ids are given)."""
        sql = "SELECT client_user_id, group_name FROM group_members"
        pairs: list[tuple[str, str]] = []
        if client_user_ids is None:
            pairs = list(self.db.execute(sql).fetchall())
        else:
            for chunk in chunks(sorted(set(client_user_ids))):
                pairs.extend(self.db.execute(f"{sql} WHERE client_user_id IN ({marks(chunk)})", tuple(chunk)))
        found: dict[str, list[str]] = {}
        for user, group in sorted(pairs, key=lambda pair: (pair[0], pair[1].casefold())):
            found.setdefault(user, []).append(group)
        return found

    def group_sets(self, client_user_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """Each user's explicit groups as a set, for planning, in one query (the ids as one JSON array
        parameter). Users with the same groups share one set."""
        sql = (
            "SELECT client_user_id, group_concat(group_name, char(31)) FROM group_members"
            " WHERE client_user_id IN (SELECT value FROM json_each(?)) GROUP BY client_user_id"
        )
        shared: dict[str, frozenset[str]] = {}
        return {
            user: shared.get(names) or shared.setdefault(names, frozenset(names.split("\x1f")))
            for user, names in self.db.conn.execute(sql, (_ids(client_user_ids),))
        }


def _ids(client_user_ids: Iterable[str]) -> str:
    """The ids, each once, as one JSON array: the parameter of `json_each`, whatever the number of ids."""
    return json.dumps(list(dict.fromkeys(client_user_ids)))
