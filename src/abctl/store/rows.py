"""Turning SQLite rows into abctl's models (one place that knows both column names and dataclasses)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.models.accounts import Account
from abctl.models.enums import TargetKind
from abctl.models.licenses import License
from abctl.timeutil import from_iso

if TYPE_CHECKING:
    from abctl.models.apple import EventFailure
    from abctl.models.ledger import ActivityEntry, LedgerEvent


def when(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def account_from_row(row: dict[str, Any]) -> Account:
    return Account(
        id=row["id"],
        name=row["name"],
        space=row["space"],
        priority=row["priority"],
        auto_distribute=bool(row["auto_distribute"]),
        org_name=row["org_name"],
        location_name=row["location_name"],
        uid=row["uid"],
        country=row["country"],
        token_fingerprint=row["token_fingerprint"],
        created_at=from_iso(row["created_at"]),
        expires_at=from_iso(row["expires_at"]),
        status=row["status"],
        status_detail=row["status_detail"],
        mdm_owner_id=row["mdm_owner_id"],
        mdm_owner_name=row["mdm_owner_name"],
        default_platform=row["default_platform"],
        website_url=row["website_url"],
        last_full_sync_at=when(row["last_full_sync_at"]),
        last_sync_at=when(row["last_sync_at"]),
        assets_version_id=row["assets_version_id"],
        assignments_version_id=row["assignments_version_id"],
        users_version_id=row["users_version_id"],
    )


def license_from_row(row: dict[str, Any]) -> License:
    return License(
        id=row["id"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        adam_id=row["adam_id"],
        pricing_param=row["pricing_param"],
        target_kind=TargetKind(row["target_kind"]),
        target_id=row["target_id"],
        source=row["source"],
        state=row["state"],
        event_id=row["event_id"],
        platform=row["platform"],
        assigned_at=from_iso(row["assigned_at"]),
        revoked_at=when(row["revoked_at"]),
        usable_until=when(row["usable_until"]),
        last_action=row["last_action"],
        detail=row["detail"],
    )


def failures_from_json(text: str | None) -> tuple[EventFailure, ...]:
    if not text:
        return ()
    from abctl.models.apple import EventFailure  # here: a store without failures to read does not load Apple's models

    return tuple(
        EventFailure(
            error_number=item["error_number"],
            error_message=item["error_message"],
            serial_numbers=tuple(item.get("serial_numbers", ())),
            client_user_ids=tuple(item.get("client_user_ids", ())),
            adam_ids=tuple(item.get("adam_ids", ())),
        )
        for item in json.loads(text)
    )


def failures_to_json(failures: tuple[EventFailure, ...]) -> str | None:
    if not failures:
        return None
    return json.dumps(
        [
            {
                "error_number": f.error_number,
                "error_message": f.error_message,
                "serial_numbers": list(f.serial_numbers),
                "client_user_ids": list(f.client_user_ids),
                "adam_ids": list(f.adam_ids),
            }
            for f in failures
        ]
    )


def event_from_row(row: dict[str, Any]) -> LedgerEvent:
    from abctl.models.ledger import LedgerEvent  # here: a command that reads no ledger does not load it

    return LedgerEvent(
        id=row["id"],
        event_id=row["event_id"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        state=row["state"],
        num_requested=row["num_requested"],
        num_completed=row["num_completed"],
        failures=failures_from_json(row["failures"]),
        created_at=from_iso(row["created_at"]),
        sent_at=when(row["sent_at"]),
        finished_at=when(row["finished_at"]),
    )


def activity_from_row(row: dict[str, Any]) -> ActivityEntry:
    from abctl.models.ledger import ActivityEntry

    return ActivityEntry(
        id=row["id"],
        ts=from_iso(row["ts"]),
        actor=row["actor"],
        action=row["action"],
        result=row["result"],
        space=row["space"],
        account_name=row["account_name"],
        adam_id=row["adam_id"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        license_type=row["license_type"],
        event_id=row["event_id"],
        detail=row["detail"],
    )
