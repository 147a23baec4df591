"""What Apple does with an accepted write when its event is processed: associate, disassociate, revoke, and
users create / update / retire. Each returns (numRequested, numCompleted, failures) in Apple's shapes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

from abctl.sandbox.errors import ASYNC_MESSAGES
from abctl.sandbox.state import Location, SandboxEvent, SandboxUser

KIND_KEYS = {"serialNumber": "serialNumbers", "clientUserId": "clientUserIds"}
MESSAGES = {**ASYNC_MESSAGES, 9602: "Invalid argument"}


def _targets(payload: dict[str, object]) -> list[tuple[str, str]]:
    serials = [("serialNumber", str(s)) for s in payload.get("serialNumbers", []) or []]  # type: ignore[attr-defined]
    users = [("clientUserId", str(u)) for u in payload.get("clientUserIds", []) or []]  # type: ignore[attr-defined]
    return serials + users


def _assets(payload: dict[str, object]) -> list[tuple[str, str]]:
    assets: list[dict[str, str]] = payload.get("assets", []) or []  # type: ignore[assignment]
    return [(str(a["adamId"]), str(a.get("pricingParam") or "STDQ")) for a in assets]


class FailureBook:
    """Collects per-target failures grouped by error number, as `failures[].errorInfo` lists them."""

    def __init__(self) -> None:
        self._by_number: dict[int, dict[str, list[str]]] = {}
        self._assets: dict[int, list[dict[str, str]]] = {}

    def add(self, number: int, kind: str, target: str, asset: tuple[str, str] | None = None) -> None:
        info = self._by_number.setdefault(number, {})
        ids = info.setdefault(KIND_KEYS[kind], [])
        if target not in ids:
            ids.append(target)
        if asset is not None:
            listed = self._assets.setdefault(number, [])
            entry = {"adamId": asset[0], "pricingParam": asset[1]}
            if entry not in listed:
                listed.append(entry)

    def count(self) -> int:
        return sum(len(ids) for info in self._by_number.values() for ids in info.values())

    def entries(self) -> list[dict[str, object]]:
        result: list[dict[str, object]] = []
        for number, info in self._by_number.items():
            error_info: dict[str, object] = dict(info)
            if number in self._assets:
                error_info["assets"] = self._assets[number]
            result.append({"errorNumber": number, "errorMessage": MESSAGES.get(number, ""), "errorInfo": error_info})
        return result


def process(location: Location, event: SandboxEvent) -> None:
    """Apply the event to the location and fill in its counts, failures and final status."""
    handler = {
        "ASSOCIATE": associate,
        "DISASSOCIATE": disassociate,
        "REVOKE": revoke,
        "CREATE": create_users,
        "UPDATE": update_users,
        "RETIRE": retire_users,
    }[event.event_type]
    if event.event_type == "REVOKE":
        event.affected = _doomed(location, event.payload)  # what it takes away, read before it does
    elif event.event_type in ("ASSOCIATE", "DISASSOCIATE"):
        targets = _targets(event.payload)
        event.affected = [(a, p, kind, target) for a, p in _assets(event.payload) for kind, target in targets]
    requested, completed, failures = handler(location, event.payload)
    event.num_requested, event.num_completed, event.failures = requested, completed, failures
    event.status = "FAILED" if failures else "COMPLETE"


def associate(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    assets, targets = _assets(payload), _targets(payload)
    book = FailureBook()
    completed = 0
    for asset in assets:
        for kind, target in targets:
            if kind == "clientUserId" and not _registered(location, target):
                book.add(9609, kind, target)
            elif (asset[0], asset[1], kind, target) in location.assignments:
                completed += 1
            elif asset not in location.assets or location.available(asset) <= 0:
                book.add(9709, kind, target, asset)
            else:
                location.assign(asset[0], asset[1], kind, target)
                completed += 1
    return len(assets) * len(targets), completed, book.entries()


def disassociate(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    assets, targets = _assets(payload), _targets(payload)
    for asset in assets:
        for kind, target in targets:
            location.unassign(asset[0], asset[1], kind, target)
    count = len(assets) * len(targets)
    return count, count, []


def _doomed(location: Location, payload: dict[str, object]) -> list[tuple[str, str, str, str]]:
    """The assignments a revoke removes: every revocable asset of its targets."""
    targets = set(_targets(payload))
    return [
        pair for pair in location.assignments
        if (pair[2], pair[3]) in targets and location.assets.get((pair[0], pair[1])) is not None
        and location.assets[(pair[0], pair[1])].revocable
    ]  # fmt: skip


def revoke(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    targets = set(_targets(payload))
    for pair in _doomed(location, payload):
        location.unassign(*pair)
    return len(targets), len(targets), []


def _registered(location: Location, client_user_id: str) -> bool:
    user = location.users.get(client_user_id)
    return user is not None and user.status in {"Registered", "Associated"}


def _users(payload: dict[str, object]) -> Sequence[dict[str, str]]:
    return payload.get("users", []) or []  # type: ignore[return-value]


def create_users(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    book = FailureBook()
    users = _users(payload)
    for entry in users:
        client_user_id = entry["clientUserId"]
        existing = location.users.get(client_user_id)
        if existing is not None and existing.status != "Retired":
            book.add(9716, "clientUserId", client_user_id)
            continue
        managed = entry.get("managedAppleId")
        location.users[client_user_id] = SandboxUser(
            client_user_id=client_user_id,
            status="Associated" if managed else "Registered",
            email=entry.get("email"),
            managed_apple_id=managed,
            invite_code=uuid.uuid4().hex[:20],
            id_hash=hashlib.sha256(client_user_id.encode()).hexdigest()[:16] if managed else None,
            version=location.bump(),
        )
    failures = book.entries()
    return len(users), len(users) - book.count(), failures


def update_users(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    book = FailureBook()
    users = _users(payload)
    for entry in users:
        user = location.users.get(entry["clientUserId"])
        if user is None:
            book.add(9609, "clientUserId", entry["clientUserId"])
            continue
        if entry.get("email"):
            user.email = entry["email"]
        if entry.get("managedAppleId"):
            user.managed_apple_id, user.status = entry["managedAppleId"], "Associated"
        user.version = location.bump()
    return len(users), len(users) - book.count(), book.entries()


def retire_users(location: Location, payload: dict[str, object]) -> tuple[int, int, list[dict[str, object]]]:
    book = FailureBook()
    users = _users(payload)
    for entry in users:
        user = location.users.get(entry["clientUserId"])
        if user is None:
            book.add(9609, "clientUserId", entry["clientUserId"])
            continue
        user.status = "Retired"
        user.version = location.bump()
    return len(users), len(users) - book.count(), book.entries()
