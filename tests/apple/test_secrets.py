"""The sToken never shows: not in trace lines, log records, exception messages, hints, tracebacks or reprs."""

import logging
import traceback

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, INNER_SECRET, LOOKUP, SERVICE_CONFIG, TOKEN_TEXT, page

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken
from abctl.errors import AbctlError
from abctl.models.enums import TargetKind


def _leaks(text: str) -> bool:
    return TOKEN_TEXT in text or INNER_SECRET in text or TOKEN_TEXT[:24] in text


def test_nothing_ever_contains_the_token(
    client: AppsBooksClient, httpx_mock: HTTPXMock, traces: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_reusable=True)
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    httpx_mock.add_response(url=BASE + "assignments", json=page(0, 1))
    httpx_mock.add_response(url=LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=1",
                            json={"results": {"1": {"name": "One"}}})  # fmt: skip
    failures = [
        (BASE + "users?clientUserId=u", {"status_code": 401, "json": {"errorNumber": 9622}}),
        (BASE + "status?eventId=e", {"status_code": 400, "json": {"errorNumber": 9708}}),
    ]
    for url, kwargs in failures:
        httpx_mock.add_response(url=url, **kwargs)  # type: ignore[arg-type]
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=BASE + "assets/associate")
    httpx_mock.add_response(url=BASE + "assets", status_code=503, json={"errorNumber": 9729}, is_reusable=True)

    seen: list[object] = [client, client.client_config(), client.list_assignments(), client.app_metadata(["1"])]
    errors: list[AbctlError] = []
    for call in (
        lambda: client.list_users(client_user_id="u"),
        lambda: client.event_status("e"),
        lambda: client.associate(AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S1",))),
        lambda: client.list_assets(),
        lambda: parse_stoken(TOKEN_TEXT[:-8], now=None),
    ):
        with pytest.raises(AbctlError) as caught:
            call()
        errors.append(caught.value)
    assert len(traces) >= 10
    assert "GET https://vpp.itunes.apple.com/mdm/v2/users?clientUserId=u -> 401 (0 ms)" in traces
    assert (
        f"GET {LOOKUP}?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=1 -> 200 (0 ms)" in traces
    )
    assert "POST https://vpp.itunes.apple.com/mdm/v2/assets/associate -> ReadTimeout (0 ms)" in traces
    everything = [*traces, *(r.getMessage() for r in caplog.records), *(repr(item) for item in seen)]
    for error in errors:
        everything += [str(error), repr(error), str(error.hint), *map(str, error.args)]
        everything.append("".join(traceback.format_exception(error)))
    assert not [line for line in everything if _leaks(line)]


def test_the_authorization_header_is_sent_but_never_traced(httpx_mock: HTTPXMock) -> None:
    lines: list[str] = []
    client = AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None), trace=lines.append)
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG)
    client.service_config()
    assert httpx_mock.get_requests()[0].headers["Authorization"] == f"Bearer {TOKEN_TEXT}"
    assert len(lines) == 1 and lines[0].startswith("GET https://vpp.itunes.apple.com/mdm/v2/service/config -> 200 (")
    assert not _leaks(lines[0])
