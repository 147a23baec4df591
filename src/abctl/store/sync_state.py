"""Bringing local licenses in step with Apple's assignments.

A full read replaces the account's live licenses: assignments abctl did not know become `external` licenses,
and live licenses Apple no longer has are marked revoked. A delta only adds: Apple's documented deltas carry
no removals, so the sync service heals removals by re-reading an asset whose counts disagree. Reads are stored a
page at a time (AssignmentIngest), so a 100,000-assignment walk is stored by the time its last page lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from abctl import interrupt
from abctl.models.apple import Assignment
from abctl.store.base import StoreBase
from abctl.timeutil import to_iso

Key = tuple[str, str, str, str]  # adam_id, pricing_param, target_kind, target_id


@dataclass(frozen=True)
class Drift:
    """What a read of Apple's assignments changed locally."""

    found: int = 0  # on Apple, unknown locally: recorded as external
    confirmed: int = 0  # pending locally, now seen on Apple: active
    missing: int = 0  # live locally, gone from Apple: revoked
    # Which licenses were found and which went missing, so a resync can name them (R22).
    found_keys: tuple[Key, ...] = field(default=(), compare=False)
    missing_keys: tuple[Key, ...] = field(default=(), compare=False)

    def __add__(self, other: Drift) -> Drift:
        return Drift(self.found + other.found, self.confirmed + other.confirmed, self.missing + other.missing,
                     self.found_keys + other.found_keys, self.missing_keys + other.missing_keys)  # fmt: skip


def _key(a: Assignment) -> Key:
    return (a.adam_id, a.pricing_param, str(a.target_kind), a.target_id)


_LIVE = "('pending', 'active', 'revoking')"


