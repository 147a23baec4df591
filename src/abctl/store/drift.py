"""Reads behind `abctl drift`: live licenses whose target abctl does not know or that should not hold them, the
licenses a complete read found gone from Apple, and assets whose Apple count differs from the licenses listed.

Each query is one pass over `licenses`, joined to devices and users by primary key, and returns only the rows
that can be drift: 1,000,000 matching licenses cost one scan and no Python objects. The domain decides (drift.py
in abctl.domain); these queries only narrow the candidates. `forget_licenses` is the one write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.store.base import StoreBase
from abctl.store.rows import when
from abctl.timeutil import from_iso

_LIVE = "('pending', 'active', 'revoking')"
GONE_ACTION = "sync"  # sync_state.revoke_missing: live here, not in a complete read of Apple's assignments

# The facts of a few licenses, by id: what the domain needs to name a reason.
_FACTS = f"""
SELECT l.id, l.account_id, a.name AS account, a.space AS space, l.adam_id, l.pricing_param, l.target_kind,
       l.target_id, l.assigned_at,
       coalesce(d.serial, u.client_user_id) IS NOT NULL AS known,
       coalesce(d.state, u.state) AS state, coalesce(d.space, u.space) AS target_space,
       coalesce(d.updated_at, u.updated_at) AS target_updated_at, d.platform AS platform,
       coalesce(d.shared_ipad, 0) AS shared_ipad, d.owner AS owner,
       x.client_user_id IS NOT NULL AS disallowed,
       (SELECT 1 FROM delegations g WHERE a.space = 'default' AND g.space = coalesce(d.space, u.space)
        AND g.adam_id = l.adam_id) IS NOT NULL AS delegated,
       (SELECT max(o.assigned_at) FROM licenses o WHERE d.owner IS NOT NULL AND o.target_kind = 'user'
        AND o.target_id = d.owner AND o.adam_id = l.adam_id AND o.state IN {_LIVE}) AS owner_licensed_at
FROM licenses l
JOIN accounts a ON a.id = l.account_id
LEFT JOIN devices d ON l.target_kind = 'device' AND d.serial = l.target_id
LEFT JOIN users u ON l.target_kind = 'user' AND u.client_user_id = l.target_id
LEFT JOIN disallowed x ON l.target_kind = 'user' AND x.account_id = l.account_id AND x.adam_id = l.adam_id
     AND x.client_user_id = l.target_id
WHERE l.id IN ({{ids}})
"""
# Candidates, by license id, each found from the small side so 1,000,000 matching licenses cost index scans and
# no per-license lookups. Targets abctl has no record of: distinct targets first (an index scan), then theirs
# (CROSS JOIN keeps that order: the index of active licenses by account would make it a search per target).
_UNKNOWN_LICENSES = """
FROM (SELECT DISTINCT target_kind, target_id FROM licenses) t
CROSS JOIN licenses l ON l.target_kind = t.target_kind AND l.target_id = t.target_id
WHERE ((t.target_kind = 'device' AND t.target_id NOT IN (SELECT serial FROM devices))
    OR (t.target_kind = 'user' AND t.target_id NOT IN (SELECT client_user_id FROM users)))
  AND l.state = 'active' {where}
"""
_UNKNOWN = "SELECT l.id" + _UNKNOWN_LICENSES
_UNKNOWN_OF_ACCOUNT = """
SELECT count(*) FROM licenses l WHERE l.account_id = ? AND l.state = 'active'
  AND CASE l.target_kind WHEN 'device' THEN l.target_id NOT IN (SELECT serial FROM devices)
                         ELSE l.target_id NOT IN (SELECT client_user_id FROM users) END
"""
# Inactive targets, and targets of a space some account is not in (every target when accounts span spaces): from
# the targets (CROSS JOIN keeps that order, whatever the statistics say), each filtered before its licenses are read.
_PLACED = """
SELECT l.id FROM (SELECT 'device' AS kind, serial AS id, state, space FROM devices
                  UNION ALL SELECT 'user', client_user_id, state, space FROM users) r
