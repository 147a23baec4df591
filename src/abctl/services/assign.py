"""Assign an app's licenses to devices and users: plan with domain.allocation, then associate with Apple in the
fewest calls the limits allow, each committed to the ledger first, and record the outcome per target (R2-R9, R19).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl.domain.allocation import AllocationPlan, Offer, Policy, RequestKind, Target, plan_assignments

__all__ = ["RequestKind", "execute", "plan"]
from abctl.errors import InputError, NotFoundError
from abctl.models import LicenseSource, LicenseState, TargetKind
from abctl.services.ledger import SettledWrite, send_write, settle_write

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime
    from abctl.store import Store

TargetSpec = tuple[TargetKind, str]


@dataclass(frozen=True)
class TargetOutcome:
    kind: str
    target: str
    account: str | None
    license_type: str | None
    result: str  # assigned | already licensed | refused | failed | pending | planned
    reason: str
    event_id: str | None = None


@dataclass(frozen=True)
class AssignResult:
    adam_id: str
    space: str
    plan: AllocationPlan
    outcomes: tuple[TargetOutcome, ...]
    calls: int

    @property
    def refused(self) -> int:
        return sum(1 for o in self.outcomes if o.result in ("refused", "failed"))


def parse_target_spec(text: str) -> TargetSpec:
    """`device:SERIAL` or `user:ID`. Raises: InputError."""
    kind, _, target = text.strip().partition(":")
    if kind not in ("device", "user") or not target:
        raise InputError(f"`{text}` is not a target", hint="write device:SERIAL or user:ID")
    return TargetKind(kind), target


def read_target_file(text: str) -> list[TargetSpec]:
    """One target per line (`device:SERIAL` / `user:ID`); blank lines and `#` comments skipped.

    Raises: InputError naming every bad line.
    """
    specs, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            specs.append(parse_target_spec(line))
        except InputError:
            bad.append(str(number))
    if bad:
        raise InputError(f"bad target on line(s) {', '.join(bad)}", hint="write one device:SERIAL or user:ID per line")
    return specs


def load_offers(store: Store, space: str, adam_id: str) -> list[Offer]:
    """Every account of the space that owns the app, with its seats and policy."""
    offers = []
    accounts = {a.id: a for a in store.list_accounts(space)}
    for owned in store.owned_assets(space, adam_id):
        record = store.get_policy(owned.account_id, adam_id)
        policy = Policy(
            fcfs_groups=frozenset(record.fcfs_groups) if record.explicit else None,
            reserved=frozenset(record.reserved),
            disallowed=frozenset(record.disallowed),
            auto_distribute=accounts[owned.account_id].auto_distribute,
        )
        offers.append(
            Offer(
                owned.account_id,
                owned.account,
                owned.priority,
                owned.pricing_param,
                owned.available,
                owned.device_assignable,
                owned.platforms,
                policy,
            )
        )
    return offers


def load_targets(store: Store, space: str, adam_id: str, specs: Sequence[TargetSpec]) -> list[Target]:
    """What the rules need about each target. Raises: NotFoundError for unknown devices or users."""
    serials = [t for k, t in specs if k is TargetKind.DEVICE]
    devices = store.devices_by_serial(serials)
    missing = [s for s in serials if s not in devices or devices[s].space != space]
    user_ids = [t for k, t in specs if k is TargetKind.USER]
    users = store.users_by_id(user_ids)
    missing += [u for u in user_ids if u not in users or users[u].space != space]
    if missing:
        raise NotFoundError(
            f"not in space `{space}`: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""),
            hint="add them first (abctl devices add / abctl users add), or pick their --space",
        )
    people = set(user_ids) | {d.owner for d in devices.values() if d.owner}
    groups = store.groups_of_users(people)
    statuses = store.apple_statuses(user_ids)
    held: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for item in store.find_licenses(space=space, adam_id=adam_id):
        held.setdefault((str(item.target_kind), item.target_id), set()).add((item.account_id, str(item.target_kind)))
    targets = []
    for kind, target in specs:
        have = frozenset(held.get((str(kind), target), set()))
        if kind is TargetKind.DEVICE:
            device = devices[target]
            targets.append(
                Target(
                    kind,
                    target,
                    platform=device.platform,
                    owner=device.owner,
                    shared_ipad=device.shared_ipad,
                    active=device.state == "active",
                    groups=frozenset(groups.get(device.owner or "", [])),
                    held=have,
                )
            )
        else:
            enrollment = {s.account_id: s.status for s in statuses.get(target, [])}
            targets.append(
                Target(
                    kind,
                    target,
                    active=users[target].state == "active",
                    groups=frozenset(groups.get(target, [])),
                    enrollment=enrollment,
                    held=have,
                )
            )
    return targets


def plan(rt: Runtime, space: str, adam_id: str, specs: Sequence[TargetSpec], request: RequestKind) -> AllocationPlan:
    """Decide every target without touching Apple."""
    store = rt.store
    return plan_assignments(load_offers(store, space, adam_id), load_targets(store, space, adam_id, specs), request)


def execute(
    rt: Runtime,
    space: str,
    adam_id: str,
    allocation: AllocationPlan,
    *,
    source: LicenseSource,
    wait: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> AssignResult:
    """Associate what the plan assigns, batch by batch, and record every target's outcome."""
    from abctl.apple.batching import associate_batches
    from abctl.services.notifications import evaluate_usage
    from abctl.store.activity import NewActivity
    from abctl.store.licenses import NewLicense

    store = rt.store
    outcomes: dict[tuple[str, str], TargetOutcome] = {}
    for d in allocation.decisions:
        result = "already licensed" if d.outcome == "already_licensed" else "refused"
        outcomes[(str(d.target.kind), d.target.id)] = TargetOutcome(
            str(d.target.kind),
            d.target.id,
            d.account,
            str(d.license_kind) if d.license_kind else None,
            result,
            d.message,
        )
    platforms = {d.target.id: d.target.platform for d in allocation.to_assign}
    groups = allocation.by_account()
    calls = 0
    total = sum(len(targets) for targets in groups.values())
    done = 0
    for (account_id, pricing, kind), targets in groups.items():
        account = store.get_account_by_id(account_id)
        limits = rt.client(account).service_config().limits
        key = "serial_numbers" if kind is TargetKind.DEVICE else "client_user_ids"
        for batch in associate_batches([(adam_id, pricing)], limits=limits, **{key: targets}):
            ids = store.insert_pending_licenses(
                [
                    NewLicense(account_id, adam_id, pricing, kind, t, str(source), platforms.get(t))
                    for t in batch.targets
                ],
                now=rt.now(),
            )
            payload = {
                "assets": [[adam_id, pricing]],
                "target_kind": str(kind),
                "targets": list(batch.targets),
                "license_ids": ids,
            }
            sent = send_write(rt, account, "associate", payload, lambda c, b=batch: c.associate(b))  # type: ignore[misc]
            calls += 1
            settled = settle_write(rt, sent, wait=wait)
            _record(rt, settled, ids, batch.targets, kind, outcomes, account.name)
            done += len(batch.targets)
            if on_progress:
                on_progress(done, total)
    store.log_activity(
        [
            NewActivity(
                action="associate",
                result=o.result,
                space=space,
                account_name=o.account,
                adam_id=adam_id,
                target_kind=o.kind,
                target_id=o.target,
                license_type=o.license_type,
                event_id=o.event_id,
                detail=o.reason,
            )
            for o in outcomes.values()
        ],
        actor=rt.actor,
        now=rt.now(),
    )
    evaluate_usage(rt, {account_id for account_id, _p, _k in groups})
    return AssignResult(adam_id, space, allocation, tuple(outcomes.values()), calls)


