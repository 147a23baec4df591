"""Accounts (one per sToken) and their secrets: typed reads and writes of `accounts` and `secrets`.

The sToken is read only by `load_secret`, which the code that builds Apple clients calls; nothing else selects
from `secrets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from abctl.errors import NotFoundError, TokenError
from abctl.models.accounts import Account, AccountStatus
from abctl.store.base import StoreBase
from abctl.store.rows import account_from_row

_ACCOUNT_COLUMNS = {
    "name", "space", "priority", "auto_distribute", "org_name", "location_name", "uid", "country",
    "default_platform", "website_url", "token_fingerprint", "created_at", "expires_at", "status", "status_detail",
    "mdm_owner_id", "mdm_owner_name", "last_full_sync_at", "last_sync_at", "assets_version_id",
    "assignments_version_id", "users_version_id",
}  # fmt: skip


class AccountsStore(StoreBase):
    def list_accounts(self, space: str | None = None) -> list[Account]:
        """Accounts ordered by space, then priority (1 first)."""
        if space is None:
            rows = self._all("SELECT * FROM accounts ORDER BY space, priority")
        else:
            rows = self._all("SELECT * FROM accounts WHERE space = ? ORDER BY priority", (space,))
        return [account_from_row(row) for row in rows]

    def get_account(self, name: str) -> Account:
        """Raises: NotFoundError when no account has that name."""
        row = self._one("SELECT * FROM accounts WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"no account named `{name}`", hint="list accounts with: abctl tokens list")
        return account_from_row(row)

    def get_account_by_id(self, account_id: int) -> Account:
        row = self._one("SELECT * FROM accounts WHERE id = ?", (account_id,))
        if row is None:
            raise NotFoundError(f"no account with id {account_id}", hint="list accounts with: abctl tokens list")
        return account_from_row(row)

    def find_account_by_uid(self, uid: str) -> Account | None:
        row = self._one("SELECT * FROM accounts WHERE uid = ?", (uid,))
        return None if row is None else account_from_row(row)

    def insert_account(self, fields: Mapping[str, Any], stoken: str) -> Account:
        """Insert an account and its secret in one transaction."""
        unknown = set(fields) - _ACCOUNT_COLUMNS
        assert not unknown, f"unknown account columns {unknown}"
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self.transaction():
            cursor = self.db.execute(f"INSERT INTO accounts ({columns}) VALUES ({marks})", tuple(fields.values()))
            account_id = cursor.lastrowid
            self.db.execute("INSERT INTO secrets (account_id, stoken) VALUES (?, ?)", (account_id, stoken))
        return self.get_account(str(fields["name"]))

    def update_account(self, account_id: int, **fields: Any) -> None:
        unknown = set(fields) - _ACCOUNT_COLUMNS
        assert not unknown, f"unknown account columns {unknown}"
        if not fields:
            return
        assignments = ", ".join(f"{column} = ?" for column in fields)
        self.db.execute(f"UPDATE accounts SET {assignments} WHERE id = ?", (*fields.values(), account_id))

    def replace_secret(self, account_id: int, stoken: str) -> None:
        self.db.execute(
            "INSERT INTO secrets (account_id, stoken) VALUES (?, ?)"
            " ON CONFLICT(account_id) DO UPDATE SET stoken = excluded.stoken",
            (account_id, stoken),
        )

    def load_secret(self, account_id: int) -> str:
        """The account's sToken text. Only the code that builds an Apple client calls this.

        Raises:
            TokenError: the database has no token for the account (restored from a backup without tokens).
        """
        value = self._scalar("SELECT stoken FROM secrets WHERE account_id = ?", (account_id,))
        if value is None:
            name = self._scalar("SELECT name FROM accounts WHERE id = ?", (account_id,)) or str(account_id)
            raise TokenError(
                f"account `{name}` has no sToken in this database (a backup restored without --with-tokens?)",
                hint=f"upload it again: abctl tokens update {name} --file TOKEN_FILE",
                status=AccountStatus.TOKEN_MISSING,
            )
        return str(value)

    def has_secret(self, account_id: int) -> bool:
        return bool(self._scalar("SELECT count(*) FROM secrets WHERE account_id = ?", (account_id,)))

    def set_priorities(self, space: str, priorities: Mapping[str, int]) -> None:
        """Write new priorities for accounts of one space at once (the unique (space, priority) key stays valid)."""
        with self.transaction():
            # Move everyone out of the way first, so no intermediate state collides on (space, priority).
            self.db.execute("UPDATE accounts SET priority = priority + 1000000 WHERE space = ?", (space,))
            for name, priority in priorities.items():
                self.db.execute(
                    "UPDATE accounts SET priority = ? WHERE space = ? AND name = ?", (priority, space, name)
                )

    def move_account(
        self, account_id: int, space: str, *, source: Mapping[str, int], destination: Mapping[str, int]
    ) -> None:
        """Put the account in another space and write both spaces' new priorities, in one transaction."""
        with self.transaction():
            row = self._one("SELECT space FROM accounts WHERE id = ?", (account_id,))
            assert row is not None, f"no account with id {account_id}"
            self.db.execute(
                "UPDATE accounts SET space = ?, priority = priority + 2000000 WHERE id = ?", (space, account_id)
            )
            self.set_priorities(row["space"], source)
            self.set_priorities(space, destination)

    def delete_account(self, account_id: int) -> None:
        """Drop the account and everything that cascades from it (secret, assets, licenses, policies)."""
        self.db.execute("DELETE FROM accounts WHERE id = ?", (account_id,))

    # Organizations whose tokens Apple rate-limits together (settings rows `rate_budget:<orgName>`).

    def shared_rate_organizations(self) -> set[str]:
        """Organizations known to share one rate budget across their tokens (apple.ratelimit.RateBudgets)."""
        rows = self.db.execute("SELECT key FROM settings WHERE key LIKE 'rate_budget:%' AND value = 'organization'")
        return {key.removeprefix("rate_budget:") for (key,) in rows.fetchall()}

    def remember_shared_rate_organizations(self, orgs: set[str]) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'organization')",
                [(f"rate_budget:{org}",) for org in sorted(orgs)],
            )
