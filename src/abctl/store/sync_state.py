"""Bringing local licenses in step with Apple's assignments.

A full read replaces the account's live licenses: assignments abctl did not know become `external` licenses,
and live licenses Apple no longer has are marked revoked. A delta only adds: Apple's documented deltas carry
no removals, so the sync service heals removals by re-reading an asset whose counts disagree. Reads are stored a
page at a time (AssignmentIngest), so a 100,000-assignment walk is stored by the time its last page lands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from abctl import interrupt
from abctl.store.base import StoreBase
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.models.apple import Assignment

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
    # App ids, pricing and kind repeat on every page: one string each, not one per assignment.
    return (sys.intern(a.adam_id), sys.intern(a.pricing_param), a.target_kind.value, a.target_id)


_LIVE = "('pending', 'active', 'revoking')"
_SEEN = 0  # row ids start at 1: in place of its id, a live license this read has seen (or inserted)


class AssignmentIngest:
    """One read of an account's assignments on Apple, stored a page at a time while the rest is still being read.

    Pages may come from a thread that shares the database with other accounts' syncs: every database step holds
    `lock`. A complete read (a full listing) marks revoked at `finish` what it never saw; a delta only adds.
    Memory stays at one small entry per live license (its key and row id); the records themselves are not kept.
    `name_found`: keep the key of every license found on Apple only, so the caller can name them (a resync
    does); otherwise they are only counted.
    """

    def __init__(
        self, store: SyncStateStore, account_id: int, *, complete: bool, now: datetime, adam_id: str | None = None,
        lock: AbstractContextManager[object] | None = None, name_found: bool = True,
    ) -> None:  # fmt: skip
        self._store = store
        self._account_id = account_id
        self._complete = complete
        self._stamp = to_iso(now)
        self._adam_id = adam_id
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self._name_found = name_found
        # Live licenses known to this read: key -> row id, or _SEEN once this read has seen (or inserted) it.
        self._live: dict[Key, int] = {}
        self._pending: set[int] = set()  # row ids of the live licenses still pending
        self._loaded = False
        self._found: list[Key] = []
        self._found_count = 0
        self._confirmed = 0

    def add(self, records: Sequence[Assignment]) -> None:
        """Store one page: assignments abctl did not know become `external` licenses, pending ones become active."""
        interrupt.check()  # after Ctrl-C no new page is stored; the one being stored is one transaction
        page = {key for a in records if self._live.get(key := _key(a)) != _SEEN}
        if not page:
            return  # every one seen already on an earlier page: no database step
        with self._lock:
            live = self._known_live(page)
            new = sorted(key for key in page if key not in live)
            unseen = [key for key in page if live.get(key, _SEEN) != _SEEN]
            confirm = [row for key in unseen if (row := live[key]) in self._pending]
            if new or confirm:
                with self._store.transaction():
                    self._store.insert_found(self._account_id, new, self._stamp)
                    self._store.confirm_licenses(confirm)
        for key in (*unseen, *new):
            live[key] = _SEEN
        self._pending.difference_update(confirm)
        if self._name_found:
            self._found.extend(new)
        self._found_count += len(new)
        self._confirmed += len(confirm)

    def restart(self) -> None:
        """The listing is being read again from its first page: only the new walk counts as seen (what the
        abandoned walk stored is read back from the database, as any other live license)."""
        self._live.clear()
        self._pending.clear()
        self._loaded = False

    def finish(self) -> Drift:
        """End the read; a complete one revokes the live licenses it never saw."""
        gone: list[Key] = []
        with self._lock:
            if self._complete:
                live = self._known_live(set())
                gone = [key for key, row in live.items() if row != _SEEN]
            if gone:
                with self._store.transaction():
                    self._store.revoke_missing([live[key] for key in gone], self._stamp)
        return Drift(found=self._found_count, confirmed=self._confirmed, missing=len(gone),
                     found_keys=tuple(self._found), missing_keys=tuple(sorted(gone)))  # fmt: skip

    def _known_live(self, keys: set[Key]) -> dict[Key, int]:
        if self._complete and not self._loaded:
            self._remember(self._store.live_licenses(self._account_id, self._adam_id))
            self._loaded = True
        elif not self._complete:
            # A delta is small: look up only its keys (the live-license index answers each one).
            self._remember(self._store.live_licenses_among(self._account_id, [k for k in keys if k not in self._live]))
        return self._live

    def _remember(self, rows: Iterable[tuple[Key, int, str]]) -> None:
        for key, row, state in rows:
            self._live[key] = row
            if state == "pending":
                self._pending.add(row)


class SyncStateStore(StoreBase):
    def live_licenses(self, account_id: int, adam_id: str | None = None) -> Iterator[tuple[Key, int, str]]:
        """The account's live licenses (of one app when `adam_id` is given): (key, row id, state), streamed."""
        sql = ("SELECT adam_id, pricing_param, target_kind, target_id, id, state FROM licenses WHERE account_id = ?"
               f" AND state IN {_LIVE}")  # fmt: skip
        params: tuple[object, ...] = (account_id,)
        if adam_id is not None:
            sql += " AND adam_id = ?"
            params = (account_id, adam_id)
        cursor = self.db.execute(sql, params)
        intern = sys.intern  # app ids, pricing, kinds and states repeat: one string each
        while rows := cursor.fetchmany(10_000):  # 100,000 rows take a while: Ctrl-C is heard between chunks
            interrupt.check()
            for r in rows:
                yield (intern(r[0]), intern(r[1]), intern(r[2]), r[3]), r[4], intern(r[5])

    def live_licenses_among(self, account_id: int, keys: Iterable[Key]) -> Iterator[tuple[Key, int, str]]:
        """Those of `keys` the account holds a live license for: (key, row id, state)."""
        sql = ("SELECT id, state FROM licenses WHERE account_id = ? AND adam_id = ? AND pricing_param = ?"
               f" AND target_kind = ? AND target_id = ? AND state IN {_LIVE}")  # fmt: skip
        for key in keys:
            row = self.db.execute(sql, (account_id, *key)).fetchone()
            if row is not None:
                yield key, row[0], row[1]

    def assignment_ingest(
        self, account_id: int, *, complete: bool, now: datetime, adam_id: str | None = None,
        lock: AbstractContextManager[object] | None = None, name_found: bool = True,
    ) -> AssignmentIngest:  # fmt: skip
        """A page-by-page read of Apple's assignments (see AssignmentIngest); `adam_id` scopes a complete read."""
        return AssignmentIngest(self, account_id, complete=complete, now=now, adam_id=adam_id, lock=lock,
                                name_found=name_found)  # fmt: skip

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

    def revoke_missing(self, ids: Sequence[int], stamp: str) -> None:
        """Live licenses a complete read did not see."""
        self._update(ids, "UPDATE licenses SET state = 'revoked', revoked_at = ?, last_action = 'sync',"
                     " detail = 'not on Apple at sync' WHERE id IN ({})", (stamp,))  # fmt: skip

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
