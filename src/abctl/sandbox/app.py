"""`SandboxApp`: the WSGI application serving Apple's v2 endpoints under /mdm/v2/, the content lookup at
/lookup, invitations at /invite, and admin endpoints under /sandbox/ for tests and drills. Request validation,
auth and the rate limit happen synchronously, as Apple's do; writes return an eventId and are processed after
`event_delay` seconds (when a request of the location comes, or when `tick` runs), and each processed event is
announced to the location's notification URL, if it set one (abctl.sandbox.notify).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from abctl.sandbox import admin, client_config, reads
from abctl.sandbox.errors import ERROR_CODES, AppleError, error_body
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.lookup import lookup
from abctl.sandbox.notifications import for_event
from abctl.sandbox.notify import Delivery, Notifier, envelope
from abctl.sandbox.operations import process
from abctl.sandbox.options import SandboxOptions
from abctl.sandbox.outside import accept_invitation
from abctl.sandbox.ratelimit import ARRIVED
from abctl.sandbox.state import Built, Location, SandboxEvent, SandboxState
from abctl.sandbox.tokens import token_id_of

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 410: "Gone", 415: "Unsupported Media Type", 429: "Too Many Requests",
               500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip
TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750's b64token: what may follow "Bearer "
LIMITS = {"maxAssets": 25, "maxUsers": 100, "maxNotificationLength": 512, "maxRevokeClientUserIds": 100,
          "maxClientUserIds": 1000, "maxSerialNumbers": 1000, "maxRevokeSerialNumbers": 100,
          "maxRequestPerSecond": 15, "maxSubscriptions": 25, "maxSubscriptionClientUserIds": 1000,
          "maxMdmNameLength": 100, "maxMdmMetadataLength": 255, "maxMdmIdLength": 100}  # fmt: skip
WRITES = {"assets/associate": "ASSOCIATE", "assets/disassociate": "DISASSOCIATE", "assets/revoke": "REVOKE",
          "users/create": "CREATE", "users/update": "UPDATE", "users/retire": "RETIRE"}  # fmt: skip
READS = {"assets", "assignments", "users", "status", "client/config", "service/config"}


class SandboxApp:
    """The WSGI callable. One instance per sandbox; thread-safe."""

    def __init__(self, state: SandboxState, *, faults: FaultSpec | None = None,
                 sleep: Callable[[float], None] = time.sleep, options: SandboxOptions | None = None,
                 notifier: Notifier | None = None) -> None:  # fmt: skip
        self.state = state
        self.faults = faults or FaultSpec()
        self.options = options or SandboxOptions()
        self.notifier = notifier or Notifier(attempts=self.options.notify_attempts,
                                             retry_delay=self.options.notify_retry_delay)  # fmt: skip
        self._sleep = sleep
        state.notify = self._emit

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
            status, body = admin.handle(self.state, method, path.removeprefix("/sandbox/"), raw,
                                        set_faults=self._set_faults, deliveries=self.notifier.snapshot)  # fmt: skip
        elif path == "/lookup":
            with self.state.lock:
                status, body = 200, lookup(self.state.metadata, query)
        elif path == "/invite":
            status, body = self._invite(query.get("inviteCode", ""))
        elif path.startswith("/mdm/v2/"):
            status, body = self._apple(method, path.removeprefix("/mdm/v2/"), query, raw, environ, base)
            if status == -1:
                raise ConnectionResetError("sandbox fault: connection dropped")
        else:
            status, body = 404, {"errorNumber": 9602, "errorMessage": "Unknown endpoint"}
        headers = [("Content-Type", "application/json")]
        if isinstance(body, dict) and body.get("errorNumber") in (9603, 9729) and status >= 500:
            headers.append(("Retry-After", str(self.faults.retry_after)))  # Apple documents it for 5xx
        start_response(f"{status} {STATUS_TEXT.get(status, 'OK')}", headers)
        return [json.dumps(body).encode()]

    def _apple(self, method: str, endpoint: str, query: dict[str, str], raw: bytes, environ: dict[str, Any],
               base: str) -> tuple[int, dict[str, Any]]:  # fmt: skip
        if self.faults.latency_ms:
            self._sleep(self.faults.latency_ms / 1000)
        fault = self.faults.pick()
        if fault == "drop":
            return -1, {}
        if fault in ("429", "503", "500"):
            return error_body({"429": 9646, "503": 9729, "500": 9603}[fault])
        if fault == "err200":
            return 200, error_body(self.faults.err200_number)[1]
        if fault == "error" and self.faults.error_number is not None:
            return error_body(self.faults.error_number)
        try:
            return 200, self._route(method, endpoint, query, raw, environ, base)
        except AppleError as error:
            return error_body(error.number, error.info)

    def _route(self, method: str, endpoint: str, query: dict[str, str], raw: bytes, environ: dict[str, Any],
               base: str) -> dict[str, Any]:  # fmt: skip
        if endpoint not in READS and endpoint not in WRITES:
            raise AppleError(9602)
        expected = "POST" if endpoint in WRITES or (endpoint == "client/config" and method == "POST") else "GET"
        if method not in ("GET", "POST") or (endpoint != "client/config" and method != expected):
            raise AppleError(9726)
        if endpoint == "service/config":
            return reads.service_config(base, LIMITS | {"maxRequestPerSecond": self.state.max_request_per_second},
                                        ERROR_CODES)  # fmt: skip
        location = self._authenticate(environ.get("HTTP_AUTHORIZATION"))
        if not self.state.counter.admit(location.name, location.org_name, f"{method} {endpoint}", environ[ARRIVED],
                                        self.state.max_request_per_second):  # fmt: skip
            raise AppleError(9646)
        with self.state.lock:
            self._process_due(location)
            if method == "GET":
                return self._read(location, endpoint, query)
            if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
                raise AppleError(9727)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise AppleError(9602) from None
            if not isinstance(body, dict):
                raise AppleError(9602)
            if endpoint != "client/config":
                return self._accept_write(location, endpoint, body)
            change = client_config.validate(body, LIMITS, https_only=self.options.notify_https_only,
                                            loopback_only=not self.options.notify_any_host)  # fmt: skip
        return self._configure(location, change)

    def _read(self, location: Location, endpoint: str, query: dict[str, str]) -> dict[str, Any]:
        if endpoint == "client/config":
            return client_config.client_config(location, reads.envelope)
        if endpoint == "status":
            return self._status(location, query.get("eventId", ""))
        bump = endpoint != "assets" and self.faults.pversion and query.get("pageIndex", "0") != "0"
        if bump and self.faults.roll(self.faults.pversion):
            location.bump()  # a write happened mid-walk
        return reads.page(self.state, location, endpoint, query, AppleError)

    def _configure(self, location: Location, change: client_config.ConfigChange) -> dict[str, Any]:
        """POST client/config after its checks: the TEST_NOTIFICATION goes out (outside the lock: the receiver
        may take its time) and the settings are kept only when it was answered (9728 otherwise)."""
        if change.url:
            test = Delivery(change.url, change.token or "", envelope("TEST_NOTIFICATION", location.uid, {}))
            if not self.notifier.deliver_now(test):
                raise AppleError(9728)
        with self.state.lock:
            client_config.apply(location, change)
            return client_config.client_config(location, reads.envelope)

    def _authenticate(self, header: str | None) -> Location:
        """9601 without a header, 9722 when it is not `Bearer <token>`, 9622 for a token that is not (or no longer)
        one of a location's, 9625 revoked, 9621 expired."""
        if not header:
            raise AppleError(9601)
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not TOKEN68.fullmatch(credential):
            raise AppleError(9722)
        token_id = token_id_of(credential)
        location = None if token_id is None else (
            self.state.by_token(token_id) or self.state.register_minted(credential, token_id))  # fmt: skip
        if location is None:
            raise AppleError(9622)
        if location.revoked:
            raise AppleError(9625)
        if location.expires_at <= datetime.now(UTC):
            raise AppleError(9621)
        return location

    def _accept_write(self, location: Location, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        reads.validate_write(location, endpoint, body, LIMITS, AppleError,
                             unknown_users_sync=self.options.unknown_users == "sync")  # fmt: skip
        event = SandboxEvent(str(uuid.uuid4()), WRITES[endpoint], self.state.clock(), body)
        if self.faults.roll(self.faults.pstuck):
            event.stuck_polls = self.faults.stuck_polls
        location.events[event.event_id] = event
        if self.state.event_delay <= 0 and not event.stuck_polls:
            self._finish(location, event)
        return reads.envelope(location, {"eventId": event.event_id})

    def tick(self) -> None:
        """Process every location's due events, as Apple does whether anyone polls or not (the served sandbox
        calls this a few times a second)."""
        with self.state.lock:
            for location in list(self.state.locations.values()):
                self._process_due(location)

    def _process_due(self, location: Location) -> None:
        now = self.state.clock()
        for event in location.events.values():
            if event.status == "PENDING" and not event.stuck_polls and now - event.created_at >= self.state.event_delay:
                self._finish(location, event)

    def _finish(self, location: Location, event: SandboxEvent) -> None:
        process(location, event)
        self._emit(location, for_event(location, event))

    def _emit(self, location: Location, built: list[Built]) -> None:
        """Queue notifications for the location's URL: only the subscribed types; never waits for delivery."""
        if not location.notification_url or not location.notification_token:
            return
        wanted = [(kind, body) for kind, body in built if kind in location.notification_types]
        self.notifier.send(Delivery(location.notification_url, location.notification_token,
                                    envelope(kind, location.uid, body)) for kind, body in wanted)  # fmt: skip

    def _invite(self, invite_code: str) -> tuple[int, dict[str, Any]]:
        """The invitation link of `urls.invitationEmail`: opening it accepts the invitation."""
        user = accept_invitation(self.state, invite_code)
        if user is None:
            return 404, {"error": "no pending invitation with this code"}
        return 200, {"accepted": True, "clientUserId": user.client_user_id, "status": user.status}

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
