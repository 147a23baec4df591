"""Carry out assignment plans: associate with Apple in the fewest calls the limits allow, each call committed to
the ledger first, and record the outcome per app and target (R19).

Several apps go out together: targets that get the same set of apps from the same account share calls, so 30
apps to 1,000 devices is ceil(30 / maxAssets) x ceil(1,000 / maxSerialNumbers) = 2 calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from abctl.domain.allocation import Decision, Outcome, Reason, Target
from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseSource, LicenseState
from abctl.services.ledger.writes import SettledWrite, send_write, settle_write
from abctl.services.licensing import unregistered
from abctl.services.licensing.outcomes import Asset, Outcomes, Part, TargetOutcome, expand, record
from abctl.services.licensing.unregistered import unregistered_users, without
from abctl.services.runtime import cyclic_gc_paused

if TYPE_CHECKING:
    from abctl.apple.batching import AssetBatch
    from abctl.models.accounts import Account
    from abctl.services.licensing.plan import AppPlan
    from abctl.services.runtime import Runtime


@dataclass(frozen=True)
class AssignResult:
    space: str
    plans: tuple[AppPlan, ...]
    parts: tuple[Part, ...]  # every outcome, one by one or in runs of licenses alike (licensing.outcomes)
    calls: int
    unregistered: tuple[tuple[str, Decision], ...] = ()  # refused after a synchronous 9609 (licensing.unregistered)

    @cached_property
    def outcomes(self) -> tuple[TargetOutcome, ...]:
        """Every app and target's outcome, in order."""
        return tuple(expand(self.parts))

    @property
    def total(self) -> int:
        """How many outcomes there are (without expanding them)."""
        return sum(1 if isinstance(part, TargetOutcome) else len(part.targets) for part in self.parts)

    def refusals(self) -> list[tuple[str, Decision]]:
        """Every refused (adamId, decision) of the plans, and of users Apple turned out not to know (a synchronous
        9609): what the exit-7 hint explains."""
        return [(app.adam_id, d) for app in self.plans for d in app.allocation.refused] + list(self.unregistered)

    @property
    def refused(self) -> int:
        return self.count("refused") + self.count("failed")

    def count(self, result: str) -> int:
        return sum(1 if isinstance(part, TargetOutcome) else len(part.targets)
                   for part in self.parts if part.result == result)  # fmt: skip


@dataclass(frozen=True)
class _Group:
    """Targets of one kind that get the same apps from the same account: one batch family."""

    account_id: int
    kind: TargetKind
    assets: tuple[Asset, ...]
    targets: list[str]


