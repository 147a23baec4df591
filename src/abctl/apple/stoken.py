"""sToken files (`.vpptoken`): base64 of JSON {token, expDate, orgName}. The whole stripped base64 text is the
bearer credential. Errors name the problem, never the content.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from abctl.errors import InputError, TokenError
from abctl.failure_words import in_words
from abctl.models.apple import SToken

_HINT = "download the token again in Apple School Manager or Apple Business (Payments and Billing > Apps and Books)"


def parse_stoken(text: str, *, now: datetime | None) -> SToken:
    """Parse a token file's text. With `now`, an expired token is refused (None: a stored token, checked by Apple).

    Raises:
        TokenError: not base64, not JSON, fields missing, or already expired.
    """
    secret = "".join(text.split())
    if not secret:
        raise TokenError("the sToken file is empty", hint=_HINT)
    try:
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise TokenError("the sToken file is not base64 text", hint=_HINT) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TokenError("the sToken file does not decode to JSON", hint=_HINT) from None
    if not isinstance(data, dict):
        raise TokenError("the sToken file does not hold a JSON object", hint=_HINT)
    missing = [key for key in ("token", "expDate", "orgName") if not isinstance(data.get(key), str) or not data[key]]
    if missing:
        raise TokenError(f"the sToken file lacks {', '.join(missing)}", hint=_HINT)
    try:
        expires_at = datetime.strptime(data["expDate"], "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        raise TokenError("the sToken expiry date is not in Apple's format", hint=_HINT) from None
    if now is not None and expires_at <= now:
        raise TokenError(
            f"the sToken for `{data['orgName']}` expired on {expires_at:%Y-%m-%d}",
            hint="generate a new token online using your organization's account, then add it again",
            status="expired",
        )
    return SToken(secret=secret, org_name=data["orgName"], expires_at=expires_at)


def read_stoken_text(path: str, stdin: TextIO) -> str:
    """Read a token from a file path, or from standard input when the path is `-`.

    Raises:
        InputError: the file cannot be read.
    """
    if path == "-":
        return stdin.read()
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the token file `{path}`: {in_words(error)}",
            hint="pass the path of a .vpptoken file, or - to read it from standard input",
        ) from None


def read_stoken_file(path_or_dash: str, stdin: TextIO, *, now: datetime | None = None) -> SToken:
    """Read and parse a `.vpptoken` from a path, or from standard input when the path is `-`.

    An expired token is refused as of `now` (default: the current time).

    Raises:
        InputError: the file cannot be read. TokenError: its content is not a usable sToken.
    """
    return parse_stoken(read_stoken_text(path_or_dash, stdin), now=now or datetime.now(UTC))