def _record(
    rt: Runtime,
    settled: SettledWrite,
    ids: list[int],
    targets: Sequence[str],
    kind: TargetKind,
    outcomes: dict[tuple[str, str], TargetOutcome],
    account: str,
) -> None:
    store, event_id = rt.store, settled.sent.event_id
    ok: list[int] = []
    for license_id, target in zip(ids, targets, strict=True):
        failure = settled.failure_for(str(kind), target)
        if settled.state == "pending":
            result, reason = "pending", "Apple has not finished; run: abctl events wait"
        elif failure is not None or settled.sent.error is not None:
            message = failure.error_message if failure else (settled.sent.error.message if settled.sent.error else "")
            number = failure.error_number if failure else None
            store.set_license_state(
                [license_id],
                LicenseState.FAILED,
                event_id=event_id,
                detail=f"{number}: {message}" if number else message,
            )
            result, reason = "failed", f"Apple: {message}"
        else:
            ok.append(license_id)
            result, reason = "assigned", outcomes[(str(kind), target)].reason
            reason = reason if reason.startswith("from") else "assigned"
        outcomes[(str(kind), target)] = TargetOutcome(str(kind), target, account, str(kind), result, reason, event_id)
    if ok:
        store.set_license_state(ok, LicenseState.ACTIVE, event_id=event_id)
        if settled.state != "pending":
            _count_seats(rt, settled, len(ok))


def _count_seats(rt: Runtime, settled: SettledWrite, count: int) -> None:
    """Apple's counts move with the event; mirror them so usage is right before the next sync."""
    assets = settled.sent.payload.get("assets")
    if not isinstance(assets, list) or not assets:
        return
    adam_id, pricing = assets[0]
    rt.store.adjust_assigned(settled.sent.account.id, adam_id, pricing, count)
