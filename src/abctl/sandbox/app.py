"""`SandboxApp`: the WSGI application serving Apple's v2 endpoints under /mdm/v2/, a content lookup at /lookup,
and admin endpoints under /sandbox/ for tests and drills. Request validation, auth and the rate limit happen
synchronously, as Apple's do; writes return an eventId and are processed after `event_delay` seconds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from abctl.sandbox import admin, reads
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.operations import process
from abctl.sandbox.ratelimit import ARRIVED
from abctl.sandbox.state import Location, SandboxEvent, SandboxState
from abctl.sandbox.tokens import token_id_of

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
               415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
               503: "Service Unavailable"}  # fmt: skip
LIMITS = {"maxAssets": 25, "maxUsers": 100, "maxNotificationLength": 512, "maxRevokeClientUserIds": 100,
          "maxClientUserIds": 1000, "maxSerialNumbers": 1000, "maxRevokeSerialNumbers": 100,
          "maxRequestPerSecond": 15, "maxSubscriptions": 25, "maxSubscriptionClientUserIds": 1000,
          "maxMdmNameLength": 100, "maxMdmMetadataLength": 255, "maxMdmIdLength": 100}  # fmt: skip
ERRORS = {9601: (401, "Login required"), 9621: (401, "The sToken has expired"),
          9622: (401, "Invalid authentication token"), 9625: (401, "The server has revoked the sToken"),
          9646: (429, "Too many requests for the current organization"), 9650: (400, "Page index out of range"),
          9700: (400, "Too many assets"), 9701: (400, "Too many clientUserIds"), 9702: (400, "Too many serialNumbers"),
          9703: (400, "Duplicate assets"), 9704: (400, "Duplicate clientUserIds"),
          9705: (400, "Duplicate serialNumbers"), 9706: (400, "Asset is not revocable"),
          9707: (400, "Asset is not device assignable"), 9708: (400, "Event not found"),
          9710: (400, "Notification URL and token must be given together"),
          9712: (400, "Notification URL must be HTTPS"), 9713: (400, "MDM metadata too long"),
          9714: (400, "Too many users"), 9715: (400, "Duplicate users"), 9717: (400, "Invalid email"),
          9718: (400, "No assets"), 9719: (400, "No clientUserIds or serialNumbers"), 9720: (400, "No users"),
          9721: (400, "Invalid versionId"), 9722: (401, "Invalid authorization header, must match 'Bearer {sToken}'"),
          9723: (400, "mdmInfo needs id, name and metadata"), 9724: (400, "mdmInfo id too long"),
          9725: (400, "mdmInfo name too long"), 9726: (405, "Unsupported HTTP method"),
          9727: (415, "Unsupported Content-Type"), 9729: (503, "Service temporarily unavailable"),
          9603: (500, "Internal error")}  # fmt: skip
WRITES = {"assets/associate": "ASSOCIATE", "assets/disassociate": "DISASSOCIATE", "assets/revoke": "REVOKE",
          "users/create": "CREATE", "users/update": "UPDATE", "users/retire": "RETIRE"}  # fmt: skip
READS = {"assets", "assignments", "users", "status", "client/config", "service/config"}


class AppleError(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


class SandboxApp:
    """The WSGI callable. One instance per sandbox; thread-safe."""

    def __init__(self, state: SandboxState, *, faults: FaultSpec | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.state = state
        self.faults = faults or FaultSpec()
        self._sleep = sleep

    def _set_faults(self, faults: FaultSpec) -> None:
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # Counted at arrival: the HTTP server stamps it on accept; in-process, arrival is now.
        environ.setdefault(ARRIVED, self.state.clock())
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT')}"
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
        if path.startswith("/sandbox/"):
            status, body = admin.handle(
                self.state, method, path.removeprefix("/sandbox/"), raw, set_faults=self._set_faults
            )
        elif path == "/lookup":
            status, body = 200, reads.lookup(self.state, query)
        elif path.startswith("/mdm/v2/"):
            status, body = self._apple(method, path.removeprefix("/mdm/v2/"), query, raw, environ, base)
            if status == -1:
                raise ConnectionResetError("sandbox fault: connection dropped")
        else:
            status, body = 404, {"errorNumber": 9602, "errorMessage": "Unknown endpoint"}
        headers = [("Content-Type", "application/json")]
        if isinstance(body, dict) and body.get("errorNumber") == 9729:
            headers.append(("Retry-After", "1"))
        start_response(f"{status} {STATUS_TEXT.get(status, 'OK')}", headers)
        return [json.dumps(body).encode()]

    def _apple(self, method: str, endpoint: str, query: dict[str, str], raw: bytes, environ: dict[str, Any],
               base: str) -> tuple[int, dict[str, Any]]:  # fmt: skip
        if self.faults.latency_ms:
            self._sleep(self.faults.latency_ms / 1000)
        fault = self.faults.pick()
        if fault == "drop":
            return -1, {}
        if fault == "429":
            return _error(9646)
        if fault == "503":
            return _error(9729)
        if fault == "err200":
            return 200, {"errorNumber": 9603, "errorMessage": ERRORS[9603][1]}
        try:
            return 200, self._route(method, endpoint, query, raw, environ, base)
        except AppleError as error:
            return _error(error.number)

    def _route(self, method: str, endpoint: str, query: dict[str, str], raw: bytes, environ: dict[str, Any],
               base: str) -> dict[str, Any]:  # fmt: skip
        if endpoint not in READS and endpoint not in WRITES:
            raise AppleError(9602)
        expected = "POST" if endpoint in WRITES or (endpoint == "client/config" and method == "POST") else "GET"
        if method not in ("GET", "POST") or (endpoint != "client/config" and method != expected):
            raise AppleError(9726)
        if endpoint == "service/config":
            return reads.service_config(base, LIMITS | {"maxRequestPerSecond": self.state.max_request_per_second},
                                        ERRORS)  # fmt: skip
        location = self._authenticate(environ.get("HTTP_AUTHORIZATION"))
        if not self.state.counter.admit(location.name, location.org_name, f"{method} {endpoint}", environ[ARRIVED],
                                        self.state.max_request_per_second):  # fmt: skip
            raise AppleError(9646)
        with self.state.lock:
            self._process_due(location)
            if method == "POST":
                if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
                    raise AppleError(9727)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise AppleError(9602) from None
                if endpoint == "client/config":
                    return reads.set_client_config(location, body, LIMITS, AppleError)
                return self._accept_write(location, endpoint, body)
            if endpoint == "client/config":
                return reads.client_config(location)
            if endpoint == "status":
                return self._status(location, query.get("eventId", ""))
            bump = endpoint != "assets" and self.faults.pversion and query.get("pageIndex", "0") != "0"
            if bump and self.faults.roll(self.faults.pversion):
                location.bump()  # a write happened mid-walk
            return reads.page(self.state, location, endpoint, query, AppleError)

    def _authenticate(self, header: str | None) -> Location:
        if not header:
            raise AppleError(9601)
        scheme, _, credential = header.partition(" ")
        if scheme != "Bearer" or not credential or " " in credential.strip():
            raise AppleError(9722)
        token_id = token_id_of(credential.strip())
        if token_id is None:
            raise AppleError(9722)
        location = self.state.by_token(token_id) or self.state.register_minted(credential.strip(), token_id)
        if location is None:
            raise AppleError(9622)
        if location.revoked:
            raise AppleError(9625)
        if location.expires_at <= datetime.now(UTC):
            raise AppleError(9621)
        return location

    def _accept_write(self, location: Location, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        reads.validate_write(location, endpoint, body, LIMITS, AppleError)
        event = SandboxEvent(str(uuid.uuid4()), WRITES[endpoint], self.state.clock(), body)
        if self.faults.roll(self.faults.pstuck):
            event.stuck_polls = self.faults.stuck_polls
        location.events[event.event_id] = event
        if self.state.event_delay <= 0 and not event.stuck_polls:
            process(location, event)
        return reads.envelope(location, {"eventId": event.event_id})

    def _process_due(self, location: Location) -> None:
        now = self.state.clock()
        for event in location.events.values():
            if event.status == "PENDING" and not event.stuck_polls and now - event.created_at >= self.state.event_delay:
                process(location, event)

    def _status(self, location: Location, event_id: str) -> dict[str, Any]:
        event = location.events.get(event_id)
        if event is None:
            raise AppleError(9708)
        if event.status == "PENDING" and event.stuck_polls:
            event.stuck_polls -= 1
            if event.stuck_polls == 0:
                self._process_due(location)
        body: dict[str, Any] = {"eventStatus": event.status, "eventType": event.event_type,
                                "numRequested": event.num_requested, "numCompleted": event.num_completed}  # fmt: skip
        if event.failures:
            body["failures"] = event.failures
        return reads.envelope(location, body)


def _error(number: int) -> tuple[int, dict[str, Any]]:
    status, message = ERRORS.get(number, (400, "Error"))
    return status, {"errorNumber": number, "errorMessage": message}
