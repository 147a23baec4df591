"""The ledger of Apple writes and the activity log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abctl.models.apple import EventFailure


class EventKind(StrEnum):
    ASSOCIATE = "associate"
    DISASSOCIATE = "disassociate"
    REVOKE = "revoke"
    USER_CREATE = "user_create"
    USER_UPDATE = "user_update"
    USER_RETIRE = "user_retire"


class LedgerState(StrEnum):
    """Where an Apple write stands in abctl's ledger: intent (committed before the call), then pending, then
    complete or failed; unknown when the call may or may not have reached Apple."""

    INTENT = "intent"
    PENDING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LedgerEvent:
    """One Apple write in the event ledger, with its payload and outcome."""

    id: int
    event_id: str | None
    account_id: int | None
    account_name: str
    kind: str
    payload: dict[str, object]
    state: str
    num_requested: int | None
    num_completed: int | None
    failures: tuple[EventFailure, ...]
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the activity log (R19)."""

    id: int
    ts: datetime
    actor: str
    action: str
    result: str
    space: str | None = None
    account_name: str | None = None
    adam_id: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    license_type: str | None = None
    event_id: str | None = None
    detail: str | None = None
