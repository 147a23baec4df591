"""Finding drift (R22): what Apple holds, as of the last read sync stored, against what abctl knows.

The store narrows the candidates (store/drift.py), the domain names each one's reason and suggested settlement
(domain/drift.py); this module turns them into DriftItems, newest reads first, grouped by reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.domain.drift import (
    GROUP_OF,
    DriftReason,
    HeldFacts,
    Settlement,
    count_reason,
    held_reason,
    suggested,
    user_licenses_reach,
)
from abctl.models.enums import TargetKind

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.drift import CountMismatch, GoneLicense, HeldCandidate

REASON_ORDER = {reason: index for index, reason in enumerate(DriftReason)}


@dataclass(frozen=True)
class DriftItem:
    """One difference between Apple and abctl: a license (or, for counts, an asset) and what to do about it."""

    reason: DriftReason
    settlement: Settlement
    account_id: int
    account: str
    space: str
    adam_id: str
    name: str
    pricing_param: str
    target_kind: str | None
    target_id: str | None
    first_seen: datetime | None
    detail: str
    license_id: int | None = None

    @property
    def group(self) -> str:
        return str(GROUP_OF[self.reason])

    @property
    def target(self) -> str:
        return f"{self.target_kind}:{self.target_id}" if self.target_kind and self.target_id else ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(reason=str(self.reason), settlement=str(self.settlement), group=self.group, target=self.target)
        return data


def _later(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _held_item(c: HeldCandidate, names: dict[str, str], registered: set[tuple[int, str]]) -> DriftItem | None:
    kind = TargetKind(c.target_kind)
    facts = HeldFacts(
        target_kind=kind, known=c.known, state=c.state, same_space=c.target_space in (None, c.space),
        disallowed=c.disallowed, delegated=c.delegated, owner_holds_user_license=c.owner_licensed_at is not None,
        user_licenses_apply=user_licenses_reach(c.platform, c.shared_ipad),
        known_to_apple=(c.account_id, c.target_id) in registered,
    )  # fmt: skip
    reason = held_reason(facts)
    if reason is None:
        return None
    first_seen: datetime | None = c.assigned_at
    if reason is DriftReason.UNKNOWN:
        detail = f"{'serial' if kind is TargetKind.DEVICE else 'clientUserId'} unknown here"
        if facts.known_to_apple:
            detail += f"; registered with `{c.account}` on Apple"
    elif reason is DriftReason.OTHER_SPACE:
        detail = f"{kind} in space `{c.target_space}`; `{c.account}` pays for space `{c.space}`"
        first_seen = _later(c.assigned_at, c.target_updated_at)
    elif reason is DriftReason.DISALLOWED:
        detail = f"user disallowed for this app in `{c.account}` (R5)"
    elif reason is DriftReason.WASTED_SEAT:
        detail = f"owner `{c.owner}` holds a user license for this app (R8)"
        first_seen = _later(c.assigned_at, c.owner_licensed_at)
    else:
        detail = f"{kind} {c.state}"
        first_seen = _later(c.assigned_at, c.target_updated_at)
    return DriftItem(reason, suggested(reason, known_to_apple=facts.known_to_apple), c.account_id, c.account,
                     c.space, c.adam_id, names.get(c.adam_id, c.adam_id), c.pricing_param, c.target_kind, c.target_id,
                     first_seen, detail, c.license_id)  # fmt: skip


def _gone_item(g: GoneLicense, names: dict[str, str]) -> DriftItem:
    return DriftItem(DriftReason.GONE, suggested(DriftReason.GONE), g.account_id, g.account, g.space, g.adam_id,
                     names.get(g.adam_id, g.adam_id), g.pricing_param, g.target_kind, g.target_id, g.revoked_at,
                     "live here, no longer listed by Apple", g.license_id)  # fmt: skip


def _count_item(m: CountMismatch, names: dict[str, str]) -> DriftItem | None:
    reason = count_reason(m.assigned, m.listed)
    if reason is None:
        return None
    return DriftItem(reason, suggested(reason), m.account_id, m.account, m.space, m.adam_id,
                     names.get(m.adam_id, m.adam_id), m.pricing_param, None, None, m.synced_at,
                     f"Apple counts {m.assigned} assigned, lists {m.listed}")  # fmt: skip


def find_drift(
    store: Store,
    *,
    account_ids: Sequence[int] | None = None,
    adam_id: str | None = None,
    reasons: Collection[DriftReason] | None = None,
    known_targets_only: bool = False,
    mismatches: Sequence[CountMismatch] | None = None,
) -> list[DriftItem]:
    """Every drifted license (and asset count) of these accounts (default: all), of one app when asked, of
    these reasons when asked; grouped by reason, then account, app name and target. `known_targets_only` leaves
    out the licenses of unknown targets (drift_counts counts those without building them); `mismatches`: the
    accounts' asset counts that disagree, when the caller has read them already."""
    held = store.held_candidates(account_ids=account_ids, adam_id=adam_id, known_only=known_targets_only)
    gone = store.gone_licenses(account_ids=account_ids, adam_id=adam_id)
    counts = store.count_mismatches(account_ids=account_ids, adam_id=adam_id) if mismatches is None else mismatches
    names = store.app_names({c.adam_id for c in held} | {g.adam_id for g in gone} | {m.adam_id for m in counts})
    unknown_users = [(c.account_id, c.target_id) for c in held if not c.known and c.target_kind == TargetKind.USER]
    registered = store.known_to_apple(unknown_users)
    items = [item for c in held if (item := _held_item(c, names, registered)) is not None]
    items += [_gone_item(g, names) for g in gone]
    items += [item for m in counts if (item := _count_item(m, names)) is not None]
    if reasons is not None:
        items = [item for item in items if item.reason in reasons]
    items.sort(key=lambda i: (REASON_ORDER[i.reason], i.account, i.name.casefold(), i.adam_id, i.target))
    return items


