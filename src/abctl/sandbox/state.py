"""Apple's side of the world: locations (one per sToken) with assets, assignments, users, events and versions.

Every write bumps the location's version counter; each record remembers the version that last touched it, so a
`sinceVersionId` read returns the records created or changed since. Removals do not appear in deltas: Apple does
not document how they would (apple-api.md 3.3), so the sandbox shows none and abctl heals from asset counts.
Associating a pair that already exists is a no-op success that consumes no seat. All access holds one lock.

Changes made from outside (the admin endpoints: purchases, another MDM's assignments, an accepted invitation)
announce themselves through `SandboxState.notify`, which the serving app points at its notification sender.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from abctl.errors import NotFoundError
from abctl.sandbox.lookup import make_metadata
from abctl.sandbox.ratelimit import RequestCounter

UNLIMITED = 2_147_483_647  # the totalCount Apple shows for an unlimited (free) asset
Built = tuple[str, dict[str, Any]]  # (notificationType, notification body)

Target = tuple[str, str]  # ("serialNumber" | "clientUserId", id)
AssetKey = tuple[str, str]  # (adamId, pricingParam)


@dataclass
class SandboxAsset:
    adam_id: str
    pricing_param: str
    name: str
    product_type: str
    total: int
    device_assignable: bool
    revocable: bool
    platforms: tuple[str, ...]
    retired: int = 0
    version: int = 0
    unlimited: bool = False


@dataclass
class SandboxUser:
    client_user_id: str
    status: str
    email: str | None
    managed_apple_id: str | None
    invite_code: str
    id_hash: str | None
    version: int


@dataclass
class SandboxEvent:
    event_id: str
    event_type: str
    created_at: float
    payload: dict[str, object]
    status: str = "PENDING"
    num_requested: int = 0
    num_completed: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)
    stuck_polls: int = 0
    affected: list[tuple[str, str, str, str]] = field(default_factory=list)  # the pairs it was about (notifications)

    def assets(self) -> list[tuple[str, str]]:
        items: list[dict[str, str]] = self.payload.get("assets", []) or []  # type: ignore[assignment]
        return [(str(a["adamId"]), str(a.get("pricingParam") or "STDQ")) for a in items]


@dataclass
class Location:
    name: str
    token_id: str
    uid: str
    location_name: str
    org_name: str
    expires_at: datetime
    country: str = "US"
    default_platform: str = "volumestore"
    website_url: str = "https://school.apple.com"
    revoked: bool = False
    mdm_info: dict[str, str] | None = None
    notification_url: str | None = None
    notification_token: str | None = None
    notification_types: tuple[str, ...] = ()
    assets: dict[AssetKey, SandboxAsset] = field(default_factory=dict)
    assignments: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    users: dict[str, SandboxUser] = field(default_factory=dict)
    events: dict[str, SandboxEvent] = field(default_factory=dict)
    version: int = 1
    known_versions: set[int] = field(default_factory=lambda: {1})
    assigned: dict[AssetKey, int] = field(default_factory=dict)
    page_cache: dict[tuple[object, ...], list[object]] = field(default_factory=dict)  # see sandbox.reads.page

    def bump(self) -> int:
        self.version += 1
        self.known_versions.add(self.version)
        return self.version

    def version_id(self, version: int | None = None) -> str:
        return f"{self.uid}-{self.version if version is None else version}"

    def assigned_count(self, key: AssetKey) -> int:
        return self.assigned.get(key, 0)

    def available(self, key: AssetKey) -> int:
        return max(0, self.assets[key].total - self.assigned_count(key))

    def assign(self, adam_id: str, pricing: str, kind: str, target: str) -> bool:
        """Record one assignment; False when it already existed (a no-op that uses no seat)."""
        pair = (adam_id, pricing, kind, target)
        if pair in self.assignments:
            return False
        self.assignments[pair] = self.bump()
        self.assigned[(adam_id, pricing)] = self.assigned.get((adam_id, pricing), 0) + 1
        return True

    def unassign(self, adam_id: str, pricing: str, kind: str, target: str) -> bool:
        if self.assignments.pop((adam_id, pricing, kind, target), None) is None:
            return False
        self.assigned[(adam_id, pricing)] -= 1
        self.bump()
        return True


class SandboxState:
    """All locations, with the lock and clock every operation shares."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, event_delay: float = 0.0) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.event_delay = event_delay
        self.locations: dict[str, Location] = {}
        self.metadata: dict[str, dict[str, object]] = {}
        self.page_sizes = {"assets": 500, "assignments": 1000, "users": 1000}
        self.max_request_per_second = 15
        self.counter = RequestCounter()  # the rate limit and the request statistics (sandbox.ratelimit)
        self.notify: Callable[[Location, list[Built]], None] = lambda location, built: None

    # -- setup ------------------------------------------------------------------------------------------------

    def add_location(self, name: str, *, token_id: str | None = None, org_name: str, location_name: str,
                     expires_at: datetime, uid: str | None = None) -> Location:  # fmt: skip
        token_id = token_id or f"sandbox-{name}-{uuid.uuid4().hex[:12]}"
        uid = uid or str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))
        location = Location(name, token_id, uid, location_name, org_name, expires_at.astimezone(UTC))
        with self.lock:
            self.locations[name] = location
        return location

    def add_asset(self, location: str, asset: SandboxAsset) -> None:
        with self.lock:
            loc = self.location(location)
            asset.version = loc.bump()
            loc.assets[(asset.adam_id, asset.pricing_param)] = asset
            self.metadata.setdefault(
                asset.adam_id, make_metadata(asset.adam_id, asset.name, asset.product_type, asset.platforms)
            )

    def register_minted(self, bearer: str, token_id: str) -> Location | None:
        """A token made by `abctl sandbox token` names its own location: create it, empty, on first use.

        Its id is `sandbox-NAME`, optionally with `~revoked` or `~claimed` for drills."""
        from abctl.sandbox.tokens import expiry_of, org_of

        if not token_id.startswith("sandbox-"):
            return None
        name, _, flag = token_id.removeprefix("sandbox-").partition("~")
        expires = expiry_of(bearer)
        if expires is None or not name:
            return None
        with self.lock:
            if name in self.locations:
                return self.locations[name] if self.locations[name].token_id == token_id else None
            location = self.add_location(name, token_id=token_id, org_name=org_of(bearer) or name,
                                         location_name=name, expires_at=expires)  # fmt: skip
            location.revoked = flag == "revoked"
            if flag == "claimed":
                location.mdm_info = {"id": "another-mdm", "name": "Another MDM", "metadata": "1.0"}
            return location

    def location(self, name: str) -> Location:
        try:
            return self.locations[name]
        except KeyError:
            raise NotFoundError(f"the sandbox has no location `{name}`", hint="see GET /sandbox/stats") from None

    def by_token(self, token_id: str) -> Location | None:
        for location in self.locations.values():
            if location.token_id == token_id:
                return location
        return None

    # -- changes made outside abctl (drills and tests) -----------------------------------------------------

    def external_assign(self, location: str, adam_id: str, kind: str, target: str, pricing: str = "STDQ") -> None:
        with self.lock:
            self.location(location).assign(adam_id, pricing, kind, target)

    def external_unassign(self, location: str, adam_id: str, kind: str, target: str, pricing: str = "STDQ") -> None:
        with self.lock:
            self.location(location).unassign(adam_id, pricing, kind, target)

    def set_total(self, location: str, adam_id: str, total: int, pricing: str = "STDQ") -> None:
        """Licenses bought, refunded or moved to another location outside any MDM (ASSET_COUNT)."""
        with self.lock:
            loc = self.location(location)
            asset = loc.assets[(adam_id, pricing)]
            delta, asset.total = total - asset.total, total
            asset.version = loc.bump()
            if delta:
                self.notify(loc, [_asset_count(adam_id, pricing, delta)])

    def associate_user(self, location: str, client_user_id: str) -> None:
        """The user accepted the invitation: status Associated, and USER_ASSOCIATED."""
        with self.lock:
            loc = self.location(location)
            user = loc.users[client_user_id]
            user.status = "Associated"
            user.id_hash = user.id_hash or hashlib.sha256(client_user_id.encode()).hexdigest()[:16]
            user.version = loc.bump()
            self.notify(loc, [("USER_ASSOCIATED", {"associatedUsers": [user_json(user)]})])

    def revoke_token(self, location: str) -> None:
        with self.lock:
            self.location(location).revoked = True

    def claim(self, location: str, mdm_id: str, name: str = "Other MDM", metadata: str = "1.0") -> None:
        """Another MDM takes the location (sets mdmInfo)."""
        with self.lock:
            self.location(location).mdm_info = {"id": mdm_id, "name": name, "metadata": metadata}

    def stats(self) -> dict[str, object]:
        with self.lock:
            return self.counter.snapshot() | {
                "locations": {
                    name: {"uid": loc.uid, "assignments": len(loc.assignments), "users": len(loc.users),
                           "events": len(loc.events), "version_id": loc.version_id(), "mdm_info": loc.mdm_info}
                    for name, loc in self.locations.items()
                },
            }  # fmt: skip

    def reset_stats(self) -> None:
        self.counter.reset()


def user_json(user: SandboxUser) -> dict[str, Any]:
    """A ResponseUser, as GET users and the notifications show it (no managedAppleId: it is request-only)."""
    record: dict[str, Any] = {
        "clientUserId": user.client_user_id,
        "status": user.status,
        "inviteCode": user.invite_code,
    }
    if user.email:
        record["email"] = user.email
    if user.id_hash:
        record["idHash"] = user.id_hash
    return record


def _asset_count(adam_id: str, pricing: str, delta: int) -> Built:
    return ("ASSET_COUNT", {"adamId": adam_id, "countDelta": delta, "pricingParam": pricing})