CROSS JOIN licenses l ON l.target_kind = r.kind AND l.target_id = r.id
CROSS JOIN accounts a ON a.id = l.account_id
WHERE (r.state != 'active' OR r.space != (SELECT min(space) FROM accounts)
       OR (SELECT count(DISTINCT space) FROM accounts) > 1)
  AND l.state = 'active' AND (r.state != 'active' OR r.space != a.space) {where}
"""
# CROSS JOIN keeps this order: the few disallowed users first, whatever the statistics say.
_DISALLOWED = """
SELECT l.id FROM disallowed x
CROSS JOIN licenses l ON l.account_id = x.account_id AND l.adam_id = x.adam_id AND l.target_kind = 'user'
     AND l.target_id = x.client_user_id
WHERE l.state = 'active' {where}
"""
# Device licenses next to the owner's user license for the same app: per owned device, the owner's live user
# licenses, then the device's license of each of those apps (both from idx_licenses_holder alone; CROSS JOIN keeps
# that order).
_WASTED = f"""
SELECT l.id FROM devices d
CROSS JOIN licenses o ON o.target_kind = 'user' AND o.target_id = d.owner AND o.state IN {_LIVE}
CROSS JOIN licenses l ON l.target_kind = 'device' AND l.target_id = d.serial AND l.adam_id = o.adam_id
     AND l.state = 'active'
WHERE d.owner IS NOT NULL {{where}}
"""
_GONE = f"""
SELECT l.id, l.account_id, a.name AS account, a.space AS space, l.adam_id, l.pricing_param, l.target_kind,
       l.target_id, l.revoked_at
FROM licenses l JOIN accounts a ON a.id = l.account_id
WHERE l.state = 'revoked' AND l.last_action = '{GONE_ACTION}' {{where}}
  AND NOT EXISTS (SELECT 1 FROM licenses n WHERE n.account_id = l.account_id AND n.adam_id = l.adam_id
                  AND n.pricing_param = l.pricing_param AND n.target_kind = l.target_kind
                  AND n.target_id = l.target_id AND n.state IN {_LIVE})
"""
_COUNTS = f"""
SELECT * FROM (
  SELECT s.account_id, a.name AS account, a.space AS space, s.adam_id, s.pricing_param, s.assigned, s.synced_at,
         (SELECT count(*) FROM licenses l WHERE l.account_id = s.account_id AND l.adam_id = s.adam_id
          AND l.pricing_param = s.pricing_param AND l.state IN {_LIVE}) AS listed
  FROM assets s JOIN accounts a ON a.id = s.account_id
  WHERE 1 {{where}}
) WHERE assigned != listed
"""


@dataclass(frozen=True, slots=True)
class HeldCandidate:
    """A live license Apple lists whose target may not be one that should hold it, with the target's facts."""

    license_id: int
    account_id: int
    account: str
    space: str
    adam_id: str
    pricing_param: str
    target_kind: str
    target_id: str
    assigned_at: datetime
    known: bool
    state: str | None
    target_space: str | None
    target_updated_at: datetime | None
    platform: str | None
    shared_ipad: bool
    owner: str | None
    disallowed: bool
    delegated: bool  # R21: the app is delegated from the default space to the target's space
    owner_licensed_at: datetime | None


@dataclass(frozen=True, slots=True)
class GoneLicense:
    """A license abctl held live until a complete read of Apple's assignments no longer listed it."""

    license_id: int
    account_id: int
    account: str
    space: str
    adam_id: str
    pricing_param: str
    target_kind: str
    target_id: str
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class CountMismatch:
    """An asset whose Apple assignedCount differs from the live licenses stored for it."""

    account_id: int
    account: str
    space: str
    adam_id: str
    pricing_param: str
    assigned: int
    listed: int
    synced_at: datetime | None


def _where(alias: str, account_ids: Sequence[int] | None, adam_id: str | None) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    params: list[Any] = []
    if account_ids is not None:
        clauses.append(f"{alias}.account_id IN ({', '.join('?' for _ in account_ids) or 'NULL'})")
        params.extend(account_ids)
    if adam_id is not None:
        clauses.append(f"{alias}.adam_id = ?")
        params.append(adam_id)
    return "".join(f" AND {clause}" for clause in clauses), tuple(params)


