"""Serving the sandbox over real HTTP on 127.0.0.1 only (stdlib wsgiref, one thread per request).

The dropped-connection fault (a `ConnectionError` from the app) closes the socket without an answer.
"""

from __future__ import annotations

import sys
import threading
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            self.result: list[bytes] = []  # close without writing anything: the client sees a dropped connection
            return
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
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


class RunningSandbox:
    """A sandbox served in a background thread. `.url` is its base URL; use as a context manager."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the sandbox only listens on loopback")
        self._server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_RequestHandler)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self.api_url = f"{self.url}/mdm/v2/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="abctl-sandbox", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Block until interrupted (for `abctl sandbox serve`)."""
        self._thread.join()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.shutdown()


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Start serving `app` on loopback (port 0 picks a free port) in a background thread."""
    return RunningSandbox(app, host, port)
