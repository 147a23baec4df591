"""THE revocation service (R10-R12): executes a plan from services/revocation/plan.py through the event ledger.

"Everything of these targets" goes out as assets/revoke in maxRevoke* batches; "these licenses" as
assets/disassociate per asset in maxAssets x maxSerialNumbers/maxClientUserIds batches. Every call is committed
to the ledger before it is sent, the events are awaited, licenses are marked revoked with `revoked_at` and the
R12 `usable_until`, every license is logged with Apple's eventId, and usage notifications are re-evaluated.
Skipped rows (books, non-revocable) are logged and never sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.errors import AbctlError, AppleAPIError, AppleUnavailableError, TokenError
from abctl.models.enums import TargetKind
from abctl.models.ledger import LedgerState
from abctl.models.licenses import LicenseState
from abctl.services.revocation.plan import REVOKE, SKIP, PlanRow, RevocationPlan, usable_until
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.services.ledger.writes import SettledWrite
    from abctl.services.runtime import Runtime

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OutcomeRow:
    """One planned license after execution: revoked, pending (Apple not finished), failed or skipped."""

    row: PlanRow
    result: str
    event_id: str | None
    usable_until: datetime | None
    detail: str | None

    def as_dict(self) -> dict[str, Any]:
        data = self.row.as_dict()
        data.update(result=self.result, event_id=self.event_id, usable_until=self.usable_until, detail=self.detail)
        return data


@dataclass(frozen=True)
class CallOutcome:
    """One Apple call: which account, how many targets and assets, its eventId and how it ended."""

    account: str
    kind: str
    targets: int
    assets: int
    event_id: str | None
    state: str
    detail: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RevocationResult:
    """Every planned license's outcome, every Apple call, and the errors that stopped calls."""

    plan: RevocationPlan
    outcomes: tuple[OutcomeRow, ...]
    calls: tuple[CallOutcome, ...]
    errors: tuple[AbctlError, ...] = ()

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)

    @property
    def ok(self) -> bool:
        return all(outcome.result in ("revoked", "skipped") for outcome in self.outcomes) and all(
            call.state == LedgerState.COMPLETE for call in self.calls
        )

    def failed_targets(self) -> set[str]:
        return {o.row.target for o in self.outcomes if o.result in ("failed", "pending")}

    def failure(self, *, hint: str) -> AbctlError | None:
        """The error to exit with when licenses failed, by the hierarchy of the first error that stopped a call:
        6 when Apple could not be reached (network, 5xx, 429 after retries), 3 for a token Apple refused, else 5.
        None when nothing failed (pending is not a failure)."""
        failed = self.count("failed")
        if not failed:
            return None
        message = f"{failed} license(s) could not be revoked"
        first = self.errors[0] if self.errors else None
        if first is None:  # the calls went through; Apple's events name the targets that failed
            detail = next((o.detail for o in self.outcomes if o.result == "failed" and o.detail), None)
            return AppleAPIError(f"{message}: {detail}" if detail else message, hint=hint)
        if isinstance(first, AppleUnavailableError):
            return AppleUnavailableError(f"{message}: {first.message}", hint=hint)
        if isinstance(first, TokenError):
            return TokenError(f"{message}: {first.message}", hint=first.hint or hint, status=first.status,
                              error_number=first.error_number)  # fmt: skip
        return AppleAPIError(f"{message}: {first.message}", hint=hint)


Write = tuple[Any, str, dict[str, Any], Callable[[Any], str]]


def _revoke_writes(rt: Runtime, plan: RevocationPlan) -> tuple[list[Write], dict[int, list[PlanRow]]]:
    from abctl.apple.batching import revoke_batches

    writes: list[Write] = []
    rows_of: dict[int, list[PlanRow]] = {}
    by_account: dict[int, list[PlanRow]] = defaultdict(list)
    for row in plan.to_send:
        by_account[row.account_id].append(row)
    for account_id, rows in sorted(by_account.items()):
        account = rt.store.get_account_by_id(account_id)
        serials = sorted({r.target_id for r in rows if r.license_type == TargetKind.DEVICE})
        users = sorted({r.target_id for r in rows if r.license_type == TargetKind.USER})
        limits = rt.client(account).service_config().limits
        for batch in revoke_batches(serial_numbers=serials, client_user_ids=users, limits=limits):
            chosen = [r for r in rows if r.license_type == batch.target_kind and r.target_id in set(batch.targets)]
            payload = {"license_ids": [r.license_id for r in chosen], "target_kind": str(batch.target_kind),
                       "targets": list(batch.targets), "reason": plan.reason}  # fmt: skip
            rows_of[len(writes)] = chosen
            writes.append((account, "revoke", payload, _sender("revoke", batch)))
    return writes, rows_of


def _disassociate_writes(rt: Runtime, plan: RevocationPlan) -> tuple[list[Write], dict[int, list[PlanRow]]]:
    from abctl.apple.batching import associate_batches

    writes: list[Write] = []
    rows_of: dict[int, list[PlanRow]] = {}
    by_asset: dict[tuple[int, str, str], list[PlanRow]] = defaultdict(list)
    for row in plan.to_send:
        by_asset[(row.account_id, row.adam_id, row.pricing_param)].append(row)
    for (account_id, adam_id, pricing), rows in sorted(by_asset.items()):
        account = rt.store.get_account_by_id(account_id)
        serials = [r.target_id for r in rows if r.license_type == TargetKind.DEVICE]
        users = [r.target_id for r in rows if r.license_type == TargetKind.USER]
        limits = rt.client(account).service_config().limits
        for batch in associate_batches([(adam_id, pricing)], serial_numbers=serials, client_user_ids=users,
                                       limits=limits):  # fmt: skip
            chosen = [r for r in rows if r.license_type == batch.target_kind and r.target_id in set(batch.targets)]
            payload = {"license_ids": [r.license_id for r in chosen], "assets": [list(a) for a in batch.assets],
                       "target_kind": str(batch.target_kind), "targets": list(batch.targets),
                       "reason": plan.reason}  # fmt: skip
            rows_of[len(writes)] = chosen
            writes.append((account, "disassociate", payload, _sender("disassociate", batch)))
    return writes, rows_of


