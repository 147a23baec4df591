"""An in-process transport: abctl's client talks to a WSGI application (the sandbox) without sockets.

A `ConnectionError` raised by the application (the sandbox's dropped-connection fault) surfaces as an httpx
transport error, exactly as a real dropped connection would.
"""

from __future__ import annotations

from typing import Any

import httpx


class InProcessTransport(httpx.WSGITransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionError as error:
            raise httpx.RemoteProtocolError(f"connection dropped: {error}", request=request) from None


def in_process_transport(wsgi_app: Any) -> httpx.BaseTransport:
    """An httpx transport that calls `wsgi_app` directly."""
    return InProcessTransport(app=wsgi_app)
