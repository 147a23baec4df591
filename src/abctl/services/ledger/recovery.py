"""Settling Apple writes a run left open: rows with an eventId are polled; rows without one (`intent`: committed,
perhaps never sent; `unknown`: the answer was lost) are compared with what Apple has (GET assignments / users).
Either way the licenses the write concerns end active, failed or revoked exactly once (design.md section 7).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl.domain.revocation import usable_until
from abctl.errors import AbctlError
from abctl.models.apple import EventFailure
from abctl.models.enums import TargetKind
from abctl.models.ledger import EventKind, LedgerEvent, LedgerState
from abctl.models.licenses import LicenseState
from abctl.services.ledger.writes import SentWrite, settle_write

if TYPE_CHECKING:
    from abctl.apple.client import AppsBooksClient
    from abctl.models.accounts import Account
    from abctl.models.apple import Assignment
    from abctl.models.licenses import License
    from abctl.services.runtime import Runtime

OPEN_STATES = (LedgerState.INTENT, LedgerState.UNKNOWN, LedgerState.PENDING)
# Above this many targets one walk per asset costs fewer calls than one read per target.
_PER_TARGET_READS = 50
Pair = tuple[str, str, str]  # adamId, target kind, target id
NOT_LANDED = "the interrupted write did not land: Apple's assignments show no change"
NEVER_SENT = "never sent: the run stopped before its Apple call"


@dataclass(frozen=True)
class RecoveredWrite:
    """Where one open ledger row stands after recovery, and how abctl found out."""

    ledger_id: int
    kind: str
    state: LedgerState
    how: str  # polled | checked on Apple | left open
    detail: str = ""


def settle_open_writes(
    rt: Runtime, *, account_ids: Collection[int] | None = None, wait: bool = True
) -> list[RecoveredWrite]:
    """Settle every open ledger row (oldest first), optionally only those of some accounts. `wait` polls pending
    events until they settle or the deadline passes; without it each is asked once. An error from Apple leaves
    that row open for the next run and does not stop the others."""
    events = rt.store.list_events(states=[str(state) for state in OPEN_STATES])
    wanted = [e for e in reversed(events) if e.account_id is not None]
    if account_ids is not None:
        wanted = [e for e in wanted if e.account_id in set(account_ids)]
    recovered = [settle_event(rt, event, wait=wait) for event in wanted]
    settle_stranded_licenses(rt, account_ids=account_ids)
    return recovered


def settle_stranded_licenses(rt: Runtime, *, account_ids: Collection[int] | None = None) -> int:
    """Pending licenses no open ledger row names: the run stopped after committing them but before its intent
    (never sent: failed), or after recording the event's outcome but before applying it (applied now).
    Returns how many licenses moved."""
    open_rows = rt.store.list_events(states=[str(state) for state in OPEN_STATES])
    named = {int(i) for event in open_rows for i in _license_ids(event)}
    stranded = {item.id: item for item in rt.store.find_licenses(states=[LicenseState.PENDING])
                if item.id not in named and (account_ids is None or item.account_id in set(account_ids))}  # fmt: skip
    total = len(stranded)
    if not stranded:
        return 0
    for event in rt.store.list_events(states=[str(LedgerState.COMPLETE), str(LedgerState.FAILED)]):
        if event.kind != EventKind.ASSOCIATE or not stranded.keys() & set(_license_ids(event)):
            continue
        if event.event_id is None:  # Apple refused the call itself: none of its licenses exists
            _fail(rt, [stranded[i] for i in _license_ids(event) if i in stranded], event.failures, None, every=True)
        else:
            apply_outcome(rt, event, event.failures, event_id=event.event_id)
        for license_id in _license_ids(event):
            stranded.pop(license_id, None)
        if not stranded:
            return total
    rt.store.set_license_state(list(stranded), LicenseState.FAILED, detail=NEVER_SENT)
    return total


def _license_ids(event: LedgerEvent) -> list[int]:
    return [int(i) for i in event.payload.get("license_ids", []) or []]  # type: ignore[attr-defined]


def settle_event(rt: Runtime, event: LedgerEvent, *, wait: bool = True) -> RecoveredWrite:
    """Settle one open ledger row and the licenses it concerns; a settled row is returned as it is."""
    if event.state not in OPEN_STATES or event.account_id is None:
        return RecoveredWrite(event.id, event.kind, LedgerState(event.state), "left open" if event.account_id is None
                              else "already settled")  # fmt: skip
    account = rt.store.get_account_by_id(event.account_id)
    try:
        if event.event_id is not None:
            sent = SentWrite(event.id, account, event.kind, event.payload, event.event_id)
            settled = settle_write(rt, sent, wait=wait)
            if settled.state is not LedgerState.PENDING:
                apply_outcome(rt, event, settled.failures, event_id=event.event_id)
            return RecoveredWrite(event.id, event.kind, settled.state, "polled")
        return _check_on_apple(rt, account, event)
    except AbctlError as error:
        return RecoveredWrite(event.id, event.kind, LedgerState(event.state), "left open", error.message)


def apply_outcome(rt: Runtime, event: LedgerEvent, failures: Sequence[EventFailure], *, event_id: str | None) -> None:
    """Move the licenses an event names (payload `license_ids`) out of pending / revoking by its outcome; licenses
    a sync or another run already moved are left alone."""
    licenses = rt.store.get_licenses(_license_ids(event))
    if event.kind == EventKind.ASSOCIATE:
        pending = [item for item in licenses if item.state == LicenseState.PENDING]
        failed = [item for item in pending if _failure(failures, item) is not None]
        _fail(rt, failed, failures, event_id)
        active = [item.id for item in pending if item not in failed]
        rt.store.set_license_state(active, LicenseState.ACTIVE, event_id=event_id, last_action="associate")
    elif event.kind in (EventKind.REVOKE, EventKind.DISASSOCIATE):
        going = [item for item in licenses if item.state in (LicenseState.REVOKING, LicenseState.ACTIVE)]
        done = [item for item in going if _failure(failures, item) is None]
        _revoked(rt, done, event.kind, event_id)
        back = [item.id for item in going if item not in done and item.state == LicenseState.REVOKING]
        rt.store.set_license_state(back, LicenseState.ACTIVE, event_id=event_id)


def _failure(failures: Sequence[EventFailure], item: License) -> EventFailure | None:
    for failure in failures:
        targets = failure.serial_numbers if item.target_kind == TargetKind.DEVICE else failure.client_user_ids
        if item.target_id in targets and (not failure.adam_ids or item.adam_id in failure.adam_ids):
            return failure
    return None


def _fail(rt: Runtime, items: Sequence[License], failures: Sequence[EventFailure], event_id: str | None, *,
          every: bool = False) -> None:  # fmt: skip
    """Mark licenses failed with the failure naming them (`every`: the call's first failure for all)."""
    for item in items:
        failure = failures[0] if every and failures else _failure(failures, item)
        if failure is None:
            rt.store.set_license_state([item.id], LicenseState.FAILED, event_id=event_id, detail=NEVER_SENT)
            continue
        detail = f"{failure.error_number}: {failure.error_message}" if failure.error_number else failure.error_message
        rt.store.set_license_state([item.id], LicenseState.FAILED, event_id=event_id, detail=detail)


def _revoked(rt: Runtime, items: Sequence[License], kind: str, event_id: str | None) -> None:
    now = rt.now()
    until = {item.id: usable_until(item.platform, now) for item in items}
    rt.store.set_license_state([item.id for item in items], LicenseState.REVOKED, event_id=event_id,
                               last_action=kind, detail=None, revoked_at=now, usable_until=until)  # fmt: skip


def _check_on_apple(rt: Runtime, account: Account, event: LedgerEvent) -> RecoveredWrite:
    """An open row without an eventId: ask Apple what it has, and settle the row and its licenses by that."""
    client = rt.client(account)
    payload = event.payload
    if event.kind in (EventKind.USER_CREATE, EventKind.USER_UPDATE, EventKind.USER_RETIRE):
        users = [str(u) for u in payload.get("client_user_ids", []) or []]  # type: ignore[attr-defined]
        missing = _users_not_landed(client, event.kind, users)
        lost = (EventFailure(0, NOT_LANDED, client_user_ids=tuple(missing)),) if missing else ()
        return _record(rt, event, len(users), len(users) - len(missing), lost)
    kind = TargetKind(str(payload.get("target_kind", TargetKind.DEVICE)))
    targets = [str(t) for t in payload.get("targets", []) or []]  # type: ignore[attr-defined]
    assets = [str(a[0]) for a in payload.get("assets", []) or []]  # type: ignore[attr-defined]
    on_apple = _assignments(client, kind, targets, assets)
    ids = [int(i) for i in payload.get("license_ids", []) or []]  # type: ignore[attr-defined]
    licenses = rt.store.get_licenses(ids)
    if event.kind == EventKind.ASSOCIATE:
        wanted = [(a, str(kind), t) for a in assets for t in targets]
        missing_pairs = [pair for pair in wanted if pair not in on_apple]
    elif event.kind == EventKind.DISASSOCIATE:
        wanted = [(a, str(kind), t) for a in assets for t in targets]
        missing_pairs = [pair for pair in wanted if pair in on_apple]
    else:  # revoke: every license named for these targets should be gone
        wanted = [(item.adam_id, str(item.target_kind), item.target_id) for item in licenses]
        missing_pairs = [pair for pair in wanted if pair in on_apple]
    failures = _pair_failures(kind, missing_pairs)
    apply_outcome(rt, event, failures, event_id=None)
    return _record(rt, event, len(wanted), len(wanted) - len(missing_pairs), failures)


def _pair_failures(kind: TargetKind, pairs: Iterable[Pair]) -> tuple[EventFailure, ...]:
    """One failure entry per asset, naming the targets whose write did not land."""
    by_asset: dict[str, list[str]] = {}
    for adam_id, _kind, target in pairs:
        by_asset.setdefault(adam_id, []).append(target)
    field = "serial_numbers" if kind == TargetKind.DEVICE else "client_user_ids"
    return tuple(EventFailure(0, NOT_LANDED, adam_ids=(adam_id,), **{field: tuple(targets)})
                 for adam_id, targets in by_asset.items())  # fmt: skip


def _record(rt: Runtime, event: LedgerEvent, requested: int, completed: int,
            failures: tuple[EventFailure, ...]) -> RecoveredWrite:  # fmt: skip
    state = LedgerState.FAILED if failures else LedgerState.COMPLETE
    rt.store.record_outcome(event.id, state=state, num_requested=requested, num_completed=completed,
                            failures=failures, now=rt.now())  # fmt: skip
    detail = f"{completed} of {requested} on Apple"
    return RecoveredWrite(event.id, event.kind, state, "checked on Apple", detail)


def _assignments(client: AppsBooksClient, kind: TargetKind, targets: Sequence[str], assets: Sequence[str]) -> set[Pair]:
    """Apple's assignments for these targets (one read each) or, for many targets, these assets (one walk each)."""
    found: list[Assignment] = []
    if len(targets) <= _PER_TARGET_READS or not assets:
        for target in targets:
            if kind == TargetKind.DEVICE:
                found.extend(client.list_assignments(serial_number=target).items)
            else:
                found.extend(client.list_assignments(client_user_id=target).items)
    else:
        for adam_id in assets:
            found.extend(client.list_assignments(adam_id=adam_id).items)
    wanted = set(targets)
    return {(a.adam_id, str(a.target_kind), a.target_id) for a in found
            if a.target_kind == kind and a.target_id in wanted}  # fmt: skip


def _users_not_landed(client: AppsBooksClient, kind: str, users: Sequence[str]) -> list[str]:
    """The users whose write Apple does not show: created or updated but absent, or retired but still active."""
    missing: list[str] = []
    for user in users:
        listed = client.list_users(client_user_id=user).items
        status = listed[0].status if listed else None
        retired = status in (None, "Retired")
        if (kind == EventKind.USER_RETIRE) != retired:
            missing.append(user)
    return missing
