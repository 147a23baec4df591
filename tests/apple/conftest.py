"""Shared fixtures for the Apple client tests: Apple's documented payloads, a token, a fake clock."""

import base64
import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken

BASE = "https://vpp.itunes.apple.com/mdm/v2/"
LOOKUP = "https://uclient-api.itunes.apple.com/WebObjects/MZStorePlatform.woa/wa/lookup"
INNER_SECRET = "s3cr3t-inner-token"
# apple-api.md 2.1, Apple's example (A-SC).
SERVICE_CONFIG: dict[str, Any] = {
    "limits": {"maxAssets": 25, "maxUsers": 100, "maxNotificationLength": 512, "maxRevokeClientUserIds": 100,
               "maxClientUserIds": 1000, "maxSerialNumbers": 1000, "maxRevokeSerialNumbers": 100,
               "maxRequestPerSecond": 15, "maxSubscriptions": 25, "maxSubscriptionClientUserIds": 1000,
               "maxMdmNameLength": 100, "maxMdmMetadataLength": 255, "maxMdmIdLength": 100},
    "urls": {"invitationEmail": "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/"
                                "associateVPPUserWithITSAccount?inviteCode=%25inviteCode%25&mt=8",
             "contentMetadataLookup": LOOKUP, "getAssets": BASE + "assets"},
    "errorCodes": [{"errorNumber": 9709, "errorMessage": "There aren't enough assets available"},
                   {"errorNumber": 9999, "errorMessage": "Something new from Apple"}],
    "notificationTypes": ["ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED"],
}  # fmt: skip
# apple-api.md 2.2, Apple's example (A-CC).
CLIENT_CONFIG: dict[str, Any] = {
    "countryISO2ACode": "US", "defaultPlatform": "volumestore", "locationName": "PS01",
    "mdmInfo": {"id": "522d5c43-aaaa", "name": "Apple Configurator 2", "metadata": "2.13.3"},
    "notificationAuthToken": "SUp3rS3Cr3t", "notificationUrl": "https://www.next.com/notification",
    "subscribedNotificationTypes": ["ASSET_COUNT", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED"],
    "tokenExpirationDate": "2030-11-08T22:33:22+0000", "uId": "2049025000431439",
    "websiteURL": "https://school.apple.com",
}  # fmt: skip
# apple-api.md 2.3, Apple's example element (A-MA).
ASSET: dict[str, Any] = {
    "adamId": "408709785", "assignedCount": 5000, "availableCount": 10000, "deviceAssignable": True,
    "pricingParam": "STDQ", "productType": "App", "retiredCount": 0, "revocable": True,
    "supportedPlatforms": ["iOS"], "totalCount": 15000,
}  # fmt: skip


def token_text(secret: str = INNER_SECRET, exp: str = "2030-11-08T22:33:22+0000", org: str = "ORG12345") -> str:
    raw = json.dumps({"token": secret, "expDate": exp, "orgName": org})
    return base64.b64encode(raw.encode()).decode()


TOKEN_TEXT = token_text()


def page(
    index: int, total: int, version: str = "v1", key: str = "assignments", items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One page as Apple shapes it: nextPageIndex only while more pages remain."""
    body: dict[str, Any] = {key: items or [{"adamId": "1", "pricingParam": "STDQ", "serialNumber": f"S{index}"}],
                            "currentPageIndex": index, "size": 1, "totalPages": total, "versionId": version,
                            "tokenExpirationDate": "2030-11-08T22:33:22+0000", "uId": "2049025000431439"}  # fmt: skip
    if index + 1 < total:
        body["nextPageIndex"] = index + 1
    return body


class FakeTime:
    """A monotonic clock that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def waits(self, at_least: float = 0.01) -> list[float]:
        """Sleeps of retries and polls (the limiter's tiny waits left out)."""
        return [s for s in self.sleeps if s >= at_least]


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def traces() -> list[str]:
    return []


@pytest.fixture
def client(fake_time: FakeTime, traces: list[str]) -> AppsBooksClient:
    token = parse_stoken(TOKEN_TEXT, now=datetime(2026, 1, 1, tzinfo=UTC))
    return AppsBooksClient(
        token, sleep=fake_time.sleep, clock=fake_time.clock, trace=traces.append, rng=random.Random(7)
    )
