"""The one exception hierarchy of abctl and the exit codes it maps to.

Every error a user can see is an `AbctlError`; the CLI catches it in exactly one place
(`abctl.cli.app.AbctlTyperGroup`) and prints `Error:` and `Hint:` lines on stderr.

    AbctlError (1)
    ├── InputError (2)            bad file, bad argument value, bad CSV row
    ├── ConfigError (3)           configuration or local state refuses the change
    │   └── TokenError (3)        sToken missing, malformed, expired, revoked, claimed by another MDM
    ├── NotFoundError (4)         no such space, account, app, user, device, event
    ├── AppleAPIError (5)         Apple answered with an errorNumber
    │   ├── StaleVersionError (5)      9721: the stored versionId is no longer valid; read everything
    │   ├── VersionChangedError (5)    the data changed twice while its pages were being read
    │   ├── LimitExceededError (5)     9700-9705, 9714: a request broke a size limit (limits are re-read)
    │   ├── NotEnoughLicensesError (5) 9709
    │   ├── UnknownUserError (5)       9609
    │   ├── UserAlreadyExistsError (5) 9716: a registered user with that clientUserId exists
    │   ├── AssetNotRevocableError (5) 9706
    │   ├── AssetNotDeviceAssignableError (5)  9707
    │   ├── EventNotFoundError (5)     9708: Apple does not know the eventId
    │   ├── PageOutOfRangeError (5)    9650: a page index past the last page
    │   ├── PermissionDeniedError (5)  9637, 9647: the token may not do this
    │   ├── ServiceMovedError (5)      9634, 9617: the endpoint moved (service/config is re-read)
    │   ├── InvalidRequestError (5)    a request Apple refused as malformed (9600, 9602, 9710-9728 ...)
    │   └── AppleUnavailableError (6)  network failure, timeouts, 5xx/429 after bounded retries
    │       └── WriteOutcomeUnknownError (6)  a write may have reached Apple; reconcile before retrying
    ├── AllocationError (7)       no seat, not eligible, not enrolled: a license could not be given
    ├── CheckFailedError (8)      a --fail-on threshold or `tokens check` found a problem
    └── LockTimeoutError (9)      another abctl run holds the database lock

This module imports only the standard library. Messages never contain an sToken.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; part of the command contract (design.md section 4)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CONFIG = 3
    NOT_FOUND = 4
    APPLE = 5
    NETWORK = 6
    REFUSED = 7
    CHECK_FAILED = 8
    LOCKED = 9
    INTERRUPTED = 130


class AbctlError(Exception):
    """Base of every error abctl reports to a user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(AbctlError):
    """A value, file or row given by the user is not acceptable."""

    exit_code = ExitCode.USAGE


class ConfigError(AbctlError):
    """The configuration or local state does not allow the change."""

    exit_code = ExitCode.CONFIG


class TokenError(ConfigError):
    """An sToken is missing, malformed, expired, revoked or claimed by another MDM.

    `action` is what to do in words (design.md R18, e.g. "Upload a valid Apps and Books sToken"); where the account
    is known, `for_account` turns it into a hint with the real next command, the account's name filled in.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: str = "invalid",
        error_number: int | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.error_number = error_number
        self.action = action

    def for_account(self, name: str, *, command: str | None = None) -> TokenError:
        """This error with `action, then run: COMMAND` as its hint; the command is by default the rotation of the
        account's token. An error without an action (a file that is no token at all) keeps its hint."""
        if self.action is None:
            return self
        command = command or rotate_command(name)
        error = TokenError(self.message, hint=f"{self.action}, then run: {command}", status=self.status,
                           error_number=self.error_number, action=self.action)  # fmt: skip
        error.__cause__ = self.__cause__
        return error


def rotate_command(account: str) -> str:
    """The command that gives an account a new token (the file name is the admin's to choose)."""
    return f"abctl tokens update {account} --file NEW.vpptoken"


# When the account is not known where a token error is raised: the command that names it, and what to run.
FIND_ACCOUNT = "`abctl tokens check` names the account and the command to run"


class NotFoundError(AbctlError):
    """A named object does not exist."""

    exit_code = ExitCode.NOT_FOUND


class AppleAPIError(AbctlError):
    """Apple answered a request with an error."""

    exit_code = ExitCode.APPLE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status_code: int | None = None,
        error_number: int | None = None,
        error_message: str | None = None,
        client_user_ids: tuple[str, ...] = (),
        serial_numbers: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.error_number = error_number
        self.error_message = error_message
        # The targets Apple's `errorInfo` names (a synchronous 9609 lists the unknown clientUserIds).
        self.client_user_ids = client_user_ids
        self.serial_numbers = serial_numbers


class AppleUnavailableError(AppleAPIError):
    """Apple could not be reached or kept failing after bounded retries."""

    exit_code = ExitCode.NETWORK


class AllocationError(AbctlError):
    """A license could not be given: no seat, not eligible, not enrolled."""

    exit_code = ExitCode.REFUSED


class CheckFailedError(AbctlError):
    """A check asked for by the user (`--fail-on`, `tokens check`) found a problem."""

    exit_code = ExitCode.CHECK_FAILED


class LockTimeoutError(AbctlError):
    """Another abctl run kept the database lock for longer than `--lock-timeout`."""

    exit_code = ExitCode.LOCKED


class StaleVersionError(AppleAPIError):
    """9721: Apple no longer knows the versionId a delta read started from; do a full read."""


class VersionChangedError(AppleAPIError):
    """The collection changed while its pages were read, even after one restart."""


class LimitExceededError(AppleAPIError):
    """A request broke one of Apple's size limits (9700-9705, 9714)."""


class NotEnoughLicensesError(AppleAPIError):
    """9709: not enough licenses available for the association."""


class UnknownUserError(AppleAPIError):
    """9609: the registered user was not found."""


class WriteOutcomeUnknownError(AppleUnavailableError):
    """A write was sent but no answer came back; it may or may not have been queued by Apple."""


class UserAlreadyExistsError(AppleAPIError):
    """9716: a registered user with that clientUserId already exists."""


class AssetNotRevocableError(AppleAPIError):
    """9706: the asset's licenses cannot be taken back (typically books)."""


class AssetNotDeviceAssignableError(AppleAPIError):
    """9707: the asset cannot be assigned to a device (books, some apps)."""


class EventNotFoundError(AppleAPIError):
    """9708: Apple does not know this eventId (never existed, or no longer kept)."""


class PageOutOfRangeError(AppleAPIError):
    """9650: a page index past the last page (the collection shrank during a read)."""


class PermissionDeniedError(AppleAPIError):
    """9637, 9647: the token may read but not do this (facilitator or legacy token)."""


class ServiceMovedError(AppleAPIError):
    """9634, 9617: the endpoint is no longer served at this URL."""


class InvalidRequestError(AppleAPIError):
    """Apple refused a request as malformed (9600, 9602, 9710-9713, 9715, 9717-9720, 9723-9728 ...)."""
