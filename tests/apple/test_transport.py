"""The in-process transport: a WSGI app (the sandbox) answers without sockets; its ConnectionError is a dropped
connection to the client, retried on reads and reported as an unknown outcome on writes."""

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
from tests.apple.conftest import SERVICE_CONFIG, TOKEN_TEXT, FakeTime

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken
from abctl.apple.transport import in_process_transport
from abctl.errors import WriteOutcomeUnknownError
from abctl.models.enums import TargetKind

SANDBOX = "http://127.0.0.1:8999/mdm/v2/"


class FlakyApp:
    """A WSGI app that drops the connection on chosen paths, a given number of times."""

    def __init__(self, drops: dict[str, int]) -> None:
        self.drops = drops
        self.seen: list[tuple[str, str, str | None]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        self.seen.append((environ["REQUEST_METHOD"], path, environ.get("HTTP_AUTHORIZATION")))
        if self.drops.get(path, 0) > 0:
            self.drops[path] -= 1
            raise ConnectionResetError("dropped")
        body = SERVICE_CONFIG if path.endswith("service/config") else {"locationName": "Lab", "eventId": "e1"}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


def _client(app: FlakyApp, fake_time: FakeTime) -> AppsBooksClient:
    token = parse_stoken(TOKEN_TEXT, now=None)
    return AppsBooksClient(token, base_url=SANDBOX, transport=in_process_transport(app), sleep=fake_time.sleep,
                           clock=fake_time.clock)  # fmt: skip


def test_requests_reach_the_wsgi_app_with_the_bearer(fake_time: FakeTime) -> None:
    app = FlakyApp({})
    with _client(app, fake_time) as client:
        assert client.client_config().location_name == "Lab"
    assert app.seen == [("GET", "/mdm/v2/service/config", f"Bearer {TOKEN_TEXT}"),
                        ("GET", "/mdm/v2/client/config", f"Bearer {TOKEN_TEXT}")]  # fmt: skip


def test_a_dropped_connection_is_an_httpx_transport_error() -> None:
    transport = in_process_transport(FlakyApp({"/x": 1}))
    with pytest.raises(httpx.TransportError):
        transport.handle_request(httpx.Request("GET", "http://sandbox.test/x"))


def test_a_dropped_read_is_retried(fake_time: FakeTime) -> None:
    app = FlakyApp({"/mdm/v2/client/config": 2})
    assert _client(app, fake_time).client_config().location_name == "Lab"
    assert [path for _, path, _ in app.seen].count("/mdm/v2/client/config") == 3


def test_a_dropped_write_is_of_unknown_outcome(fake_time: FakeTime) -> None:
    app = FlakyApp({"/mdm/v2/assets/associate": 1})
    with pytest.raises(WriteOutcomeUnknownError):
        _client(app, fake_time).associate(AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S1",)))
    assert [path for _, path, _ in app.seen].count("/mdm/v2/assets/associate") == 1


def test_a_refused_connection_is_a_connect_error_and_a_failing_body_a_dropped_one() -> None:
    def refusing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raise ConnectionRefusedError("nobody home")

    def streaming(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        yield b"{"
        raise BrokenPipeError("gone")

    with pytest.raises(httpx.ConnectError):
        in_process_transport(refusing).handle_request(httpx.Request("GET", "http://sandbox.test/"))
    with pytest.raises(httpx.RemoteProtocolError):
        in_process_transport(streaming).handle_request(httpx.Request("GET", "http://sandbox.test/"))
