"""Apple's errorNumbers, bare HTTP failures and every httpx exception, mapped to abctl's typed errors.

Authentication errors carry the action of design.md R18 in both message and hint. Messages never contain the
sToken: they are built from error numbers, Apple's error text and exception class names only.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from abctl.apple.error_codes import AUTH_ERRORS, ERRORS, HINTS
from abctl.errors import (
    FIND_ACCOUNT,
    AbctlError,
    AppleAPIError,
    AppleUnavailableError,
    TokenError,
    WriteOutcomeUnknownError,
)
from abctl.failure_words import in_words

# Every exception class httpx can raise: HTTPError and its subclasses, plus the three that are not (httpx 0.28).
HTTPX_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.CookieConflict,
    httpx.StreamError,
)
# Failures that happen before any byte of the request leaves this machine: a write can safely be sent again.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    httpx.CookieConflict,
    httpx.RequestNotRead,
)


def token_error(number: int) -> TokenError:
    """The TokenError for an authentication errorNumber (9601, 9621, 9622, 9625, 9722)."""
    status, what, action, hint = AUTH_ERRORS[number]
    return TokenError(
        f"{what} (Apple error {number}): {action}",
        hint=f"{hint}; {FIND_ACCOUNT}",
        status=status,
        error_number=number,
        action=hint,
    )


def apple_error(
    number: int, message: str, status_code: int | None, *, known: Mapping[int, str], info: object = None
) -> AbctlError:
    """The typed error for one Apple errorNumber; unknown numbers keep their number and Apple's text. `info` is
    the answer's `errorInfo`: the clientUserIds and serialNumbers it names travel with the error."""
    if number in AUTH_ERRORS:
        return token_error(number)
    kind, meaning = ERRORS.get(number, (AppleAPIError, ""))
    text = message or known.get(number, "") or meaning
    label = f"Apple error {number}: {text}" if text else f"Apple error {number}"
    users, serials = _targets(info, "clientUserIds"), _targets(info, "serialNumbers")
    return kind(label, hint=HINTS[kind], status_code=status_code, error_number=number, error_message=text or None,
                client_user_ids=users, serial_numbers=serials)  # fmt: skip


def _targets(info: object, key: str) -> tuple[str, ...]:
    values = info.get(key) if isinstance(info, dict) else None
    return tuple(str(value) for value in values) if isinstance(values, list) else ()


def status_error(status_code: int) -> AbctlError:
    """An HTTP error status that came without an errorNumber (a proxy, a load balancer, a wrong --api-url)."""
    if status_code == 401:
        return TokenError(
            "Apple refused the sToken (HTTP 401 without an error number): upload a valid sToken",
            hint=f"Upload a valid Apps and Books sToken; {FIND_ACCOUNT}",
            status="invalid",
            action="Upload a valid Apps and Books sToken",
        )
    if status_code >= 500 or status_code == 429:
        return AppleUnavailableError(
            f"Apple answered HTTP {status_code}", hint=HINTS[AppleUnavailableError], status_code=status_code
        )
    return AppleAPIError(
        f"Apple answered HTTP {status_code} without an error number",
        hint="check --api-url; run again with --debug to see the request",
        status_code=status_code,
    )


def unreadable_answer(what: str, problem: str) -> AppleAPIError:
    """Apple answered 200 with JSON abctl cannot read (a field missing or of the wrong type)."""
    return AppleAPIError(
        f"Apple's answer to {what} could not be read ({problem})",
        hint="check --api-url; run again with --debug to see the request",
    )


def request_was_sent(error: Exception) -> bool:
    """Whether the request may have reached the server (connect failures never did)."""
    return not isinstance(error, _NOT_SENT)


def transport_error(error: Exception, *, is_write: bool, sent: bool) -> AbctlError:
    """Every httpx exception as an AbctlError; a write that may have landed is `WriteOutcomeUnknownError`."""
    name = in_words(error)
    if is_write and sent:
        return WriteOutcomeUnknownError(
            f"no answer from Apple to a write ({name}); it may or may not have been applied",
            hint="do not send it again blindly: `abctl events wait` or `abctl sync` reads what Apple did",
        )
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return AbctlError(f"the Apple API URL is not usable ({name})", hint="check --api-url or ABCTL_API_URL")
    if isinstance(error, httpx.TimeoutException):
        return AppleUnavailableError(f"Apple did not answer in time ({name})", hint="check the network; try again")
    if isinstance(error, httpx.TransportError):
        return AppleUnavailableError(
            f"cannot reach Apple ({name})", hint="check the network, a proxy, or --api-url; then try again"
        )
    return AppleUnavailableError(
        f"the conversation with Apple failed ({name})", hint="try again; run with --debug if it persists"
    )
