"""Licenses abctl knows of: reads by account, app, target and event, and the state changes writes cause."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.models.enums import TargetKind
from abctl.models.licenses import License, LicenseState
from abctl.store.base import StoreBase
from abctl.store.rows import license_from_row
from abctl.timeutil import to_iso

LIVE_STATES = (LicenseState.PENDING, LicenseState.ACTIVE, LicenseState.REVOKING)
_LIVE = ", ".join(f"'{state}'" for state in LIVE_STATES)  # as SQL literals
_SELECT = "SELECT l.*, a.name AS account_name, a.space AS space FROM licenses l JOIN accounts a ON a.id = l.account_id"


def ids_where(column: str, ids: Sequence[int]) -> tuple[str, tuple[Any, ...]]:
    """A condition matching `column` to the ids, and its parameters: a range when they are consecutive (as a call's
    licenses are: no list to read), else one JSON array."""
    if ids and ids[-1] - ids[0] == len(ids) - 1 and list(ids) == list(range(ids[0], ids[-1] + 1)):
        return f"{column} BETWEEN ? AND ?", (ids[0], ids[-1])
    return f"{column} IN (SELECT value FROM json_each(?))", (json.dumps(list(ids)),)


@dataclass(frozen=True)
class NewLicense:
    """A license about to be requested from Apple (written as `pending` before the call)."""

    account_id: int
    adam_id: str
    pricing_param: str
    target_kind: TargetKind
    target_id: str
    source: str
    platform: str | None = None


class LicensesStore(StoreBase):
    def find_licenses(
        self,
        *,
        space: str | None = None,
        account_id: int | None = None,
        adam_id: str | None = None,
        target_kind: TargetKind | None = None,
        target_id: str | None = None,
        targets: Iterable[tuple[TargetKind, str]] | None = None,
        event_id: str | None = None,
        states: Sequence[str] | None = LIVE_STATES,
    ) -> list[License]:
        """Licenses matching every filter given; by default only live ones (pending, active, revoking)."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("a.space", space),
            ("l.account_id", account_id),
            ("l.adam_id", adam_id),
            ("l.target_kind", target_kind),
            ("l.target_id", target_id),
            ("l.event_id", event_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value) if isinstance(value, TargetKind) else value)
        if states is not None:
            where.append(f"l.state IN ({', '.join('?' for _ in states)})")
            params.extend(str(state) for state in states)
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY l.id"
        found = [license_from_row(row) for row in self._all(sql, tuple(params))]
        if targets is not None:
            wanted = {(TargetKind(kind), target) for kind, target in targets}
            found = [item for item in found if (item.target_kind, item.target_id) in wanted]
        return found

    def held_licenses(
        self, space: str, adam_id: str, serials: Sequence[str], client_user_ids: Sequence[str], *, delegated: bool
    ) -> list[tuple[str, str, int]]:
        """(target kind, target id, account id) of the live licenses of one app held by these devices or users
        and paid by the space's accounts, or (`delegated`, R21) by the default space's for a device or user of
        the space: what planning needs to give no second license, in one query (each target list is one JSON
        array parameter)."""
        lent = (
            " OR (a.space = 'default' AND CASE l.target_kind WHEN 'device'"
            " THEN EXISTS (SELECT 1 FROM devices WHERE serial = l.target_id AND space = :space)"
            " ELSE EXISTS (SELECT 1 FROM users WHERE client_user_id = l.target_id AND space = :space) END)"
        )
        sql = (
            "SELECT l.target_kind, l.target_id, l.account_id FROM licenses l JOIN accounts a ON a.id = l.account_id"
            f" WHERE l.adam_id = :adam_id AND l.state IN ({_LIVE})"
            f" AND (a.space = :space{lent if delegated else ''}) AND ("
            " (l.target_kind = 'device' AND l.target_id IN (SELECT value FROM json_each(:serials)))"
            " OR (l.target_kind = 'user' AND l.target_id IN (SELECT value FROM json_each(:users))))"
        )
        params = {"adam_id": adam_id, "space": space, "serials": json.dumps(list(serials)),
                  "users": json.dumps(list(client_user_ids))}  # fmt: skip
        return self.db.conn.execute(sql, params).fetchall()

    def get_licenses(self, ids: Sequence[int]) -> list[License]:
        if not ids:
            return []
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows.extend(self._all(_SELECT + f" WHERE l.id IN ({', '.join('?' for _ in chunk)})", tuple(chunk)))
        return [license_from_row(row) for row in sorted(rows, key=lambda row: row["id"])]

    def insert_pending_licenses(self, licenses: Sequence[NewLicense], *, now: datetime) -> list[int]:
        """Write licenses as `pending` (the intent) and return their ids, in order."""
        rows = [[item.account_id, item.adam_id, item.pricing_param, str(item.target_kind), item.target_id, item.source,
                 item.platform] for item in licenses]  # fmt: skip
        select = (
            "SELECT :first + r.key, json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'),"
            " json_extract(r.value, '$[2]'), json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'),"
            " json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]') FROM json_each(:rows) r"
        )
        return self._insert_pending(select, {"rows": json.dumps(rows)}, len(rows), now)

    def insert_pending_grid(
        self, account_id: int, assets: Sequence[tuple[str, str]], kind: TargetKind,
        targets: Sequence[tuple[str, str | None]], source: str, *, now: datetime,
    ) -> list[int]:  # fmt: skip
        """Write a `pending` license of every (adamId, pricingParam) for every (target, platform), asset by asset
        (what one associate call asks for), and return their ids in that order."""
        select = (  # each JSON array read once (MATERIALIZED), not once per license of the cross join
            "WITH a(k, adam_id, pricing) AS MATERIALIZED (SELECT key, json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]') FROM json_each(:assets)),"
            " t(k, target, platform) AS MATERIALIZED (SELECT key, json_extract(value, '$[0]'),"
            " json_extract(value, '$[1]') FROM json_each(:target_rows))"
            " SELECT :first + a.k * :targets + t.k, :account, a.adam_id, a.pricing, :kind, t.target, :source,"
            " t.platform FROM a, t"
        )
        params = {"targets": len(targets), "account": account_id, "kind": str(kind), "source": source,
                  "assets": json.dumps(assets), "target_rows": json.dumps(targets)}  # fmt: skip
        return self._insert_pending(select, params, len(assets) * len(targets), now)

    def _insert_pending(self, select: str, params: dict[str, Any], count: int, now: datetime) -> list[int]:
        """One INSERT ... SELECT of `count` licenses (a statement per row spent most of a 30,000-license assign on
        the table's CHECK lists and statement runs). The ids are given: the next `count` after the highest, read in
        the same transaction (whose write would fail, not interleave, if another connection wrote meanwhile)."""
        if not count:
            return []
        with self.transaction():
            first = int(self._scalar("SELECT coalesce(max(id), 0) + 1 FROM licenses"))
            self.db.conn.execute(
                "INSERT INTO licenses (id, account_id, adam_id, pricing_param, target_kind, target_id, source,"
                f" platform, state, assigned_at, last_action) SELECT *, 'pending', :stamp, 'associate' FROM ({select})",
                {**params, "first": first, "stamp": to_iso(now)},
            )
        return list(range(first, first + count))

    def set_license_state(
        self,
        ids: Sequence[int],
        state: LicenseState,
        *,
        event_id: str | None = None,
        last_action: str | None = None,
        detail: str | None = None,
        revoked_at: datetime | None = None,
        usable_until: dict[int, datetime | None] | None = None,
    ) -> None:
        """Move licenses to a new state, recording the event, action and grace end where given (one statement
        for all of them, their ids one JSON array parameter: a 30,000-license assign used to spend a second on
        single-row updates)."""
        fields: dict[str, Any] = {"state": str(state)}
        for column, value in (("event_id", event_id), ("last_action", last_action), ("detail", detail)):
            if value is not None:
                fields[column] = value
        if revoked_at is not None:
            fields["revoked_at"] = to_iso(revoked_at)
        grace = usable_until or {}
        plain = ", ".join(f"{column} = ?" for column in fields)
        values = tuple(fields.values())
        where, params = ids_where("id", [i for i in ids if i not in grace] if grace else ids)
        with self.transaction():
            self.db.conn.execute(f"UPDATE licenses SET {plain} WHERE {where}", (*values, *params))
            self.db.conn.executemany(
                f"UPDATE licenses SET {plain}, usable_until = ? WHERE id = ?",
                [(*values, to_iso(grace[i]) if grace[i] else None, i) for i in ids if i in grace],  # type: ignore[arg-type]
            )

    def grace_licenses(self, space: str, *, now: datetime, adam_id: str | None = None) -> list[License]:
        """Revoked licenses of the space's accounts still usable at `now` (R12 grace), the soonest end first."""
        sql = _SELECT + " WHERE a.space = ? AND l.state = ? AND l.usable_until > ?"
        params: list[Any] = [space, str(LicenseState.REVOKED), to_iso(now)]
        if adam_id is not None:
            sql += " AND l.adam_id = ?"
            params.append(adam_id)
        rows = self._all(sql + " ORDER BY l.usable_until, a.name, l.adam_id, l.target_kind, l.target_id", tuple(params))
        return [license_from_row(row) for row in rows]

    def delete_licenses_of_account(self, account_id: int) -> int:
        """Forget every license record of an account (after `--clear-previous` revoked them on Apple)."""
        cursor = self.db.execute("DELETE FROM licenses WHERE account_id = ?", (account_id,))
        return cursor.rowcount
