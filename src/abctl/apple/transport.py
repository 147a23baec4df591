"""How the client reaches Apple: one shared TLS context for real connections, and an in-process transport through
which abctl's client talks to a WSGI application (the sandbox) without sockets.

A `ConnectionError` raised by the application (the sandbox's dropped-connection fault) surfaces as the httpx
transport error a real socket would give: refused -> ConnectError (nothing sent), anything else ->
RemoteProtocolError (the request went out, no answer came back).
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


class InProcessTransport(httpx.WSGITransport):
    """httpx's WSGITransport, with the application's connection faults turned into httpx errors."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = super().handle_request(request)
            response.read()  # a streaming app can fail while its body is read: keep that inside this mapping
        except ConnectionRefusedError as error:
            raise httpx.ConnectError(f"connection refused: {error}", request=request) from None
        except ConnectionError as error:
            raise httpx.RemoteProtocolError(f"connection dropped: {error}", request=request) from None
        return response


def in_process_transport(wsgi_app: Any) -> httpx.BaseTransport:
    """An httpx transport that calls `wsgi_app` directly."""
    return InProcessTransport(app=wsgi_app)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of the process: loading the CA bundle costs ~40 ms, once per account
    otherwise (a sync of several accounts builds a client for each)."""
    return httpx.create_ssl_context()
