"""Bringing local licenses in step with Apple's assignments.

A full read replaces the account's live licenses: assignments abctl did not know become `external` licenses,
and live licenses Apple no longer has are marked revoked. A delta only adds: Apple's documented deltas carry
no removals, so the sync service heals removals by re-reading an asset whose counts disagree. Reads are stored a
page at a time (AssignmentIngest), so a 100,000-assignment walk is stored by the time its last page lands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
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


_LIVE = "('pending', 'active', 'revoking')"
# A key as one string, its parts joined by a character that app ids, pricing codes and kinds never hold (only the
# target, the last part, is free text), so it splits back exactly. One string per license, not a tuple of four:
# a third of the memory, and a 100,000-license account loads them in a sixth of a second.
_SEP = "\x1f"
_JOINED = "adam_id || char(31) || pricing_param || char(31) || target_kind || char(31) || target_id"
# A delta's keys, handed to SQLite as one JSON array of [adamId, pricingParam, kind, target] arrays.
_DELTA_KEYS = (
    "SELECT DISTINCT json_extract(value, '$[0]') AS adam_id, json_extract(value, '$[1]') AS pricing_param,"
    " json_extract(value, '$[2]') AS target_kind, json_extract(value, '$[3]') AS target_id FROM json_each(:keys)"
)
_SAME_KEY = (
    "l.account_id = :account AND l.adam_id = k.adam_id AND l.pricing_param = k.pricing_param"
    " AND l.target_kind = k.target_kind AND l.target_id = k.target_id"
)


def _split(key: str) -> Key:
    adam_id, pricing_param, kind, target = key.split(_SEP, 3)
    return adam_id, pricing_param, kind, target


class AssignmentIngest:
    """One read of an account's assignments on Apple, stored a page at a time while the rest is still being read.

    Pages may come from a thread that shares the database with other accounts' syncs: every database step holds
    `lock`. A complete read (a full listing) loads the account's live licenses once, as one string per key, and
    compares each page with them in sets (a page nothing new is on costs no database step); at `finish` it
    revokes what it never saw. A delta is small: SQLite compares its keys with the live licenses.
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
        self._loaded = False
        self._unseen: set[str] = set()  # live licenses this read has not seen yet
        self._seen: set[str] = set()  # keys this read has seen (and stored)
        self._pending: dict[str, int] = {}  # unseen live licenses still pending: key -> row id
        self._found: list[Key] = []
        self._found_count = 0
        self._confirmed = 0

    def add(self, records: Sequence[Assignment]) -> None:
        """Store one page: assignments abctl did not know become `external` licenses, pending ones become active."""
        interrupt.check()  # after Ctrl-C no new page is stored; the one being stored is one transaction
        if not records:
            return
        if not self._complete:
            self._add_delta(records)
            return
        page = {_SEP.join((a.adam_id, a.pricing_param, a.target_kind, a.target_id)) for a in records} - self._seen
        if not page:
            return  # every one seen already on an earlier page: no database step
        with self._lock:
            self._load()
            known = page & self._unseen
            new = sorted(page - known)
            confirm = [row for key in known if (row := self._pending.pop(key, 0))] if self._pending else []
            if new or confirm:
                with self._store.transaction():
                    self._store.insert_found(self._account_id, [_split(key) for key in new], self._stamp)
                    self._store.confirm_licenses(confirm)
        self._unseen -= known
        self._seen |= page
        self._count(new, len(confirm))

    def prepare(self) -> None:
        """Load what a complete read compares its pages with now, rather than with its first page: a sync runs it
        beside the first request, whose round trip would otherwise be idle (another thread may call it: it holds
        `lock`, as every step does)."""
        if self._complete:
            with self._lock:
                self._load()

    def restart(self) -> None:
        """The listing is being read again from its first page: only the new walk counts as seen (what the
        abandoned walk stored is read back from the database, as any other live license)."""
        with self._lock:
            self._loaded = False
            self._unseen.clear()
            self._seen.clear()
            self._pending.clear()

    def finish(self) -> Drift:
        """End the read; a complete one revokes the live licenses it never saw."""
        gone: list[Key] = []
        if self._complete:
            with self._lock:
                self._load()
                gone = sorted(_split(key) for key in self._unseen)
                if gone:
                    with self._store.transaction():
                        self._store.revoke_missing(self._account_id, gone, self._stamp)
        return Drift(found=self._found_count, confirmed=self._confirmed, missing=len(gone),
                     found_keys=tuple(self._found), missing_keys=tuple(gone))  # fmt: skip

    def _load(self) -> None:
        if not self._loaded:
            for key, row, state in self._store.live_licenses(self._account_id, self._adam_id):
                self._unseen.add(key)
                if state == "pending":
                    self._pending[key] = row
            self._loaded = True

    def _add_delta(self, records: Sequence[Assignment]) -> None:
        keys = json.dumps([[a.adam_id, a.pricing_param, a.target_kind, a.target_id] for a in records])
        with self._lock, self._store.transaction():
            new, confirmed = self._store.merge_delta(self._account_id, keys, self._stamp)
        self._count([_SEP.join(key) for key in new], confirmed)

    def _count(self, new: list[str], confirmed: int) -> None:
        if self._name_found:
            self._found.extend(_split(key) for key in new)
        self._found_count += len(new)
        self._confirmed += confirmed


