"""The one request loop every Apple call goes through: rate limiter, bounded retries, errorNumber check on every
answer whatever its HTTP status, every httpx exception mapped, and the optional `--debug` trace line.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import httpx

from abctl.apple.error_map import (
    HTTPX_EXCEPTIONS,
    apple_error,
    request_was_sent,
    status_error,
    transport_error,
    unreadable_answer,
)
from abctl.apple.ratelimit import RateLimiter, Slot
from abctl.apple.retry import RetryPolicy, retry_after_seconds, should_retry
from abctl.errors import AbctlError


class Requester:
    """Sends one logical request, retrying within `policy`; returns the JSON object Apple answered."""

    def __init__(
        self,
        http: httpx.Client,
        limiter: RateLimiter,
        *,
        policy: RetryPolicy,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        trace: Callable[[str], None] | None,
        rng: random.Random,
    ) -> None:
        self.http = http
        self.limiter = limiter
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self._trace = trace
        self._rng = rng
        self.requests_sent = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        known: Mapping[int, str],
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        write: bool = False,
        limited: bool = True,
        on_wire: AbstractContextManager[object] | None = None,
    ) -> dict[str, Any]:
        """One Apple call. Raises the typed AbctlError of the last failure once retrying is over. `limited=False`
        only for `service/config`, which carries no sToken, so Apple cannot count it against one. `on_wire` is
        held while a request is on the wire (a page fetch's place among the five in flight): not while its answer
        is decoded, nor while a retry waits."""
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._exchange(method, path, params, body, limited, on_wire)
            except HTTPX_EXCEPTIONS as error:
                sent = request_was_sent(error)
                failure = transport_error(error, is_write=write, sent=sent)
                # A write that may have reached Apple is never sent twice: the caller reconciles instead.
                retry = not (write and sent)
                delay = None
            else:
                data = _json_object(response)
                number = _error_number(data)
                if limited and (number == 9646 or response.status_code == 429):
                    self.limiter.throttled()  # Apple counted more than the limiter thought: it adapts
                if number is None and response.status_code < 400 and data is not None:
                    return data
                failure = self._failure(response, data, number, known, f"{method} {path}")
                delay = retry_after_seconds(response.headers.get("Retry-After"))
                retry = should_retry(response.status_code, number, write=write, retry_after=delay is not None)
            if not retry or attempt >= self.policy.max_attempts:
                raise failure
            if delay is None:
                delay = self.policy.backoff(attempt, self._rng)
            if waited + delay > self.policy.max_total_wait:
                raise failure  # Apple asked for a longer pause than this request may spend waiting
            self._sleep(delay)
            waited += delay

    def fetch(
        self, url: str, *, params: Mapping[str, str], cookies: Mapping[str, str], timeout: float | None = None
    ) -> httpx.Response:
        """One GET to another Apple service (the content lookup): limited and traced, not retried, no bearer;
        `timeout` (seconds) replaces the client's own for this request."""
        request = self.http.build_request("GET", url, params=params, timeout=timeout or self.http.timeout)
        del request.headers["Authorization"]  # the bearer sToken belongs to the management API only
        if cookies:
            request.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return self._send_traced(request)

    def _exchange(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        limited: bool = True,
        on_wire: AbstractContextManager[object] | None = None,
    ) -> httpx.Response:
        request = self.http.build_request(method, path, params=params, json=body)
        return self._send_traced(request, limited, on_wire)

    def _send_traced(
        self, request: httpx.Request, limited: bool = True, on_wire: AbstractContextManager[object] | None = None
    ) -> httpx.Response:
        # The wire first, then the rate budget: a request waiting for its place on the wire holds no place in the
        # window (it would keep others from going).
        with on_wire or nullcontext(), self.limiter.request() if limited else nullcontext() as slot:
            if slot is not None:
                request.extensions["trace"] = _when_leaving(self.limiter, slot)
            started = self._clock()
            try:
                response = self.http.send(request)
            except HTTPX_EXCEPTIONS as error:
                self._log(request, error.__class__.__name__, started)
                raise
            _unbind(response)
            self.requests_sent += 1
        self._log(request, str(response.status_code), started)
        return response

    @staticmethod
    def _failure(
        response: httpx.Response, data: dict[str, Any] | None, number: int | None, known: Mapping[int, str], what: str
    ) -> AbctlError:
        if number is None and response.status_code < 400:
            return unreadable_answer(what, "not a JSON object")
        if number is None:
            return status_error(response.status_code)
        message = data.get("errorMessage") if data is not None else None
        info = data.get("errorInfo") if data is not None else None
        return apple_error(number, str(message or ""), response.status_code, known=known, info=info)

    def _log(self, request: httpx.Request, outcome: str, started: float) -> None:
        if self._trace is not None:
            elapsed = (self._clock() - started) * 1000
            # The URL carries ids and paging only; headers (Authorization, Cookie) are never traced.
            self._trace(f"{request.method} {request.url} -> {outcome} ({elapsed:.0f} ms)")


def _when_leaving(limiter: RateLimiter, slot: Slot) -> Callable[[str, Mapping[str, Any]], None]:
    """An httpcore trace hook telling the limiter when the request starts going out (its headers: the round trip
    starts) and when it has left (its last byte is handed to the network: its place counts from then). Not when
    its connection opens: a thread can wait for the interpreter for tens of milliseconds between that moment and
    the bytes going out, and a place counted from before its request left could be given back before Apple
    counted it."""

    def hook(event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            limiter.going(slot)
        elif event.endswith("send_request_body.complete"):
            limiter.leaving(slot)

    return hook


def _unbind(response: httpx.Response) -> None:
    """httpx binds a response to its own stream (a reference cycle, which only the cycle collector frees, and a
    sync pauses that collector): once the body is read and the stream closed, the bound stream is let go, so the
    response and its body are freed as soon as the caller is done with them."""
    if response.is_closed:
        response.stream = httpx.ByteStream(b"")


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _error_number(data: dict[str, Any] | None) -> int | None:
    """`errorNumber` as an int, whatever the HTTP status (Apple sends some errors with HTTP 200)."""
    if data is None or data.get("errorNumber") is None:
        return None
    try:
        return int(data["errorNumber"])
    except (TypeError, ValueError):
        return 0
