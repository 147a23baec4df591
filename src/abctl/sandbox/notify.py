"""Delivering Apple's notifications (apple-api.md 5): an HTTP POST of the envelope JSON to the location's
`notificationUrl` with `Authorization: Bearer <notificationAuthToken>`, from one background thread, so no request
handler ever waits on a receiver. A delivery is tried `attempts` times (a 2xx answer delivers it); Apple spreads
three attempts over 1-5 minutes, the sandbox over `retry_delay` seconds doubling. Only the TEST_NOTIFICATION of
`POST client/config` is sent synchronously, because its failure rejects the configuration (9728).

Stdlib only (urllib): the sandbox does not use abctl's HTTP client.
"""

from __future__ import annotations

import ipaddress
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to the receiver, never a proxy


@dataclass(frozen=True)
class Delivery:
    """One notification on its way: where, with which bearer, and the envelope."""

    url: str
    token: str
    envelope: dict[str, Any]


@dataclass
class DeliveryLog:
    """What happened to the deliveries (GET /sandbox/stats shows it)."""

    delivered: int = 0
    failed: int = 0
    attempts: int = 0
    last_error: str | None = None
    recent: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "failed": self.failed, "attempts": self.attempts,
                "last_error": self.last_error, "recent": list(self.recent)}  # fmt: skip


def envelope(notification_type: str, uid: str, notification: dict[str, Any]) -> dict[str, Any]:
    """Apple's envelope: the body, a fresh notificationId for de-duplication, the type and the library's uId."""
    return {"notification": notification, "notificationId": str(uuid.uuid4()),
            "notificationType": notification_type, "uId": uid}  # fmt: skip


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post(delivery: Delivery, *, timeout: float) -> str | None:
    """One attempt; None when the receiver answered 2xx, else what went wrong."""
    data = json.dumps(delivery.envelope).encode()
    request = urllib.request.Request(delivery.url, data=data, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {delivery.token}",
        "User-Agent": "abctl-sandbox-notifications"})  # fmt: skip
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return error.__class__.__name__


class Notifier:
    """The background sender. `send` queues; `deliver_now` is the synchronous TEST_NOTIFICATION."""

    def __init__(self, *, attempts: int = 3, retry_delay: float = 0.5, timeout: float = 3.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.attempts = max(1, attempts)
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.log = DeliveryLog()
        self._sleep = sleep
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._busy = 0

    def send(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            with self._lock:
                self._busy += 1
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="sandbox-notify", daemon=True)
                    self._thread.start()
            self._queue.put(delivery)

    def deliver_now(self, delivery: Delivery) -> bool:
        """One synchronous attempt (TEST_NOTIFICATION): True when the receiver answered 2xx."""
        problem = post(delivery, timeout=self.timeout)
        self._record(delivery, problem, final=True)
        return problem is None

    def snapshot(self) -> dict[str, Any]:
        """Deliveries so far: delivered, failed, attempts, the last error and the 50 latest outcomes."""
        with self._lock:
            return self.log.as_dict()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued was delivered or given up (tests, shutdown). True when idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._busy == 0:
                    return True
            time.sleep(0.01)
        return False

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            finally:
                with self._lock:
                    self._busy -= 1

    def _deliver(self, delivery: Delivery) -> None:
        delay = self.retry_delay
        for attempt in range(1, self.attempts + 1):
            problem = post(delivery, timeout=self.timeout)
            self._record(delivery, problem, final=problem is None or attempt == self.attempts)
            if problem is None:
                return
            if attempt < self.attempts:
                self._sleep(delay)
                delay *= 2

    def _record(self, delivery: Delivery, problem: str | None, *, final: bool) -> None:
        with self._lock:
            self.log.attempts += 1
            if problem is not None:
                self.log.last_error = problem
            if not final:
                return
            if problem is None:
                self.log.delivered += 1
            else:
                self.log.failed += 1
            self.log.recent.append({"notificationType": delivery.envelope.get("notificationType"),
                                    "notificationId": delivery.envelope.get("notificationId"),
                                    "delivered": problem is None, "error": problem})  # fmt: skip
            del self.log.recent[:-50]
