"""Serving the sandbox over real HTTP on 127.0.0.1 only (stdlib wsgiref, one thread per request).

Apple's rate limit counts a request when it arrives (`sandbox.ratelimit.ARRIVED` in the WSGI environ), not when a
busy thread gets to it. Where the kernel can say (Linux: SO_TIMESTAMPNS), the arrival is when the request's first
bytes reached this machine, read from the kernel's receive timestamp; elsewhere it is when the accept loop took the
connection. Python's accept loop and handler threads run late by tens of milliseconds when the interpreter is busy
(measured: up to 86 ms on a loaded two-core machine), which would count a request later than it arrived.
The dropped-connection fault (a `ConnectionError` from the app) closes the socket without an answer. While
served, an app with a `tick()` (SandboxApp) gets it called every `TICK_SECONDS`, so events complete and their
notifications go out even when no client polls.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from abctl.sandbox.ratelimit import ARRIVED

TICK_SECONDS = 0.1
CLOSE_READINGS = 0.0005  # seconds: two wall-clock readings this close had no thread switch between them
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35 if sys.platform == "linux" else None)
_TIMESPEC = struct.Struct("qq")  # the receive timestamp: seconds and nanoseconds of the wall clock


def first_bytes_received(connection: socket.socket) -> float | None:
    """The wall-clock time (`time.time()`'s) when the kernel received the first bytes waiting on `connection`
    (it waits for them, and leaves them to be read), or None when the kernel keeps no receive timestamps."""
    if SO_TIMESTAMPNS is None:
        return None
    try:
        _, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_SPACE(_TIMESPEC.size), socket.MSG_PEEK)
    except OSError:
        return None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= _TIMESPEC.size:
            seconds, nanoseconds = _TIMESPEC.unpack_from(payload)
            return int(seconds) + int(nanoseconds) / 1e9
    return None


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            self.result: list[bytes] = []  # close without writing anything: the client sees a dropped connection
            return
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    _received: float | None = None  # when the kernel received the request's first bytes (wall clock)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        arrived = self.server.arrival_of(self.request, self._received)  # type: ignore[attr-defined]
        if arrived is not None:
            environ[ARRIVED] = arrived
        return environ

    def handle(self) -> None:
        self._received = first_bytes_received(self.request)
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            return
        handler = _Handler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64
    clock: Callable[[], float] = time.monotonic

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._arrivals: dict[socket.socket, tuple[float, float]] = {}  # connection -> accepted: clock, wall clock
        self._arrivals_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def server_bind(self) -> None:
        if SO_TIMESTAMPNS is not None:
            with contextlib.suppress(OSError):  # accepted connections inherit it: their bytes are stamped on arrival
                self.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        super().server_bind()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        accepted = self._clocks()
        with self._arrivals_lock:
            self._arrivals[connection] = accepted
        return connection, address

    def _clocks(self) -> tuple[float, float]:
        """The server's clock and the wall clock at one moment: the server's read between two readings of the
        wall clock, again when a thread switch came in between (it would shift arrivals by the switch), keeping
        the closest of three tries."""
        best = (float("inf"), 0.0, 0.0)
        for _ in range(3):
            before = time.time()
            clock = self.clock()
            after = time.time()
            best = min(best, (after - before, clock, (before + after) / 2))
            if after - before < CLOSE_READINGS:
                break
        return best[1], best[2]

    def arrival_of(self, connection: socket.socket, received: float | None = None) -> float | None:
        """When the request on `connection` arrived, on the server's clock (one request per connection: wsgiref
        answers HTTP/1.0): when the connection was accepted, moved to when its first bytes were `received`
        (wall clock) if the kernel said; they may have waited for a late accept loop, or come after it."""
        with self._arrivals_lock:
            accepted = self._arrivals.pop(connection, None)
        if accepted is None:
            return None
        clock, wall = accepted
        return clock if received is None else clock + (received - wall)

    def shutdown_request(self, request: Any) -> None:
        with self._arrivals_lock:
            self._arrivals.pop(request, None)
        super().shutdown_request(request)


class RunningSandbox:
    """A sandbox served in a background thread. `.url` is its base URL; use as a context manager."""

    def __init__(self, app: Any, host: str, port: int, clock: Callable[[], float] = time.monotonic) -> None:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the sandbox only listens on loopback")
        self._server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_RequestHandler)
        self._server.clock = clock
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self.api_url = f"{self.url}/mdm/v2/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="abctl-sandbox", daemon=True)
        self._thread.start()
        self._stopping = threading.Event()
        self._ticker: threading.Thread | None = None
        tick = getattr(app, "tick", None)
        if callable(tick):
            self._ticker = threading.Thread(target=self._tick, args=(tick,), name="abctl-sandbox-tick", daemon=True)
            self._ticker.start()

    def _tick(self, tick: Any) -> None:
        while not self._stopping.wait(TICK_SECONDS):
            tick()

    def shutdown(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._ticker is not None:
            self._ticker.join(timeout=5)

    def serve_forever(self) -> None:
        """Block until interrupted (for `abctl sandbox serve`)."""
        self._thread.join()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.shutdown()


def serve(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, clock: Callable[[], float] = time.monotonic
) -> RunningSandbox:
    """Start serving `app` on loopback (port 0 picks a free port) in a background thread; `clock` stamps each
    request's arrival and must be the sandbox state's clock."""
    return RunningSandbox(app, host, port, clock)
