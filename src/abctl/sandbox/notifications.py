"""The notifications Apple sends (apple-api.md 5), built from what the sandbox just did. Each carries at most
`MAX_ELEMENTS` assignments or users: a bigger event is split over several notifications.

An event with failures gives one FAILURE notification per error number (a notification carries at most one
`error`), naming the affected assignments or users, and one SUCCESS notification for the rest, if any.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from abctl.sandbox.state import Built, Location, SandboxEvent, user_json

MAX_ELEMENTS = 100
ASSET_TYPES = {"ASSOCIATE", "DISASSOCIATE", "REVOKE"}
USER_TYPES = {"CREATE", "UPDATE", "RETIRE"}


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), MAX_ELEMENTS):
        yield list(items[start : start + MAX_ELEMENTS])


def _assignment(pair: tuple[str, str, str, str]) -> dict[str, str]:
    adam_id, pricing, kind, target = pair
    return {"adamId": adam_id, "pricingParam": pricing, kind: target}


def _failed_pairs(event: SandboxEvent, failure: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    info = failure.get("errorInfo") or {}
    assets = [(str(a["adamId"]), str(a["pricingParam"])) for a in info.get("assets") or []] or event.assets()
    targets = [("serialNumber", s) for s in info.get("serialNumbers") or []]
    targets += [("clientUserId", c) for c in info.get("clientUserIds") or []]
    return [(a, p, kind, target) for a, p in assets for kind, target in targets]


def _error(failure: dict[str, Any]) -> dict[str, Any]:
    return {"errorNumber": failure["errorNumber"], "errorMessage": failure.get("errorMessage", "")}


def asset_management(event: SandboxEvent) -> list[Built]:
    """ASSET_MANAGEMENT for a processed associate, disassociate or revoke."""
    pairs = list(event.affected)
    out: list[Built] = []
    failed: set[tuple[str, str, str, str]] = set()
    for failure in event.failures:
        these = _failed_pairs(event, failure)
        failed.update(these)
        for chunk in _chunks(these):
            out.append(("ASSET_MANAGEMENT", {"assignments": [_assignment(p) for p in chunk], "eventId": event.event_id,
                                             "result": "FAILURE", "type": event.event_type,
                                             "error": _error(failure)}))  # fmt: skip
    done = [pair for pair in pairs if pair not in failed]
    chunks = list(_chunks(done)) or ([] if out else [[]])  # an event about nothing still says SUCCESS once
    success: list[Built] = [("ASSET_MANAGEMENT", {"assignments": [_assignment(p) for p in chunk],
                                                  "eventId": event.event_id, "result": "SUCCESS",
                                                  "type": event.event_type}) for chunk in chunks]  # fmt: skip
    return success + out


def user_management(location: Location, event: SandboxEvent) -> list[Built]:
    """USER_MANAGEMENT for a processed users create, update or retire."""
    ids = [str(u.get("clientUserId")) for u in event.payload.get("users", []) or []]  # type: ignore[attr-defined]
    out: list[Built] = []
    failed: set[str] = set()
    for failure in event.failures:
        info: dict[str, Any] = failure.get("errorInfo") or {}  # type: ignore[assignment]
        these = [str(c) for c in info.get("clientUserIds") or []]
        failed.update(these)
        for chunk in _chunks(these):
            users = [user_json(location.users[c]) if c in location.users else {"clientUserId": c} for c in chunk]
            out.append(("USER_MANAGEMENT", {"eventId": event.event_id, "result": "FAILURE", "type": event.event_type,
                                            "users": users, "error": _error(failure)}))  # fmt: skip
    done = [c for c in ids if c not in failed and c in location.users]
    success: list[Built] = [("USER_MANAGEMENT", {"eventId": event.event_id, "result": "SUCCESS",
                                                 "type": event.event_type,
                                                 "users": [user_json(location.users[c]) for c in chunk]})
                            for chunk in _chunks(done)]  # fmt: skip
    return success + out


def for_event(location: Location, event: SandboxEvent) -> list[Built]:
    if event.event_type in ASSET_TYPES:
        return asset_management(event)
    return user_management(location, event)
