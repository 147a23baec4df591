"""Contract: the same client calls give results of the same shape from Apple's documented payloads (mocked with
pytest-httpx) and from the sandbox over real loopback HTTP."""

from dataclasses import fields

import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, SERVICE_CONFIG, TOKEN_TEXT

from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed
from abctl.sandbox.server import serve

DOCUMENTED = {
    "client/config": {"countryISO2ACode": "US", "defaultPlatform": "volumestore", "locationName": "PS01",
                      "tokenExpirationDate": "2030-11-08T22:33:22+0000", "uId": "2049025000431439",
                      "websiteURL": "https://school.apple.com"},
    "assets": {"assets": [{"adamId": "408709785", "assignedCount": 5000, "availableCount": 10000,
                           "deviceAssignable": True, "pricingParam": "STDQ", "productType": "App", "retiredCount": 0,
                           "revocable": True, "supportedPlatforms": ["iOS"], "totalCount": 15000}],
               "currentPageIndex": 0, "size": 1, "totalPages": 1, "versionId": "v1"},
    "assignments": {"assignments": [{"adamId": "408709785", "pricingParam": "STDQ", "serialNumber": "C02"}],
                    "currentPageIndex": 0, "size": 1, "totalPages": 1, "versionId": "v1"},
}  # fmt: skip


def shape(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(shape(item) for item in value[:1])
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: type(getattr(value, f.name)).__name__ for f in fields(value)}  # type: ignore[arg-type]
    return type(value).__name__


def calls(client: AppsBooksClient) -> list[object]:
    config = client.client_config()
    return [shape(config)["location_name"], shape(client.list_assets().items), shape(client.list_assignments().items)]  # type: ignore[index]


@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "127.0.0.1")
def test_documented_payloads_and_sandbox_give_the_same_shapes(
    httpx_mock: HTTPXMock, seed: Seed, app: SandboxApp
) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG)
    for path, body in DOCUMENTED.items():
        httpx_mock.add_response(url=BASE + path, json=body)
    documented = calls(AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None)))
    with serve(app) as running:
        httpx_mock_free = AppsBooksClient(parse_stoken(seed.tokens[0].text, now=None), base_url=running.api_url)
        sandboxed = calls(httpx_mock_free)
        httpx_mock_free.close()
    assert documented == sandboxed
