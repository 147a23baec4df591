import base64
import json
from datetime import UTC, datetime

import pytest

from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken

BASE = "https://vpp.itunes.apple.com/mdm/v2/"
SERVICE_CONFIG = {
    "limits": {"maxAssets": 25, "maxSerialNumbers": 1000, "maxClientUserIds": 1000, "maxRevokeSerialNumbers": 100,
               "maxRevokeClientUserIds": 100, "maxUsers": 100, "maxRequestPerSecond": 15},
    "urls": {"invitationEmail": "https://buy.itunes.apple.com/x?inviteCode=%25inviteCode%25&mt=8"},
    "errorCodes": [{"errorNumber": 9709, "errorMessage": "Not enough licenses"}],
    "notificationTypes": ["ASSET_COUNT"],
}  # fmt: skip


def token_text(secret: str = "s3cr3t-inner-token", exp: str = "2030-11-08T22:33:22+0000") -> str:
    raw = json.dumps({"token": secret, "expDate": exp, "orgName": "ORG12345"})
    return base64.b64encode(raw.encode()).decode()


TOKEN_TEXT = token_text()


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake_time: FakeTime) -> AppsBooksClient:
    token = parse_stoken(TOKEN_TEXT, now=datetime(2026, 1, 1, tzinfo=UTC))
    return AppsBooksClient(token, sleep=fake_time.sleep, clock=fake_time.clock)