class SyncStateStore(StoreBase):
    def live_licenses(self, account_id: int, adam_id: str | None = None) -> Iterator[tuple[str, int, str]]:
        """The account's live licenses (of one app when `adam_id` is given): (joined key, row id, state), read
        in chunks (Ctrl-C is heard between them)."""
        sql = f"SELECT {_JOINED}, id, state FROM licenses WHERE account_id = ? AND state IN {_LIVE}"
        params: tuple[object, ...] = (account_id,)
        if adam_id is not None:
            sql += " AND adam_id = ?"
            params = (account_id, adam_id)
        cursor = self.db.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            interrupt.check()
            yield from rows

    def merge_delta(self, account_id: int, keys: str, stamp: str) -> tuple[list[Key], int]:
        """A delta of Apple's assignments (`keys`, a JSON array of keys): those with no live license become live
        `external` ones, pending licenses among them become active. Returns the keys found, sorted, and how many
        licenses were confirmed."""
        found = self.db.conn.execute(
            "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
            " assigned_at, last_action, detail) SELECT :account, k.adam_id, k.pricing_param, k.target_kind,"
            f" k.target_id, 'external', 'active', :stamp, 'sync', 'found on Apple' FROM ({_DELTA_KEYS}) k"
            f" WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE {_SAME_KEY} AND l.state IN {_LIVE})"
            " ORDER BY 2, 3, 4, 5 RETURNING adam_id, pricing_param, target_kind, target_id",
            {"account": account_id, "keys": keys, "stamp": stamp},
        ).fetchall()
        confirmed = self.db.conn.execute(
            "UPDATE licenses SET state = 'active', last_action = 'associate' WHERE id IN (SELECT l.id FROM"
            f" ({_DELTA_KEYS}) k JOIN licenses l ON {_SAME_KEY} AND l.state IN {_LIVE} WHERE l.state = 'pending')",
            {"account": account_id, "keys": keys},
        ).rowcount
        return sorted((r[0], r[1], r[2], r[3]) for r in found), confirmed

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
        self.db.conn.execute(
            "UPDATE licenses SET state = 'active', last_action = 'associate' WHERE id IN"
            " (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )

    def revoke_missing(self, account_id: int, keys: Sequence[Key], stamp: str) -> None:
        """Live licenses a complete read did not see."""
        self.db.conn.executemany(
            "UPDATE licenses SET state = 'revoked', revoked_at = ?, last_action = 'sync',"
            " detail = 'not on Apple at sync' WHERE account_id = ? AND adam_id = ? AND pricing_param = ?"
            f" AND target_kind = ? AND target_id = ? AND state IN {_LIVE}",
            [(stamp, account_id, *key) for key in keys],
        )

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

    def live_counts_by_asset(self, account_id: int) -> dict[tuple[str, str], int]:
        rows = self.db.execute(
            "SELECT adam_id, pricing_param, count(*) FROM licenses WHERE account_id = ? AND state IN"
            " ('pending', 'active', 'revoking') GROUP BY adam_id, pricing_param",
            (account_id,),
        ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}
