"""Apple's JSON, in and out. The only module that knows Apple's camelCase field names.

Parsers take one JSON object and return a model; `read` turns a field that is missing or of the wrong type into
an AppleAPIError instead of a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from abctl.apple.error_map import unreadable_answer
from abctl.failure_words import in_words
from abctl.models.apple import (
    AppleUser,
    AppMetadata,
    Asset,
    Assignment,
    ClientConfig,
    EventFailure,
    EventState,
    EventStatus,
    Limits,
    MdmInfo,
    ServiceConfig,
)
from abctl.models.enums import TargetKind

_LIMIT_KEYS = {
    "maxAssets": "max_assets",
    "maxSerialNumbers": "max_serial_numbers",
    "maxClientUserIds": "max_client_user_ids",
    "maxRevokeSerialNumbers": "max_revoke_serial_numbers",
    "maxRevokeClientUserIds": "max_revoke_client_user_ids",
    "maxUsers": "max_users",
    "maxRequestPerSecond": "max_request_per_second",
}

T = TypeVar("T")
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError)


def read(what: str, parse: Callable[[Any], T], data: Any) -> T:
    """`parse(data)`, or AppleAPIError naming `what` when Apple's JSON lacks a field or has the wrong type."""
    try:
        return parse(data)
    except _UNREADABLE as error:
        raise unreadable_answer(what, in_words(error)) from None


def page_items(what: str, pages: Iterable[Mapping[str, Any]], key: str, parse: Callable[[Any], T]) -> tuple[T, ...]:
    """The records under `key` of every page, parsed."""
    try:
        return tuple(parse(item) for page in pages for item in page.get(key) or ())
    except _UNREADABLE as error:
        raise unreadable_answer(what, in_words(error)) from None


def event_id(data: Mapping[str, Any]) -> str | None:
    """`eventId` of an EventResponse (the answer to every write)."""
    value = data.get("eventId")
    return str(value) if value else None


