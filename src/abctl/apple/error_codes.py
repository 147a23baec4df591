"""Every errorNumber of apple-api.md section 4: which typed error it becomes and what it means in plain words.

Apple's own `errorMessage` (or the `errorCodes` text of service/config) is preferred when present; these
meanings stand in when Apple sends a bare number. Keyed on the number, never on message text (4.1).
"""

from __future__ import annotations

from abctl.errors import (
    AppleAPIError,
    AppleUnavailableError,
    AssetNotDeviceAssignableError,
    AssetNotRevocableError,
    EventNotFoundError,
    InvalidRequestError,
    LimitExceededError,
    NotEnoughLicensesError,
    PageOutOfRangeError,
    PermissionDeniedError,
    ServiceMovedError,
    StaleVersionError,
    UnknownUserError,
    UserAlreadyExistsError,
)

# Authentication (design.md R18): number -> (account status, what happened, R18's action, the hint's action).
AUTH_ERRORS: dict[int, tuple[str, str, str, str]] = {
    9601: ("login_required", "Apple requires a login for this token", "log into the Apps and Books service",
           "Log into the Apps and Books service"),
    9621: ("expired", "the sToken has expired", "generate a new token",
           "Generate a new token online using your organization's account"),
    9622: ("invalid", "Apple rejected the sToken as invalid", "upload a valid sToken",
           "Upload a valid Apps and Books sToken"),
    9625: ("revoked", "Apple has revoked the sToken", "upload a valid sToken", "Upload a valid Apps and Books sToken"),
    9722: ("invalid", "Apple rejected the authorization header", "upload a valid sToken",
           "Upload a valid Apps and Books sToken"),
}  # fmt: skip

# Answers that say Apple did not process the request at all, so sending it again is safe even for a write.
NOT_ACCEPTED = frozenset({9646, 9729})
# Answers worth retrying for reads: busy, internal error, maintenance, temporarily unavailable.
RETRYABLE = frozenset({9603, 9644, 9646, 9729})
# After these the cached service/config is dropped: limits (9700-9705, 9714) or URLs (9617, 9634) changed.
REREAD_CONFIG = frozenset({9617, 9634, 9700, 9701, 9702, 9703, 9704, 9705, 9714})

ERRORS: dict[int, tuple[type[AppleAPIError], str]] = {
    # v2 synchronous (4.2)
    9602: (InvalidRequestError, "invalid argument"),
    9603: (AppleUnavailableError, "internal error at Apple"),
    9609: (UnknownUserError, "registered user not found"),
    9623: (InvalidRequestError, "invalid push notification token"),
    9634: (ServiceMovedError, "this service is no longer available at this address"),
    9637: (PermissionDeniedError, "not allowed for facilitator accounts"),
    9646: (AppleUnavailableError, "too many requests for this organization"),
    9647: (PermissionDeniedError, "not supported for legacy tokens"),
    9650: (PageOutOfRangeError, "page index out of range"),
    9700: (LimitExceededError, "too many assets in one request"),
    9701: (LimitExceededError, "too many user ids in one request"),
    9702: (LimitExceededError, "too many serial numbers in one request"),
    9703: (LimitExceededError, "duplicate assets in the request"),
    9704: (LimitExceededError, "duplicate user ids in the request"),
    9705: (LimitExceededError, "duplicate serial numbers in the request"),
    9706: (AssetNotRevocableError, "the asset is not revocable"),
    9707: (AssetNotDeviceAssignableError, "the asset cannot be assigned to devices"),
    9708: (EventNotFoundError, "event not found"),
    9710: (InvalidRequestError, "notification URL and auth token must be given together"),
    9711: (InvalidRequestError, "notification URL or auth token too long"),
    9712: (InvalidRequestError, "notification URL must be a valid HTTPS URL"),
    9713: (InvalidRequestError, "MDM metadata too long"),
    9714: (LimitExceededError, "too many users in one request"),
    9715: (InvalidRequestError, "duplicate users in the request"),
    9717: (InvalidRequestError, "invalid email address"),
    9718: (InvalidRequestError, "no asset in the request"),
    9719: (InvalidRequestError, "neither user ids nor serial numbers in the request"),
    9720: (InvalidRequestError, "no users in the request"),
    9721: (StaleVersionError, "the versionId is no longer valid"),
    9723: (InvalidRequestError, "mdmInfo needs an id, a name and metadata"),
    9724: (InvalidRequestError, "mdmInfo id too long"),
    9725: (InvalidRequestError, "mdmInfo name too long"),
    9726: (InvalidRequestError, "unsupported HTTP method for this endpoint"),
    9727: (InvalidRequestError, "unsupported content type"),
    9728: (InvalidRequestError, "notification URL cannot be reached"),
    9729: (AppleUnavailableError, "service temporarily unavailable"),
    # v2 asynchronous (4.3); they also arrive synchronously now and then
    9635: (AppleAPIError, "this Apple Account cannot be associated with the user"),
    9641: (AppleAPIError, "this Apple Account is already associated with another user"),
    9644: (AppleUnavailableError, "service in maintenance, try later"),
    9709: (NotEnoughLicensesError, "not enough licenses available"),
    9716: (UserAlreadyExistsError, "a registered user with this clientUserId already exists"),
    # legacy v1 numbers still seen (4.4)
    9600: (InvalidRequestError, "a required argument is missing"),
    9604: (AppleAPIError, "result not found"),
    9605: (AppleAPIError, "account storefront incorrect"),
    9607: (AssetNotRevocableError, "license is irrevocable"),
    9610: (AppleAPIError, "license not found"),
    9611: (AppleAPIError, "admin user not found"),
    9616: (AppleAPIError, "license already assigned"),
    9617: (ServiceMovedError, "the service moved; service configuration must be read again"),
    9618: (AppleAPIError, "user already retired"),
    9619: (AppleAPIError, "license not associated"),
    9620: (AppleAPIError, "user already deleted"),
    9624: (AppleAPIError, "license refunded"),
    9626: (AppleAPIError, "license already assigned to another user"),
    9627: (AppleAPIError, "disassociation refused after too frequent reassociation"),
    9628: (AssetNotDeviceAssignableError, "license not eligible for device assignment"),
    9630: (AppleUnavailableError, "too many recent identical calls"),
    9631: (AppleUnavailableError, "too many recent identical calls"),
    9632: (AppleUnavailableError, "too many recent identical calls"),
    9636: (UnknownUserError, "no registered user found"),
    9643: (AppleAPIError, "license locked by a pending transfer"),
}

HINTS: dict[type[AppleAPIError], str] = {
    AppleAPIError: "run the command again with --debug to see the request Apple refused",
    AppleUnavailableError: "Apple is busy or in maintenance; try again later",
    StaleVersionError: "run a full sync: abctl sync --full",
    LimitExceededError: "abctl re-reads Apple's limits; run the command again",
    NotEnoughLicensesError: "buy more licenses or free some: abctl usage",
    UnknownUserError: "invite the user first: abctl users invite ID",
    UserAlreadyExistsError: "the user is already registered; run: abctl sync",
    AssetNotRevocableError: "licenses of this asset (usually a book) cannot be taken back",
    AssetNotDeviceAssignableError: "assign it to users instead of devices",
    EventNotFoundError: "Apple no longer knows this event; run: abctl sync",
    PageOutOfRangeError: "the data changed during the read; run the sync again",
    PermissionDeniedError: "use a token of a content manager allowed to assign licenses",
    ServiceMovedError: "abctl re-reads Apple's service configuration; run the command again",
    InvalidRequestError: "Apple refused the request's shape; run again with --debug and report it",
}
