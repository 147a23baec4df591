"""Apple's synchronous error numbers as the sandbox answers them: HTTP status and errorMessage (apple-api.md 4.2,
plus the legacy 9622 that Apple still sends for an invalid token), and the exception the handlers raise.

The table is also what `service/config` lists under `errorCodes`.
"""

from __future__ import annotations

from typing import Any

ERRORS: dict[int, tuple[int, str]] = {
    9601: (401, "Login required"),
    9602: (400, "Invalid argument"),
    9603: (500, "Internal error"),
    9609: (400, "Registered user not found"),
    9621: (401, "The sToken has expired. Generate a new token online using your organization's account."),
    9622: (401, "Invalid authentication token"),
    9623: (400, "Invalid Apple Push Notification token"),
    9625: (401, "The server has revoked the sToken"),
    9634: (410, "This service is no longer available"),
    9637: (403, "This operation is not allowed for facilitator accounts"),
    9646: (429, "Too many requests for the current organization"),
    9647: (403, "This operation is not supported for legacy tokens"),
    9650: (400, "Page index out of range"),
    9700: (400, "Too many assets"),
    9701: (400, "Too many clientUserIds"),
    9702: (400, "Too many serialNumbers"),
    9703: (400, "Duplicate assets"),
    9704: (400, "Duplicate clientUserIds"),
    9705: (400, "Duplicate serialNumbers"),
    9706: (400, "Asset is not revocable"),
    9707: (400, "Asset is not device assignable"),
    9708: (400, "Event not found"),
    9710: (400, "Notification URL and notification auth token must be given together"),
    9711: (400, "Notification URL or notification auth token is too long"),
    9712: (400, "Notification URL must be a valid HTTPS URL"),
    9713: (400, "MDM metadata too long"),
    9714: (400, "Too many users"),
    9715: (400, "Duplicate users"),
    9717: (400, "Invalid email"),
    9718: (400, "No assets in the request"),
    9719: (400, "No clientUserIds or serialNumbers in the request"),
    9720: (400, "No users in the request"),
    9721: (400, "Invalid versionId"),
    9722: (401, "Invalid authorization header, must match 'Bearer {sToken}'"),
    9723: (400, "mdmInfo needs id, name and metadata"),
    9724: (400, "mdmInfo id too long"),
    9725: (400, "mdmInfo name too long"),
    9726: (405, "This request contains an unsupported HTTP method for the requested endpoint."),
    9727: (415, "Unsupported Content-Type"),
    9728: (400, "Notification URL is unreachable"),
    9729: (503, "Service temporarily unavailable"),
}
# Asynchronous numbers (apple-api.md 4.3): they appear in `status` failures and notifications, never as answers.
ASYNC_MESSAGES: dict[int, str] = {
    9603: "Internal error",
    9609: "Registered user not found",
    9635: "The Apple Account can't be associated with this user",
    9641: "The Apple Account is already associated with another user",
    9644: "The service is in maintenance mode, retry later",
    9709: "There aren't enough assets available to complete this association.",
    9716: "A registered user with the given clientUserId already exists",
}

# What service/config lists under `errorCodes`: every number Apple may send, synchronous or not.
ERROR_CODES: dict[int, str] = {**ASYNC_MESSAGES, **{number: message for number, (_, message) in ERRORS.items()}}


class AppleError(Exception):
    """A synchronous Apple error: nothing was queued. `info` becomes the body's `errorInfo`."""

    def __init__(self, number: int, info: dict[str, Any] | None = None) -> None:
        super().__init__(number)
        self.number = number
        self.info = info


def error_body(number: int, info: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, ErrorResponse) for a number; unknown numbers answer 400 with a generic text."""
    status, message = ERRORS.get(number, (400, ASYNC_MESSAGES.get(number, f"Error {number}")))
    body: dict[str, Any] = {"errorNumber": number, "errorMessage": message}
    if info:
        body["errorInfo"] = info
    return status, body
