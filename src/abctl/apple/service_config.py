"""`service/config` for one client: read once, kept for five minutes (Apple: re-read it every 5 minutes), read
again early when Apple says limits or URLs changed.

A read need not wait a round trip for it: `soon()` starts the one read under way in the background, and the
call goes out at once (Apple's documented 15 requests/s hold until the figure is known). Its error texts are
waited for only when an answer is an error that needs one (`CodesOf`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future

from abctl.apple import wire
from abctl.apple.requester import Requester
from abctl.models.apple import ServiceConfig

SERVICE_CONFIG_TTL = 300.0  # Apple: re-read service/config every 5 minutes


class ServiceConfigCache:
    """Thread-safe: concurrent callers share one read."""

    def __init__(self, requester: Requester, clock: Callable[[], float]) -> None:
        self._requester = requester
        self._clock = clock
        self._config: ServiceConfig | None = None
        self._at = 0.0
        self._lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: Future[ServiceConfig] | None = None

    def get(self) -> ServiceConfig:
        """The current service/config, read now if it is missing or older than five minutes."""
        with self._lock:
            if self._config is None or self._clock() - self._at >= SERVICE_CONFIG_TTL:
                data = self._requester.send("GET", "service/config", known={}, limited=False)
                self._config = wire.read("GET service/config", wire.service_config, data)
                self._at = self._clock()
                self._requester.limiter.set_rate(self._config.limits.max_request_per_second)
            return self._config

    def soon(self) -> Future[ServiceConfig] | None:
        """None while the cached one is fresh; else the read of it under way (started now if none is)."""
        with self._pending_lock:
            config, at = self._config, self._at
            if config is not None and self._clock() - at < SERVICE_CONFIG_TTL:
                return None
            if self._pending is None or self._pending.done():
                future: Future[ServiceConfig] = Future()
                reader = threading.Thread(target=self._read_into, args=(future,), name="abctl-config")
                reader.daemon = True
                reader.start()
                self._pending = future
            return self._pending

    def forget(self) -> None:
        """Limits or URLs changed (9700-9705, 9714, 9617, 9634): read them again before the next call."""
        with self._lock:
            self._config = None

    def _read_into(self, future: Future[ServiceConfig]) -> None:
        try:
            future.set_result(self.get())
        except BaseException as error:  # handed to every call waiting for it
            future.set_exception(error)


class CodesOf(Mapping[int, str]):
    """service/config's error texts, waited for only when an error needs one."""

    def __init__(self, config: Future[ServiceConfig]) -> None:
        self._config = config

    def __getitem__(self, number: int) -> str:
        return self._config.result().error_codes[number]

    def __iter__(self) -> Iterator[int]:
        return iter(self._config.result().error_codes)

    def __len__(self) -> int:
        return len(self._config.result().error_codes)