class DriftStore(StoreBase):
    def held_candidates(
        self, *, account_ids: Sequence[int] | None = None, adam_id: str | None = None, known_only: bool = False
    ) -> list[HeldCandidate]:
        """Active licenses whose target is unknown, inactive, of another space, disallowed, or a device whose
        owner holds a user license for the same app; with `known_only`, not those of unknown targets (count
        them with unknown_license_counts)."""
        where, params = _where("l", account_ids, adam_id)
        ids: set[int] = set()
        for query in (_PLACED, _DISALLOWED, _WASTED) if known_only else (_UNKNOWN, _PLACED, _DISALLOWED, _WASTED):
            ids.update(row[0] for row in self.db.execute(query.format(where=where), params))
        rows: list[Any] = []
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            rows.extend(self.db.execute(_FACTS.format(ids=", ".join("?" for _ in chunk)), tuple(chunk)))
        return [
            HeldCandidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], from_iso(r[8]), bool(r[9]), r[10], r[11],
                          when(r[12]), r[13], bool(r[14]), r[15], bool(r[16]), bool(r[17]), when(r[18]))
            for r in sorted(rows)
            if not known_only or r[9]
        ]  # fmt: skip

    def unknown_license_counts(self, *, account_ids: Sequence[int] | None = None) -> dict[int, int]:
        """Active licenses of targets abctl has no record of, counted per account from the index of its active
        licenses (no rows built; an account's count reads only its own licenses)."""
        if account_ids is None:
            account_ids = [row[0] for row in self.db.execute("SELECT id FROM accounts").fetchall()]
        counts = {account_id: self._scalar(_UNKNOWN_OF_ACCOUNT, (account_id,)) for account_id in account_ids}
        return {account_id: count for account_id, count in counts.items() if count}

    def known_to_apple(self, pairs: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
        """Which (account id, clientUserId) pairs Apple lists among the account's registered users."""
        found: set[tuple[int, str]] = set()
        for account_id, user in pairs:
            row = self.db.execute(
                "SELECT 1 FROM apple_users WHERE account_id = ? AND client_user_id = ?", (account_id, user)
            ).fetchone()
            if row is not None:
                found.add((account_id, user))
        return found

    def gone_licenses(
        self, *, account_ids: Sequence[int] | None = None, adam_id: str | None = None
    ) -> list[GoneLicense]:
        """Licenses a complete read found gone from Apple, unless the same license is live again."""
        where, params = _where("l", account_ids, adam_id)
        rows = self.db.execute(_GONE.format(where=where), params).fetchall()
        return [GoneLicense(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], when(r[8])) for r in rows]

    def count_mismatches(
        self, *, account_ids: Sequence[int] | None = None, adam_id: str | None = None
    ) -> list[CountMismatch]:
        """Assets whose last-read assignedCount differs from the number of live licenses stored for them."""
        where, params = _where("s", account_ids, adam_id)
        rows = self.db.execute(_COUNTS.format(where=where), params).fetchall()
        return [CountMismatch(r[0], r[1], r[2], r[3], r[4], r[5], r[7], when(r[6])) for r in rows]

    def apple_user_emails(self, pairs: Sequence[tuple[int, str]]) -> dict[str, str]:
        """The email Apple has for each (account id, clientUserId) it lists, by clientUserId."""
        found: dict[str, str] = {}
        for account_id, user in pairs:
            row = self.db.execute(
                "SELECT email FROM apple_users WHERE account_id = ? AND client_user_id = ?", (account_id, user)
            ).fetchone()
            if row is not None and row[0]:
                found[user] = row[0]
        return found

    def forget_licenses(self, ids: Sequence[int]) -> int:
        """Drop license records (gone from Apple, confirmed by a fresh read); returns how many went."""
        dropped = 0
        with self.transaction():
            for start in range(0, len(ids), 900):
                chunk = list(ids[start : start + 900])
                dropped += self.db.execute(
                    f"DELETE FROM licenses WHERE state = 'revoked' AND id IN ({', '.join('?' for _ in chunk)})",
                    tuple(chunk),
                ).rowcount
        return dropped
