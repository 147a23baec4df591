"""Apple's errorNumbers and every httpx failure, mapped to abctl's typed errors.

Keyed on errorNumber, never on message text (apple-api.md 4.1). Authentication errors carry the action of
design.md R18 as their hint.
"""

from __future__ import annotations

import httpx

from abctl.errors import (
    AbctlError,
    AppleAPIError,
    AppleUnavailableError,
    LimitExceededError,
    NotEnoughLicensesError,
    StaleVersionError,
    TokenError,
    UnknownUserError,
    WriteOutcomeUnknownError,
)

# 9601, 9621, 9622, 9625, 9722: stop and tell the operator what to do with the token (R18).
AUTH_ERRORS: dict[int, tuple[str, str, str]] = {
    9601: ("login_required", "Apple requires a login for this token", "Log into the Apps and Books service"),
    9621: ("expired", "the sToken has expired", "Generate a new token online using your organization's account"),
    9622: ("invalid", "Apple rejected the sToken as invalid", "Upload a valid Apps and Books sToken"),
    9625: ("revoked", "Apple has revoked the sToken", "Upload a valid Apps and Books sToken"),
    9722: ("invalid", "Apple rejected the authorization header", "Upload a valid Apps and Books sToken"),
}
RETRYABLE_ERRORS = {9603, 9644, 9646, 9729}
LIMIT_ERRORS = {9700, 9701, 9702, 9703, 9704, 9705, 9714}


def apple_error(number: int, message: str, status_code: int | None, *, known: dict[int, str]) -> AbctlError:
    """The typed error for one Apple errorNumber."""
    text = message or known.get(number, "")
    if number in AUTH_ERRORS:
        status, what, action = AUTH_ERRORS[number]
        return TokenError(
            f"{what} (Apple error {number})",
            hint=f"{action}, then run: abctl tokens update NAME --file -",
            status=status,
            error_number=number,
        )
    label = f"Apple error {number}: {text}" if text else f"Apple error {number}"
    kind: type[AppleAPIError] = AppleAPIError
    hint = "run the command again with --debug to see the request Apple refused"
    if number == 9721:
        kind, hint = StaleVersionError, "run a full sync: abctl sync --full"
    elif number in LIMIT_ERRORS:
        kind, hint = LimitExceededError, "abctl re-reads Apple's limits; run the command again"
    elif number == 9709:
        kind, hint = NotEnoughLicensesError, "buy more licenses or free some: abctl usage"
    elif number == 9609:
        kind, hint = UnknownUserError, "invite the user first: abctl users invite ID"
    elif number in RETRYABLE_ERRORS:
        kind, hint = AppleUnavailableError, "Apple is busy or in maintenance; try again later"
    return kind(label, hint=hint, status_code=status_code, error_number=number, error_message=text)


def transport_error(error: httpx.HTTPError, *, is_write: bool, sent: bool) -> AbctlError:
    """Every httpx exception as an AbctlError; a write that may have landed is `WriteOutcomeUnknownError`."""
    name = error.__class__.__name__
    if is_write and sent:
        return WriteOutcomeUnknownError(
            f"no answer from Apple to a write ({name}); it may or may not have been applied",
            hint="run `abctl events wait` or `abctl sync` to find out what Apple did before retrying",
        )
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return AbctlError(f"the Apple API URL is not usable ({name})", hint="check --api-url or ABCTL_API_URL")
    if isinstance(error, httpx.TimeoutException):
        return AppleUnavailableError(f"Apple did not answer in time ({name})", hint="check the network; try again")
    return AppleUnavailableError(
        f"cannot reach Apple ({name})", hint="check the network, a proxy, or --api-url; then try again"
    )


def request_was_sent(error: httpx.HTTPError) -> bool:
    """Whether the request may have reached the server (connect failures never did)."""
    return not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.InvalidURL |
                          httpx.UnsupportedProtocol)  # fmt: skip