class AssignmentIngest:
    """One read of an account's assignments on Apple, stored a page at a time while the rest is still being read.

    Pages may come from a thread that shares the database with other accounts' syncs: every database step holds
    `lock`. A complete read (a full listing) marks revoked at `finish` what it never saw; a delta only adds.
    """

    def __init__(
        self, store: SyncStateStore, account_id: int, *, complete: bool, now: datetime, adam_id: str | None = None,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._account_id = account_id
        self._complete = complete
        self._stamp = to_iso(now)
        self._adam_id = adam_id
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        # Live licenses known to this read: key -> (row id, state); a row this read inserted has no id here.
        self._live: dict[Key, tuple[int | None, str]] = {}
        self._loaded = False
        self._seen: set[Key] = set()
        self._found: list[Key] = []
        self._confirmed = 0

    def add(self, records: Sequence[Assignment]) -> None:
        """Store one page: assignments abctl did not know become `external` licenses, pending ones become active."""
        interrupt.check()  # after Ctrl-C no new page is stored; the one being stored is one transaction
        keys = {_key(a) for a in records} - self._seen
        if not keys:
            return
        self._seen |= keys
        with self._lock:
            live = self._known_live(keys)
            new = sorted(key for key in keys if key not in live)
            confirm = [key for key in keys if key in live and live[key][1] == "pending"]
            if new or confirm:
                with self._store.transaction():
                    self._store.insert_found(self._account_id, new, self._stamp)
                    self._store.confirm_licenses([row for key in confirm if (row := live[key][0]) is not None])
        for key in new:
            live[key] = (None, "active")
        for key in confirm:
            live[key] = (live[key][0], "active")
        self._found.extend(new)
        self._confirmed += len(confirm)

    def restart(self) -> None:
        """The listing is being read again from its first page: only the new walk counts as seen."""
        self._seen.clear()

    def finish(self) -> Drift:
        """End the read; a complete one revokes the live licenses it never saw."""
        gone: list[Key] = []
        with self._lock:
            if self._complete:
                live = self._known_live(set())
                gone = [key for key in live if key not in self._seen]
            if gone:
                with self._store.transaction():
                    self._store.revoke_missing(
                        self._account_id,
                        [row for key in gone if (row := live[key][0]) is not None],
                        [key for key in gone if live[key][0] is None],
                        self._stamp,
                    )
        return Drift(found=len(self._found), confirmed=self._confirmed, missing=len(gone),
                     found_keys=tuple(self._found), missing_keys=tuple(sorted(gone)))  # fmt: skip

    def _known_live(self, keys: set[Key]) -> dict[Key, tuple[int | None, str]]:
        if self._complete and not self._loaded:
            self._live.update(self._store.live_licenses(self._account_id, self._adam_id))
            self._loaded = True
        elif not self._complete:
            # A delta is small: look up only its keys (the live-license index answers each one).
            self._live.update(
                self._store.live_licenses_among(self._account_id, [k for k in keys if k not in self._live])
            )
        return self._live


class SyncStateStore(StoreBase):
    def live_licenses(self, account_id: int, adam_id: str | None = None) -> dict[Key, tuple[int | None, str]]:
        """The account's live licenses (of one app when `adam_id` is given): key -> (row id, state)."""
        sql = ("SELECT id, adam_id, pricing_param, target_kind, target_id, state FROM licenses WHERE account_id = ?"
               f" AND state IN {_LIVE}")  # fmt: skip
        params: tuple[object, ...] = (account_id,)
        if adam_id is not None:
            sql += " AND adam_id = ?"
            params = (account_id, adam_id)
        cursor = self.db.execute(sql, params)
        live: dict[Key, tuple[int | None, str]] = {}
        while rows := cursor.fetchmany(10_000):  # 100,000 rows take a while: Ctrl-C is heard between chunks
            interrupt.check()
            live.update({(r[1], r[2], r[3], r[4]): (r[0], r[5]) for r in rows})
        return live

    def live_licenses_among(self, account_id: int, keys: Iterable[Key]) -> dict[Key, tuple[int | None, str]]:
        """Those of `keys` the account holds a live license for."""
        sql = ("SELECT id, state FROM licenses WHERE account_id = ? AND adam_id = ? AND pricing_param = ?"
               f" AND target_kind = ? AND target_id = ? AND state IN {_LIVE}")  # fmt: skip
        found: dict[Key, tuple[int | None, str]] = {}
        for key in keys:
            row = self.db.execute(sql, (account_id, *key)).fetchone()
            if row is not None:
                found[key] = (row[0], row[1])
        return found

    def assignment_ingest(
        self, account_id: int, *, complete: bool, now: datetime, adam_id: str | None = None,
        lock: AbstractContextManager[object] | None = None,
    ) -> AssignmentIngest:  # fmt: skip
        """A page-by-page read of Apple's assignments (see AssignmentIngest); `adam_id` scopes a complete read."""
        return AssignmentIngest(self, account_id, complete=complete, now=now, adam_id=adam_id, lock=lock)

    def apply_assignments(
        self, account_id: int, assignments: Sequence[Assignment], *, complete: bool, now: datetime,
        adam_id: str | None = None,
    ) -> Drift:  # fmt: skip
        """Merge Apple's assignments; with `complete`, what Apple did not list is revoked (scoped to `adam_id`)."""
        ingest = self.assignment_ingest(account_id, complete=complete, now=now, adam_id=adam_id)
        ingest.add(assignments)
        return ingest.finish()

    def insert_found(self, account_id: int, keys: Sequence[Key], stamp: str) -> None:
        """Assignments Apple has and abctl did not know: live `external` licenses."""
        self.db.conn.executemany(
            "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
            " assigned_at, last_action, detail) VALUES (?, ?, ?, ?, ?, 'external', 'active', ?, 'sync',"
            " 'found on Apple')",
            [(account_id, *key, stamp) for key in keys],
        )

    def confirm_licenses(self, ids: Sequence[int]) -> None:
        """Pending licenses Apple now lists: active."""
        self._update(ids, "UPDATE licenses SET state = 'active', last_action = 'associate' WHERE id IN ({})")

    def revoke_missing(self, account_id: int, ids: Sequence[int], keys: Sequence[Key], stamp: str) -> None:
        """Live licenses a complete read did not see (by row id, or by key for rows this read inserted)."""
        revoke = ("UPDATE licenses SET state = 'revoked', revoked_at = ?, last_action = 'sync',"
                  " detail = 'not on Apple at sync' WHERE")  # fmt: skip
        self._update(ids, revoke + " id IN ({})", (stamp,))
        self.db.conn.executemany(
            revoke + " account_id = ? AND adam_id = ? AND pricing_param = ? AND target_kind = ? AND target_id = ?"
            f" AND state IN {_LIVE}",
            [(stamp, account_id, *key) for key in keys],
        )

    def _update(self, ids: Iterable[int], sql: str, leading: tuple[object, ...] = ()) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            self.db.execute(sql.format(", ".join("?" for _ in chunk)), (*leading, *chunk))

    def live_counts_by_asset(self, account_id: int) -> dict[tuple[str, str], int]:
        rows = self.db.execute(
            "SELECT adam_id, pricing_param, count(*) FROM licenses WHERE account_id = ? AND state IN"
            " ('pending', 'active', 'revoking') GROUP BY adam_id, pricing_param",
            (account_id,),
        ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}
