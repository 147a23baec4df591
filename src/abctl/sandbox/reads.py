"""Apple's response shapes: service and client config, paginated collections with versionIds and deltas,
request validation for writes, and the content lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abctl.sandbox.state import Location, SandboxState

ErrorFactory = Callable[[int], Exception]
AssignmentKey = tuple[str, str, str, str]  # adamId, pricingParam, "serialNumber" or "clientUserId", the target


def envelope(location: Location, body: dict[str, Any]) -> dict[str, Any]:
    """Add what every Apple response carries: tokenExpirationDate, uId and mdmInfo when set."""
    body["tokenExpirationDate"] = location.expires_at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    body["uId"] = location.uid
    if location.mdm_info:
        body["mdmInfo"] = dict(location.mdm_info)
    return body


def service_config(base: str, limits: dict[str, int], errors: dict[int, tuple[int, str]]) -> dict[str, Any]:
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
        "errorCodes": [{"errorNumber": n, "errorMessage": m} for n, (_, m) in sorted(errors.items())],
        "notificationTypes": ["ASSET_COUNT", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED"],
    }


def client_config(location: Location) -> dict[str, Any]:
    return envelope(location, {"countryISO2ACode": location.country, "defaultPlatform": location.default_platform,
                               "locationName": location.location_name, "websiteURL": location.website_url})  # fmt: skip


def set_client_config(
    location: Location, body: dict[str, Any], limits: dict[str, int], error: ErrorFactory
) -> dict[str, Any]:
    info = body.get("mdmInfo")
    if info is not None:
        if not isinstance(info, dict) or not all(info.get(k) for k in ("id", "name", "metadata")):
            raise error(9723)
        if len(info["id"]) > limits["maxMdmIdLength"]:
            raise error(9724)
        if len(info["name"]) > limits["maxMdmNameLength"]:
            raise error(9725)
        if len(info["metadata"]) > limits["maxMdmMetadataLength"]:
            raise error(9713)
    url, token = body.get("notificationUrl"), body.get("notificationAuthToken")
    if (url is None) != (token is None):
        raise error(9710)
    if url is not None and not str(url).startswith("https://"):
        raise error(9712)
    if info is not None:
        location.mdm_info = {k: str(info[k]) for k in ("id", "name", "metadata")}
    return client_config(location)


def _asset_json(location: Location, key: tuple[str, str]) -> dict[str, Any]:
    asset = location.assets[key]
    assigned = location.assigned_count(key)
    return {"adamId": asset.adam_id, "pricingParam": asset.pricing_param, "productType": asset.product_type,
            "totalCount": asset.total, "assignedCount": assigned, "availableCount": max(0, asset.total - assigned),
            "retiredCount": asset.retired, "deviceAssignable": asset.device_assignable, "revocable": asset.revocable,
            "supportedPlatforms": list(asset.platforms)}  # fmt: skip


def _truthy(value: str) -> bool:
    return value.lower() in {"true", "1"}


def _assignment_keys(location: Location, query: dict[str, str], since: int | None) -> list[AssignmentKey]:
    """The listing's assignments as keys: a page renders only its own 1,000 (a 100,000-row listing is built in
    milliseconds, under the state lock that every request of every location waits for)."""
    if since is None and not query.keys() & {"adamId", "pricingParam", "serialNumber", "clientUserId"}:
        return list(location.assignments)
    out = []
    for key, version in location.assignments.items():
        adam_id, pricing, kind, target = key
        if since is not None and version <= since:
            continue
        if query.get("adamId", adam_id) != adam_id or query.get("pricingParam", pricing) != pricing:
            continue
        if "serialNumber" in query and (kind != "serialNumber" or target != query["serialNumber"]):
            continue
        if "clientUserId" in query and (kind != "clientUserId" or target != query["clientUserId"]):
            continue
        out.append(key)
    return out


def _render(endpoint: str, records: list[Any]) -> list[dict[str, Any]]:
    if endpoint == "assignments":
        return [
            {"adamId": adam_id, "pricingParam": pricing, kind: target} for adam_id, pricing, kind, target in records
        ]
    return records


def _records(location: Location, endpoint: str, query: dict[str, str], since: int | None) -> list[Any]:
    if endpoint == "assets":
        records = [_asset_json(location, key) for key in location.assets]
        for name, field in (("adamId", "adamId"), ("productType", "productType"), ("pricingParam", "pricingParam")):
            if name in query:
                records = [r for r in records if r[field] == query[name]]
        for name in ("revocable", "deviceAssignable"):
            if name in query:
                records = [r for r in records if r[name] == _truthy(query[name])]
        for name, field, compare in (("minAvailableCount", "availableCount", int.__ge__),
                                     ("maxAvailableCount", "availableCount", int.__le__),
                                     ("minAssignedCount", "assignedCount", int.__ge__),
                                     ("maxAssignedCount", "assignedCount", int.__le__)):  # fmt: skip
            if name in query:
                records = [r for r in records if compare(r[field], int(query[name]))]
        return records
    if endpoint == "assignments":
        return _assignment_keys(location, query, since)
    users = []
    for user in location.users.values():
        if since is not None and user.version <= since:
            continue
        if query.get("clientUserId", user.client_user_id) != user.client_user_id:
            continue
        if _truthy(query.get("activeOnly", "")) and user.status == "Retired":
            continue
        if _truthy(query.get("retiredOnly", "")) and user.status != "Retired":
            continue
        record = {"clientUserId": user.client_user_id, "status": user.status, "inviteCode": user.invite_code}
        if user.email:
            record["email"] = user.email
        if user.id_hash:
            record["idHash"] = user.id_hash
        users.append(record)
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
        records = _records(location, endpoint, query, since)
        location.page_cache.clear()
        location.page_cache[key] = records
    size = state.page_sizes[endpoint]
    total_pages = max(1, -(-len(records) // size))
    if index < 0 or index >= total_pages:
        raise error(9650)
    chunk = _render(endpoint, records[index * size : (index + 1) * size])
    body: dict[str, Any] = {endpoint: chunk, "currentPageIndex": index, "size": len(chunk),
                            "totalPages": total_pages, "versionId": location.version_id()}  # fmt: skip
    if index + 1 < total_pages:
        body["nextPageIndex"] = index + 1
    return envelope(location, body)


def validate_write(location: Location, endpoint: str, body: dict[str, Any], limits: dict[str, int],
                   error: ErrorFactory) -> None:  # fmt: skip
    """Apple's synchronous checks: nothing is queued when one fails."""
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


def lookup(state: SandboxState, query: dict[str, str]) -> dict[str, Any]:
    """A content-metadata lookup: names, kinds and platforms of the requested adamIds."""
    ids = [item for item in query.get("id", "").split(",") if item]
    return {"results": {adam_id: dict(state.metadata[adam_id]) for adam_id in ids if adam_id in state.metadata}}