def app_metadata(adam_id: str, data: Any) -> AppMetadata | None:
    """One `results[<adamId>]` entry of the content lookup; None when it carries no name. Everything else is
    optional: a field of the wrong type is left out rather than failing the lookup."""
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str) or not data["name"]:
        return None
    platforms = next((v for v in (data.get("platforms"), data.get("deviceFamilies")) if isinstance(v, list)), [])
    offers = data.get("offers")
    offer: Mapping[str, Any] = (
        offers[0] if isinstance(offers, list) and offers and isinstance(offers[0], Mapping) else {}
    )
    version = offer.get("version")
    files = offer.get("assets")
    first_file = files[0] if isinstance(files, list) and files and isinstance(files[0], Mapping) else {}
    artwork = data.get("artwork")
    return AppMetadata(
        adam_id=adam_id,
        name=data["name"],
        kind=_text(data.get("kind")),
        platforms=tuple(str(p) for p in platforms),
        bundle_id=_text(data.get("bundleId")),
        version=_text(version.get("display")) if isinstance(version, Mapping) else None,
        price=_number(offer.get("price")),
        price_formatted=_text(offer.get("priceFormatted")),
        currency=_text(offer.get("currencyCode")),
        size_bytes=_whole(first_file.get("size")),
        artwork_url=_text(artwork.get("url")) if isinstance(artwork, Mapping) else None,
        url=_text(data.get("url")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None


def _whole(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def lookup_results(data: Any) -> dict[str, AppMetadata]:
    """The content lookup's `results` object, entries without a name left out."""
    results = data.get("results") if isinstance(data, Mapping) else None
    if not isinstance(results, Mapping):
        return {}
    found = {str(key): app_metadata(str(key), value) for key, value in results.items()}
    return {key: value for key, value in found.items() if value is not None}


def parse_date(value: Any) -> datetime | None:
    """`2030-11-08T22:33:22+0000` (and ISO forms with Z or a colon offset) to an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    for text in (value, value.replace("Z", "+00:00")):
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
        except ValueError:
            try:
                return datetime.fromisoformat(text).astimezone(UTC)
            except ValueError:
                continue
    return None


def service_config(data: Mapping[str, Any]) -> ServiceConfig:
    """`GET service/config`; `maxRequestPerSecond` falls back to 15 when Apple leaves it out."""
    limits_raw = data.get("limits") or {}
    limits = Limits(**{field: int(limits_raw[key]) for key, field in _LIMIT_KEYS.items() if key in limits_raw})
    codes = {int(item["errorNumber"]): str(item.get("errorMessage", "")) for item in data.get("errorCodes") or []}
    return ServiceConfig(
        limits=limits,
        urls={str(k): str(v) for k, v in (data.get("urls") or {}).items()},
        error_codes=codes,
        notification_types=tuple(data.get("notificationTypes") or ()),
    )


def mdm_info(data: Any) -> MdmInfo | None:
    """`mdmInfo`, present only once some MDM has claimed the location."""
    if not isinstance(data, Mapping) or not data.get("id"):
        return None
    return MdmInfo(id=str(data["id"]), name=str(data.get("name", "")), metadata=str(data.get("metadata", "")))


def client_config(data: Mapping[str, Any]) -> ClientConfig:
    """`GET/POST client/config`."""
    return ClientConfig(
        location_name=str(data.get("locationName", "")),
        uid=str(data.get("uId", "")),
        country=data.get("countryISO2ACode"),
        default_platform=data.get("defaultPlatform"),
        website_url=data.get("websiteURL"),
        token_expires_at=parse_date(data.get("tokenExpirationDate")),
        mdm_info=mdm_info(data.get("mdmInfo")),
        notification_url=data.get("notificationUrl"),
        subscribed_notification_types=tuple(data.get("subscribedNotificationTypes") or ()),
    )


def mdm_info_body(info: MdmInfo) -> dict[str, Any]:
    """`POST client/config` body that claims the location and leaves notification settings alone."""
    return {"mdmInfo": {"id": info.id, "name": info.name, "metadata": info.metadata}}


def asset(data: Mapping[str, Any]) -> Asset:
    """One ResponseAsset (or UnlimitedResponseAsset, whose counts are absent)."""
    return Asset(
        adam_id=str(data["adamId"]),
        pricing_param=str(data.get("pricingParam", "STDQ")),
        product_type=str(data.get("productType", "App")),
        total=int(data.get("totalCount", 0)),
        assigned=int(data.get("assignedCount", 0)),
        available=int(data.get("availableCount", 0)),
        retired=int(data.get("retiredCount", 0)),
        device_assignable=bool(data.get("deviceAssignable", False)),
        revocable=bool(data.get("revocable", False)),
        platforms=tuple(str(p) for p in data.get("supportedPlatforms") or ()),
    )


def assignment(data: Mapping[str, Any]) -> Assignment:
    """One assignment: exactly one of `serialNumber` or `clientUserId`."""
    if data.get("serialNumber"):
        kind, target = TargetKind.DEVICE, str(data["serialNumber"])
    else:
        kind, target = TargetKind.USER, str(data["clientUserId"])
    return Assignment(str(data["adamId"]), str(data.get("pricingParam", "STDQ")), kind, target)


def user(data: Mapping[str, Any]) -> AppleUser:
    """One ResponseUser."""
    return AppleUser(
        client_user_id=str(data["clientUserId"]),
        status=str(data.get("status", "Registered")),
        email=data.get("email"),
        invite_code=data.get("inviteCode"),
        id_hash=data.get("idHash"),
    )


def failure(data: Mapping[str, Any]) -> EventFailure:
    """One entry of StatusResponse `failures`, with the targets of its `errorInfo`."""
    info = data.get("errorInfo") or {}
    return EventFailure(
        error_number=int(data.get("errorNumber", 0)),
        error_message=str(data.get("errorMessage", "")),
        serial_numbers=tuple(info.get("serialNumbers") or ()),
        client_user_ids=tuple(info.get("clientUserIds") or ()),
        adam_ids=tuple(str(a.get("adamId")) for a in info.get("assets") or ()),
    )


def event_status(event_id: str, data: Mapping[str, Any]) -> EventStatus:
    """`GET status`; FAILED may come with numCompleted > 0 (failures are per task)."""
    return EventStatus(
        event_id=event_id,
        state=EventState(str(data.get("eventStatus", "PENDING"))),
        event_type=data.get("eventType"),
        num_requested=int(data.get("numRequested", 0)),
        num_completed=int(data.get("numCompleted", 0)),
        failures=tuple(failure(item) for item in data.get("failures") or ()),
    )


def manage_assets_body(
    assets: Sequence[tuple[str, str]], serial_numbers: Sequence[str], client_user_ids: Sequence[str]
) -> dict[str, Any]:
    """ManageAssetsRequest for assets/associate and assets/disassociate."""
    body: dict[str, Any] = {"assets": [{"adamId": a, "pricingParam": p} for a, p in assets]}
    if serial_numbers:
        body["serialNumbers"] = list(serial_numbers)
    if client_user_ids:
        body["clientUserIds"] = list(client_user_ids)
    return body


def revoke_body(serial_numbers: Sequence[str], client_user_ids: Sequence[str]) -> dict[str, Any]:
    """RevokeAssetsRequest: no assets, every revocable asset of these targets goes."""
    body: dict[str, Any] = {}
    if serial_numbers:
        body["serialNumbers"] = list(serial_numbers)
    if client_user_ids:
        body["clientUserIds"] = list(client_user_ids)
    return body


def users_body(users: Sequence[Mapping[str, str | None]]) -> dict[str, Any]:
    """ManageUsersRequest from snake_case mappings (client_user_id, email, managed_apple_id); empty values dropped."""
    keys = {"client_user_id": "clientUserId", "email": "email", "managed_apple_id": "managedAppleId"}
    return {"users": [{keys[k]: v for k, v in u.items() if v and k in keys} for u in users]}
