"""`GET/POST client/config` (apple-api.md 2.2): the location's mdmInfo and notification settings.

A POST is checked in Apple's order (mdmInfo 9723/9724/9725/9713, then notification settings 9710/9711/9712 and
the types, 9602 for an unknown one); the caller then sends the TEST_NOTIFICATION (9728 when it is not answered)
and only then are the settings kept. Nothing changes when any step fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from abctl.sandbox.errors import AppleError
from abctl.sandbox.notify import is_loopback
from abctl.sandbox.state import Location

NOTIFICATION_TYPES = ("TEST_NOTIFICATION", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED", "ASSET_COUNT",
                      "SUBSCRIPTION_MANAGEMENT", "SUBSCRIPTION_COUNT", "UNLIMITED_ASSET")  # fmt: skip


@dataclass(frozen=True)
class ConfigChange:
    """A validated POST: what to set. `url` None means the notification settings are left as they are."""

    mdm_info: dict[str, str] | None
    url: str | None
    token: str | None
    types: tuple[str, ...] | None


def client_config(location: Location, envelope: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"countryISO2ACode": location.country, "defaultPlatform": location.default_platform,
                            "locationName": location.location_name, "websiteURL": location.website_url}  # fmt: skip
    if location.notification_url:
        body["notificationUrl"] = location.notification_url
        body["notificationAuthToken"] = location.notification_token
    body["subscribedNotificationTypes"] = list(location.notification_types)
    result: dict[str, Any] = envelope(location, body)
    return result


def validate(body: dict[str, Any], limits: dict[str, int], *, https_only: bool, loopback_only: bool) -> ConfigChange:
    """Raises: AppleError with Apple's number for the first problem."""
    info = body.get("mdmInfo")
    if info is not None:
        if not isinstance(info, dict) or not all(
            isinstance(info.get(k), str) and info[k] for k in ("id", "name", "metadata")
        ):
            raise AppleError(9723)
        if len(info["id"]) > limits["maxMdmIdLength"]:
            raise AppleError(9724)
        if len(info["name"]) > limits["maxMdmNameLength"]:
            raise AppleError(9725)
        if len(info["metadata"]) > limits["maxMdmMetadataLength"]:
            raise AppleError(9713)
    url, token = body.get("notificationUrl"), body.get("notificationAuthToken")
    if (url is None) != (token is None):
        raise AppleError(9710)
    types = body.get("notificationTypes")
    if types is not None:
        if not isinstance(types, list) or any(t not in NOTIFICATION_TYPES for t in types):
            raise AppleError(9602)
        types = tuple(dict.fromkeys(types))
    if url is not None:
        if not isinstance(url, str) or not isinstance(token, str):
            raise AppleError(9602)
        if len(url) > limits["maxNotificationLength"] or len(token) > limits["maxNotificationLength"]:
            raise AppleError(9711)
        if url or token:
            _check_url(url, https_only=https_only, loopback_only=loopback_only)
    mdm = {k: str(info[k]) for k in ("id", "name", "metadata")} if info is not None else None
    return ConfigChange(mdm, url, token, types)


def _check_url(url: str, *, https_only: bool, loopback_only: bool) -> None:
    parts = urlsplit(url)
    if not parts.hostname or parts.query or parts.fragment:
        raise AppleError(9712)  # "should only include a host and path"
    if parts.scheme == "https":
        pass
    elif parts.scheme == "http" and not https_only and is_loopback(url):
        pass  # the sandbox's one allowance: plain http to a receiver on this machine
    else:
        raise AppleError(9712)
    if loopback_only and not is_loopback(url):
        raise AppleError(9728)  # the sandbox does not reach beyond this machine unless told to


def apply(location: Location, change: ConfigChange) -> None:
    if change.mdm_info is not None:
        location.mdm_info = change.mdm_info
    if change.url is not None:
        location.notification_url = change.url or None
        location.notification_token = change.token or None
        if not change.url:
            location.notification_types = ()
    if change.types is not None:
        location.notification_types = change.types
    elif change.url and not location.notification_types:
        location.notification_types = tuple(t for t in NOTIFICATION_TYPES[1:5])