@dataclass(frozen=True)
class AccountTally:
    """What an account's drift count needs of that account alone: its active licenses of targets abctl has no
    record of, and its assets whose count disagrees with the licenses stored. A sync takes it on the account's own
    thread once the account is stored, while the other accounts are still being read."""

    unknown: int
    mismatches: tuple[CountMismatch, ...]


def account_tally(store: Store, account_id: int) -> AccountTally:
    """The account's tally (see AccountTally), from its own licenses and assets and the inventory."""
    unknown = store.unknown_license_counts(account_ids=[account_id]).get(account_id, 0)
    return AccountTally(unknown, tuple(store.count_mismatches(account_ids=[account_id])))


def drift_counts(
    store: Store, account_ids: Sequence[int], *, tallies: Mapping[int, AccountTally] | None = None
) -> dict[int, dict[str, int]]:
    """Each account's drift per reason, as find_drift would list it, in the domain's order. Licenses of unknown
    targets are counted by one query rather than built one by one: another MDM's 100,000 licenses on a shared
    token must not add seconds and hundreds of MiB to every sync. `tallies`: the accounts' tallies, taken
    already (by a sync, as each account was stored)."""
    counts: dict[int, Counter[DriftReason]] = {account_id: Counter() for account_id in account_ids}
    if tallies is None:
        tallies = {account_id: account_tally(store, account_id) for account_id in account_ids}
    for account_id in account_ids:
        if tallies[account_id].unknown:
            counts[account_id][DriftReason.UNKNOWN] = tallies[account_id].unknown
    mismatches = [mismatch for account_id in account_ids for mismatch in tallies[account_id].mismatches]
    for item in find_drift(store, account_ids=account_ids, known_targets_only=True, mismatches=mismatches):
        counts[item.account_id][item.reason] += 1
    return {
        account_id: {str(reason): count[reason] for reason in DriftReason if count[reason]}
        for account_id, count in counts.items()
    }


@dataclass(frozen=True)
class DriftScope:
    """What a drift command looks at: these accounts (ids and names), of one app when `adam_id` is set."""

    account_ids: tuple[int, ...]
    accounts: tuple[str, ...]
    adam_id: str | None = None
    app: str | None = None


def resolve_scope(
    store: Store, names: Sequence[str], *, space: str | None = None, app: str | None = None
) -> DriftScope:
    """The accounts named (default: every account, or every account of `space`) and the app, if any.

    Raises: NotFoundError for an unknown account, space or app; InputError for an account outside `space`.
    """
    from abctl.errors import InputError
    from abctl.services.names.accounts import resolve_accounts
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.spaces import resolve_space

    space_name = resolve_space(store, space) if space is not None else None
    if names:
        accounts = resolve_accounts(store, list(names))
        outside = [a.name for a in accounts if space_name is not None and a.space != space_name]
        if outside:
            raise InputError(
                f"account `{outside[0]}` is not in space `{space_name}`",
                hint=f"list the space's accounts with: abctl tokens list --space {space_name}",
            )
    else:
        accounts = store.list_accounts(space_name)
    adam_id = resolve_app(store, app, space_name) if app is not None else None
    name = store.app_names([adam_id]).get(adam_id, adam_id) if adam_id is not None else None
    return DriftScope(tuple(a.id for a in accounts), tuple(a.name for a in accounts), adam_id, name)