def execute(
    rt: Runtime,
    space: str,
    plans: Sequence[AppPlan],
    *,
    source: LicenseSource,
    wait: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> AssignResult:
    """Associate what the plans assign, batch by batch, and record every app and target's outcome."""
    with cyclic_gc_paused():  # 30,000 outcomes and their keys hold no cycle: collecting them is waste
        return _execute(rt, space, plans, source=source, wait=wait, on_progress=on_progress)


def _execute(
    rt: Runtime,
    space: str,
    plans: Sequence[AppPlan],
    *,
    source: LicenseSource,
    wait: bool,
    on_progress: Callable[[int, int], None] | None,
) -> AssignResult:
    from abctl.apple.batching import associate_batches
    from abctl.services.reporting.notifications import evaluate_usage

    store = rt.store
    outcomes = Outcomes(space)
    reasons: dict[tuple[str, str], dict[str, str]] = {}  # (adamId, license kind) -> target -> why
    platforms: dict[str, str | None] = {}
    for app in plans:
        for d in app.allocation.decisions:
            kind = str(d.license_kind or d.target.kind)
            platforms[d.target.id] = d.target.platform
            if d.outcome == "assign":
                reasons.setdefault((app.adam_id, kind), {})[d.target.id] = d.message
            else:
                result = "already licensed" if d.outcome == "already_licensed" else "refused"
                license_type = str(d.license_kind) if d.license_kind else None
                outcomes.add(TargetOutcome(app.adam_id, kind, d.target.id, d.account, license_type, result,
                                           d.message, invite_url=d.invite_url))  # fmt: skip
    groups = _groups(plans)
    total = sum(len(group.assets) * len(group.targets) for group in groups)
    calls = done = 0
    late: list[tuple[str, Decision]] = []
    for group in groups:
        account = store.get_account_by_id(group.account_id)
        limits = rt.client(account).service_config().limits
        field = "serial_numbers" if group.kind is TargetKind.DEVICE else "client_user_ids"
        for batch in associate_batches(group.assets, limits=limits, **{field: group.targets}):
            settled, ids = _send(rt, account, batch, source, platforms, wait=wait)
            calls += 1
            size = len(batch.assets) * len(batch.targets)
            refused = unregistered_users(rt, account, batch, settled)
            if refused:  # a synchronous 9609: refuse those users, send the rest once more
                rest, ids, dropped = without(batch, refused, ids)
                late += _refuse_unregistered(rt, account, batch, refused, dropped, outcomes)
                if rest is not None:
                    settled, ids = _send(rt, account, rest, source, platforms, wait=wait, license_ids=ids)
                    calls += 1
                    record(rt, settled, ids, rest, outcomes, reasons, account.name)
            else:
                record(rt, settled, ids, batch, outcomes, reasons, account.name)
            done += size
            if on_progress:
                on_progress(done, total)
    store.log_activity(outcomes.entries(), actor=rt.actor, now=rt.now())
    evaluate_usage(rt, {group.account_id for group in groups})
    return AssignResult(space, tuple(plans), tuple(outcomes.parts), calls, tuple(late))


def _groups(plans: Sequence[AppPlan]) -> list[_Group]:
    """Per account and license kind, targets grouped by the exact set of apps they get (Apple associates every
    asset of a call with every target of it)."""
    wanted: dict[tuple[int, TargetKind], dict[str, list[Asset]]] = {}
    for app in plans:
        for d in app.allocation.to_assign:
            assert d.account_id is not None and d.pricing_param is not None and d.license_kind is not None
            per_target = wanted.setdefault((d.account_id, d.license_kind), {})
            per_target.setdefault(d.target.id, []).append((app.adam_id, d.pricing_param))
    groups: dict[tuple[int, TargetKind, tuple[Asset, ...]], list[str]] = {}
    for (account_id, kind), per_target in wanted.items():
        for target, assets in per_target.items():
            groups.setdefault((account_id, kind, tuple(assets)), []).append(target)
    return [_Group(account_id, kind, assets, targets) for (account_id, kind, assets), targets in groups.items()]


def _send(
    rt: Runtime,
    account: Account,
    batch: AssetBatch,
    source: LicenseSource,
    platforms: dict[str, str | None],
    *,
    wait: bool,
    license_ids: list[int] | None = None,
) -> tuple[SettledWrite, list[int]]:
    """Commit the pending licenses (or reuse `license_ids`, one per asset x target in order) and the intent, send
    the call, wait for its event."""
    kind = batch.target_kind
    if license_ids is None:
        targets = [(target, platforms.get(target)) for target in batch.targets]
        ids = rt.store.insert_pending_grid(account.id, batch.assets, kind, targets, str(source), now=rt.now())
    else:
        ids = license_ids
    payload = {
        "assets": [list(asset) for asset in batch.assets],
        "target_kind": str(kind),
        "targets": list(batch.targets),
        "license_ids": ids,
    }
    sent = send_write(rt, account, "associate", payload, lambda client: client.associate(batch))
    return settle_write(rt, sent, wait=wait), ids


def _refuse_unregistered(
    rt: Runtime,
    account: Account,
    batch: AssetBatch,
    refused: list[str],
    license_ids: list[int],
    outcomes: Outcomes,
) -> list[tuple[str, Decision]]:
    """Users Apple does not know: their licenses failed (never queued), their outcome refused, and abctl stops
    taking them for enrolled until a sync or `users invite` says otherwise. Returns the refusals as decisions,
    for the exit-7 hint."""
    rt.store.set_license_state(license_ids, LicenseState.FAILED, detail=unregistered.DETAIL)
    rt.store.set_apple_user_status(account.id, refused, unregistered.FORGOTTEN, now=rt.now())
    kind = str(batch.target_kind)
    decisions: list[tuple[str, Decision]] = []
    for adam_id, pricing in batch.assets:
        for target in refused:
            reason = unregistered.reason(target, account.name)
            outcomes.add(TargetOutcome(adam_id, kind, target, account.name, kind, "refused", reason))
            decision = Decision(Target(TargetKind.USER, target), Outcome.REFUSED, Reason.NOT_ENROLLED, reason,
                                account.id, account.name, TargetKind.USER, pricing)  # fmt: skip
            decisions.append((adam_id, decision))
    return decisions
