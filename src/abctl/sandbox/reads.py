"""Apple's response shapes: service config, paginated collections with versionIds, deltas and every
documented filter, and the synchronous request validation of writes (client/config lives in client_config.py,
the content lookup in lookup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abctl.sandbox.state import Location, SandboxState, user_json

ErrorFactory = Callable[..., Exception]  # (errorNumber, errorInfo=None) -> the exception to raise
AssignmentKey = tuple[str, str, str, str]  # adamId, pricingParam, "serialNumber" or "clientUserId", the target
ACTIVE = frozenset({"Registered", "Associated"})
INACTIVE = frozenset({"excludeInactiveUsers"})


def envelope(location: Location, body: dict[str, Any]) -> dict[str, Any]:
    """Add what every Apple response carries: tokenExpirationDate, uId and mdmInfo when set."""
    body["tokenExpirationDate"] = location.expires_at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    body["uId"] = location.uid
    if location.mdm_info:
        body["mdmInfo"] = dict(location.mdm_info)
    return body


def service_config(base: str, limits: dict[str, int], errors: dict[int, str]) -> dict[str, Any]:
    """Limits, the URLs of every endpoint (invitations and the lookup included) and every error number."""
    api = f"{base}/mdm/v2/"
    names = {"clientConfig": "client/config", "getAssets": "assets", "getAssignments": "assignments",
             "getUsers": "users", "associateAssets": "assets/associate", "disassociateAssets": "assets/disassociate",
             "revokeAssets": "assets/revoke", "createUsers": "users/create", "updateUsers": "users/update",
             "retireUsers": "users/retire", "eventStatus": "status"}  # fmt: skip
    urls = {key: api + path for key, path in names.items()}
    urls["invitationEmail"] = f"{base}/invite?inviteCode=%25inviteCode%25&mt=8"
    urls["contentMetadataLookup"] = f"{base}/lookup"
    return {
        "limits": limits,
        "urls": urls,
        "errorCodes": [{"errorNumber": n, "errorMessage": m} for n, m in sorted(errors.items())],
        "notificationTypes": ["ASSET_COUNT", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED"],
    }


def _asset_json(location: Location, key: tuple[str, str], *, apart: bool = False) -> dict[str, Any]:
    """A ResponseAsset; `apart`: an UnlimitedResponseAsset (no total, available or retired count)."""
    asset = location.assets[key]
    assigned = location.assigned_count(key)
    record = {"adamId": asset.adam_id, "pricingParam": asset.pricing_param, "productType": asset.product_type,
              "totalCount": asset.total, "assignedCount": assigned, "availableCount": max(0, asset.total - assigned),
              "retiredCount": asset.retired, "deviceAssignable": asset.device_assignable,
              "revocable": asset.revocable, "supportedPlatforms": list(asset.platforms)}  # fmt: skip
    if apart:
        for name in ("totalCount", "availableCount", "retiredCount"):
            del record[name]
    return record


def _truthy(value: str) -> bool:
    return value.lower() in {"true", "1"}


def _assignment_keys(location: Location, query: dict[str, str], since: int | None) -> list[AssignmentKey]:
    """The listing's assignments as keys: a page renders only its own 1,000 (a 100,000-row listing is built in
    milliseconds, under the state lock that every request of every location waits for)."""
    if since is None and not query.keys() & {"adamId", "pricingParam", "serialNumber", "clientUserId"} | INACTIVE:
        return list(location.assignments)
    inactive = _truthy(query.get("excludeInactiveUsers", ""))
    out = []
    for key, version in location.assignments.items():
        adam_id, pricing, kind, target = key
        if since is not None and version <= since:
            continue
        if inactive and kind == "clientUserId" and _user_status(location, target) not in ACTIVE:
            continue
        if query.get("adamId", adam_id) != adam_id or query.get("pricingParam", pricing) != pricing:
            continue
        if "serialNumber" in query and (kind != "serialNumber" or target != query["serialNumber"]):
            continue
        if "clientUserId" in query and (kind != "clientUserId" or target != query["clientUserId"]):
            continue
        out.append(key)
    return out


def _user_status(location: Location, client_user_id: str) -> str:
    user = location.users.get(client_user_id)
    return user.status if user is not None else "Deleted"


def _render(location: Location, endpoint: str, records: list[Any], query: dict[str, str]) -> list[dict[str, Any]]:
    if endpoint != "assignments":
        return records
    rendered = [
        {"adamId": adam_id, "pricingParam": pricing, kind: target} for adam_id, pricing, kind, target in records
    ]
    if _truthy(query.get("includeUserState", "")):
        for record in rendered:
            if "clientUserId" in record:
                record["userState"] = _user_status(location, record["clientUserId"])
    return rendered


def _assets(location: Location, query: dict[str, str]) -> list[dict[str, Any]]:
    unlimited = query.get("unlimited")
    keys = [key for key, asset in location.assets.items() if unlimited is None or not asset.unlimited]
    records = [_asset_json(location, key) for key in keys]
    for name in ("adamId", "productType", "pricingParam"):
        if name in query:
            records = [r for r in records if r[name] == query[name]]
    for name in ("revocable", "deviceAssignable"):
        if name in query:
            records = [r for r in records if r[name] == _truthy(query[name])]
    for name, field, compare in (("minAvailableCount", "availableCount", int.__ge__),
                                 ("maxAvailableCount", "availableCount", int.__le__),
                                 ("minAssignedCount", "assignedCount", int.__ge__),
                                 ("maxAssignedCount", "assignedCount", int.__le__)):  # fmt: skip
        if name in query:
            records = [r for r in records if compare(r[field], _int(query[name]))]
    return records


def unlimited_assets(location: Location, query: dict[str, str]) -> list[dict[str, Any]]:
    """`unlimited=true`: the unlimited assets, apart from the page (UnlimitedResponseAsset)."""
    if not _truthy(query.get("unlimited", "")):
        return []
    found = [_asset_json(location, key, apart=True) for key, asset in location.assets.items() if asset.unlimited]
    for name in ("adamId", "productType", "pricingParam"):
        if name in query:
            found = [r for r in found if r[name] == query[name]]
    return found


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(text) from None


def _records(location: Location, endpoint: str, query: dict[str, str], since: int | None) -> list[Any]:
    if endpoint == "assets":
        return _assets(location, query)
    if endpoint == "assignments":
        return _assignment_keys(location, query, since)
    users = []
    # includeRetired=0 is v1's spelling of activeOnly, still in Apple's getting-started page (apple-api.md 2.7).
    active_only = _truthy(query.get("activeOnly", "")) or query.get("includeRetired", "").lower() in {"0", "false"}
    for user in location.users.values():
        if since is not None and user.version <= since:
            continue
        if query.get("clientUserId", user.client_user_id) != user.client_user_id:
            continue
        if "email" in query and (user.email or "").casefold() != query["email"].casefold():
            continue
        if "managedAppleId" in query and (user.managed_apple_id or "").casefold() != query["managedAppleId"].casefold():
            continue
        if active_only and user.status == "Retired":
            continue
        if _truthy(query.get("retiredOnly", "")) and user.status != "Retired":
            continue
        users.append(user_json(user))
    return users


def page(
    state: SandboxState, location: Location, endpoint: str, query: dict[str, str], error: ErrorFactory
) -> dict[str, Any]:
    """One page of assets, assignments or users, with Apple's pagination fields."""
    since: int | None = None
    if "sinceVersionId" in query and endpoint != "assets":
        prefix, _, number = query["sinceVersionId"].rpartition("-")
        if prefix != location.uid or not number.isdigit() or int(number) not in location.known_versions:
            raise error(9721)
        since = int(number)
    try:
        index = int(query.get("pageIndex", "0"))
    except ValueError:
        raise error(9650) from None
    key = (endpoint, location.version, since, tuple(sorted((k, v) for k, v in query.items() if k != "pageIndex")))
    records: list[Any] | None = location.page_cache.get(key)
    if records is None:
        # Pages of one walk share the listing: build it once per version, as Apple's snapshot would be.
        try:
            records = _records(location, endpoint, query, since)
        except ValueError:
            raise error(9602) from None
        location.page_cache.clear()
        location.page_cache[key] = records
    size = state.page_sizes[endpoint]
    total_pages = max(1, -(-len(records) // size))
    if index < 0 or index >= total_pages:
        raise error(9650)
    chunk = _render(location, endpoint, records[index * size : (index + 1) * size], query)
    body: dict[str, Any] = {endpoint: chunk, "currentPageIndex": index, "size": len(chunk),
                            "totalPages": total_pages, "versionId": location.version_id()}  # fmt: skip
    apart = unlimited_assets(location, query) if endpoint == "assets" and index == 0 else []
    if apart:
        body["unlimitedAssets"] = apart
    if index + 1 < total_pages:
        body["nextPageIndex"] = index + 1
    return envelope(location, body)


def validate_write(location: Location, endpoint: str, body: dict[str, Any], limits: dict[str, int],
                   error: ErrorFactory, *, unknown_users_sync: bool = True) -> None:  # fmt: skip
    """Apple's synchronous checks: nothing is queued when one fails. With `unknown_users_sync`, associate and
    disassociate naming clientUserIds the location has no registered user for fail at once with 9609 and the
    ids in errorInfo, as Fleet saw in production; otherwise they fail per target in the event (also Apple's)."""
    if endpoint.startswith("users/"):
        users = body.get("users") or []
        if not users:
            raise error(9720)
        if len(users) > limits["maxUsers"]:
            raise error(9714)
        ids = [u.get("clientUserId") for u in users]
        if len(set(ids)) != len(ids) or not all(ids):
            raise error(9715 if all(ids) else 9602)
        if any(u.get("email") and "@" not in u["email"] for u in users):
            raise error(9717)
        return
    serials = body.get("serialNumbers") or []
    clients = body.get("clientUserIds") or []
    if not serials and not clients:
        raise error(9719)
    if len(set(serials)) != len(serials):
        raise error(9705)
    if len(set(clients)) != len(clients):
        raise error(9704)
    if endpoint == "assets/revoke":
        if len(serials) > limits["maxRevokeSerialNumbers"]:
            raise error(9702)
        if len(clients) > limits["maxRevokeClientUserIds"]:
            raise error(9701)
        return
    assets = body.get("assets") or []
    if not assets:
        raise error(9718)
    keys = [(str(a.get("adamId")), str(a.get("pricingParam") or "STDQ")) for a in assets]
    if len(set(keys)) != len(keys):
        raise error(9703)
    if len(keys) > limits["maxAssets"]:
        raise error(9700)
    if len(clients) > limits["maxClientUserIds"]:
        raise error(9701)
    if len(serials) > limits["maxSerialNumbers"]:
        raise error(9702)
    for key in keys:
        asset = location.assets.get(key)
        if asset is None:
            continue
        if serials and not asset.device_assignable:
            raise error(9707)
        if endpoint == "assets/disassociate" and not asset.revocable:
            raise error(9706)
    # A user holding an assignment here is one Apple knows (the admin endpoints may assign without registering).
    holders = {k[3] for k in location.assignments if k[2] == "clientUserId"} if clients else set()
    unknown = [c for c in clients if _user_status(location, c) not in ACTIVE and c not in holders]
    if unknown and unknown_users_sync:
        raise error(9609, {"clientUserIds": unknown})
