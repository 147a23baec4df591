"""Licenses as abctl records them: who holds which asset from which account, and in what state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from abctl.models.enums import TargetKind


class LicenseState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"
    REVOKING = "revoking"
    REVOKED = "revoked"


class LicenseSource(StrEnum):
    """Why a license exists: a reservation, an FCFS request, a required app, an admin's assign, or found on Apple."""

    RESERVED = "reserved"
    FCFS = "fcfs"
    REQUIRED = "required"
    ADMIN = "admin"
    EXTERNAL = "external"


@dataclass(frozen=True)
class License:
    """One license abctl knows of: which account pays, for which asset, for which device or user."""

    id: int
    account_id: int
    account_name: str
    adam_id: str
    pricing_param: str
    target_kind: TargetKind
    target_id: str
    source: str
    state: str
    event_id: str | None
    platform: str | None
    assigned_at: datetime
    revoked_at: datetime | None = None
    usable_until: datetime | None = None
    last_action: str | None = None
    detail: str | None = None
