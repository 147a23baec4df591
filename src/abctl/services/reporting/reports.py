"""The notifications view (R17/R18 results, evaluated elsewhere), `--fail-on` checks, and the activity log (R19).

Read-only: the notifications table is written by services/reporting/notifications.py; this module only lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from abctl.errors import CheckFailedError, InputError
from abctl.services.names.targets import resolve_target

if TYPE_CHECKING:
    from abctl.models.ledger import ActivityEntry
    from abctl.services.reporting.usage import UsageRow
    from abctl.store import Store
    from abctl.store.reports import NotificationRecord

COMPONENT = "Apps and Books"
NOTIFICATION_TYPES = {
    "usage": "License Usage",
    "auth": "Authentication Error",
    "expiry": "Token Expiry",
    "drift": "License Drift",
}


class Severity(StrEnum):
    """Notification severities, mildest first (the admin guide's Info, Warn, Alert)."""

    INFO = "info"
    WARN = "warn"
    ALERT = "alert"

    @property
    def rank(self) -> int:
        return list(Severity).index(self) + 1


@dataclass(frozen=True)
class NotificationRow:
    """One notification as `abctl notifications` shows it."""

    id: int
    space: str | None
    kind: str
    type: str
    component: str
    severity: str
    trigger: str
    account: str
    adam_id: str | None
    name: str | None  # the app's name (its adamId when no name is known)
    message: str
    action: str | None
    raised_at: datetime
    cleared_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LogRow:
    """One activity log entry as `abctl log` shows it; `target` uses the `device:SERIAL` / `user:ID` syntax."""

    ts: datetime
    actor: str
    space: str | None
    account: str | None
    adam_id: str | None
    name: str | None
    target: str | None
    license_type: str | None
    action: str
    result: str
    event_id: str | None
    detail: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


def _notification_row(record: NotificationRecord) -> NotificationRow:
    return NotificationRow(
        id=record.id,
        space=record.space,
        kind=record.kind,
        type=NOTIFICATION_TYPES.get(record.kind, record.kind),
        component=COMPONENT,
        severity=record.severity,
        trigger=record.trigger,
        account=record.account,
        adam_id=record.adam_id,
        name=(record.name or record.adam_id) if record.adam_id else None,
        message=record.message.replace(f" {record.adam_id} ", f" {record.name} ")  # raised before names were used
        if record.adam_id and record.name
        else record.message,
        action=record.action,
        raised_at=record.raised_at,
        cleared_at=record.cleared_at,
    )


def list_notifications(
    store: Store, *, space: str | None = None, include_cleared: bool = False, kind: str | None = None
) -> list[NotificationRow]:
    """Open notifications (cleared ones too when asked): open first, worst first, newest first."""
    rows = [
        _notification_row(record)
        for record in store.notifications(space=space, include_cleared=include_cleared)
        if kind is None or record.kind == kind
    ]
    rows.sort(key=lambda row: (row.raised_at, row.id), reverse=True)
    rows.sort(key=lambda row: (not row.is_open, -_severity_rank(row.severity)))
    return rows


def _trigger_rank(row: NotificationRow) -> int:
    return int(row.trigger.rstrip("%")) if row.trigger.rstrip("%").isdigit() else 0


def highest_per_app(rows: Sequence[NotificationRow]) -> list[NotificationRow]:
    """One open notification per account, kind and app: its highest trigger (a jump from 0% to 100% opens five).

    Cleared notifications are left out; the order of `rows` is kept.
    """
    best: dict[tuple[str, str, str | None], NotificationRow] = {}
    for row in rows:
        if not row.is_open:
            continue
        key = (row.account, row.kind, row.adam_id)
        held = best.get(key)
        rank = (_severity_rank(row.severity), _trigger_rank(row), row.raised_at, row.id)
        if held is None or rank > (_severity_rank(held.severity), _trigger_rank(held), held.raised_at, held.id):
            best[key] = row
    kept = {id(row) for row in best.values()}
    return [row for row in rows if id(row) in kept]


def check_fail_on(rows: Sequence[NotificationRow], fail_on: Severity | None, *, what: str = "notification") -> None:
    """Raises: CheckFailedError when an open notification among `rows` is at `fail_on` or worse."""
    if fail_on is None:
        return
    hits = [row for row in rows if row.is_open and _severity_rank(row.severity) >= fail_on.rank]
    if not hits:
        return
    worst = max(hits, key=lambda row: _severity_rank(row.severity))
    raise CheckFailedError(
        f"{len(hits)} open {what}(s) at {fail_on.value} or worse (worst: {worst.severity} {worst.trigger}"
        f" for `{worst.account}`)",
        hint="see them with: abctl notifications",
    )


def check_usage_levels(rows: Sequence[UsageRow], fail_on: Severity | None) -> None:
    """`usage --fail-on`: judges each row's level now (what the usage table shows), not open notifications,
    which clear only when usage drops below 50%.

    Raises: CheckFailedError when a row's level is at `fail_on` or worse.
    """
    if fail_on is None:
        return
    hits = [row for row in rows if row.level is not None and _severity_rank(row.level) >= fail_on.rank]
    if not hits:
        return
    worst = max(hits, key=lambda row: (_severity_rank(row.level or ""), row.percent_used or 0))
    where = "across the space" if worst.is_total else f"in `{worst.account}`"
    raise CheckFailedError(
        f"{len(hits)} usage level(s) at {fail_on.value} or worse now (worst: {worst.name} {where},"
        f" {worst.percent_used:.1f}% used, {worst.level})",
        hint=f"see them with: abctl usage --space {worst.space}",
    )


def parse_since(text: str) -> datetime:
    """A `--since` value: YYYY-MM-DD (midnight UTC) or an ISO-8601 date-time (UTC when no offset is given).

    Raises: InputError for anything else.
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"`{text}` is not a date",
            hint="use YYYY-MM-DD or an ISO date-time such as 2026-11-28T18:00:00Z",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _log_row(entry: ActivityEntry, names: dict[str, str]) -> LogRow:
    target = f"{entry.target_kind}:{entry.target_id}" if entry.target_kind and entry.target_id else entry.target_id
    return LogRow(
        ts=entry.ts,
        actor=entry.actor,
        space=entry.space,
        account=entry.account_name,
        adam_id=entry.adam_id,
        name=(names.get(entry.adam_id) or entry.adam_id) if entry.adam_id else None,
        target=target,
        license_type=entry.license_type,
        action=entry.action,
        result=entry.result,
        event_id=entry.event_id,
        detail=entry.detail,
    )


def activity_log(
    store: Store,
    *,
    adam_id: str | None = None,
    user: str | None = None,
    device: str | None = None,
    space: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[LogRow]:
    """Activity log entries, newest first. `user` also matches the devices the user owns.

    Raises: InputError when both a user and a device are given.
    """
    if user is not None and device is not None:
        hint = f"abctl log --user {user}, or abctl log --device {device}"
        raise InputError("give either --user or --device, not both", hint=hint)
    user = resolve_target(store, "user", user) if user is not None else None
    device = resolve_target(store, "device", device) if device is not None else None
    entries = store.activity_entries(adam_id=adam_id, user=user, device=device, space=space, since=since, limit=limit)
    names = store.app_names(entry.adam_id for entry in entries if entry.adam_id)
    return [_log_row(entry, names) for entry in entries]