def _sender(method: str, batch: Any) -> Callable[[Any], str]:
    """The call for one batch (bound now, not when the loop variable has moved on)."""
    return lambda client: str(getattr(client, method)(batch))


def execute_revocation(rt: Runtime, plan: RevocationPlan, *, on_progress: Progress | None = None) -> RevocationResult:
    """Send the plan to Apple, wait for the events, record the outcome locally. Never raises for one failed call:
    each outcome row says what happened to its license."""
    from abctl.services.ledger.writes import send_all, settle_write

    writes, rows_of = (_revoke_writes if plan.kind == REVOKE else _disassociate_writes)(rt, plan)
    sent = send_all(rt, writes, on_progress=on_progress)
    outcomes: list[OutcomeRow] = []
    calls: list[CallOutcome] = []
    errors = tuple(item.error for item in sent if item.error is not None)
    for index, item in enumerate(sent):
        settled = settle_write(rt, item)
        rows = rows_of[index]
        outcomes.extend(_record(rt, settled, rows))
        calls.append(_call_outcome(settled, rows))
    outcomes.extend(OutcomeRow(row, "skipped", None, None, row.reason) for row in plan.skipped)
    _log(rt, plan, outcomes)
    _refresh_usage(rt, {o.row.account_id for o in outcomes if o.result == "revoked"})
    return RevocationResult(plan, tuple(outcomes), tuple(calls), errors)


def _record(rt: Runtime, settled: SettledWrite, rows: Sequence[PlanRow]) -> list[OutcomeRow]:
    store, now, sent = rt.store, rt.now(), settled.sent
    kind = sent.kind
    if sent.event_id is None:
        detail = sent.error.message if sent.error else "not sent"
        return [OutcomeRow(row, "failed", None, None, detail) for row in rows]
    if settled.state is LedgerState.PENDING:
        store.set_license_state([r.license_id for r in rows], LicenseState.REVOKING, event_id=sent.event_id,
                                last_action=kind)  # fmt: skip
        return [OutcomeRow(r, "pending", sent.event_id, None, "Apple has not finished") for r in rows]
    outcomes: list[OutcomeRow] = []
    done: list[PlanRow] = []
    for row in rows:
        failure = settled.failure_for(row.license_type, row.target_id)
        if failure is not None:
            outcomes.append(OutcomeRow(row, "failed", sent.event_id, None,
                                       f"{failure.error_number} {failure.error_message}"))  # fmt: skip
        else:
            done.append(row)
    until = {row.license_id: usable_until(row.platform, now) for row in done}
    store.set_license_state([row.license_id for row in done], LicenseState.REVOKED, event_id=sent.event_id,
                            last_action=kind, detail=None, revoked_at=now, usable_until=until)  # fmt: skip
    outcomes.extend(OutcomeRow(row, "revoked", sent.event_id, until[row.license_id], None) for row in done)
    return outcomes


def _call_outcome(settled: SettledWrite, rows: Sequence[PlanRow]) -> CallOutcome:
    sent = settled.sent
    payload = sent.payload
    detail = sent.error.message if sent.error else (settled.failures[0].error_message if settled.failures else None)
    return CallOutcome(sent.account.name, sent.kind, len(payload["targets"]), len(payload.get("assets", ())),
                       sent.event_id, str(settled.state), detail)  # fmt: skip


def _log(rt: Runtime, plan: RevocationPlan, outcomes: Sequence[OutcomeRow]) -> None:
    from abctl.store.activity import NewActivity

    spaces = {account.id: account.space for account in rt.store.list_accounts()}
    entries = []
    for outcome in outcomes:
        row = outcome.row
        detail = plan.reason
        if outcome.detail:
            detail += f"; {outcome.detail}"
        if outcome.result == "revoked":
            detail += f"; usable until {to_iso(outcome.usable_until)}" if outcome.usable_until else "; stays installed"
        entries.append(NewActivity(
            action=SKIP if row.action == SKIP else row.action, result=outcome.result,
            space=spaces.get(row.account_id), account_name=row.account, adam_id=row.adam_id,
            target_kind=row.license_type, target_id=row.target_id, license_type=row.license_type,
            event_id=outcome.event_id, detail=detail,
        ))  # fmt: skip
    if entries:
        rt.store.log_activity(entries, actor=rt.actor, now=rt.now())


def _refresh_usage(rt: Runtime, account_ids: set[int]) -> None:
    """Re-read the affected accounts' asset counts (best effort) and re-evaluate usage notifications (R17)."""
    if not account_ids:
        return
    for account_id in sorted(account_ids):
        account = rt.store.get_account_by_id(account_id)
        try:
            assets = rt.client(account).list_assets()
        except AbctlError:
            continue  # the next sync reads them; the revocation itself is recorded
        rt.store.replace_assets(account_id, assets.items, now=rt.now())
    try:
        from abctl.services.reporting.notifications import evaluate_usage
    except ImportError:  # pragma: no cover - the accounts work provides it
        return
    evaluate_usage(rt, sorted(account_ids))
