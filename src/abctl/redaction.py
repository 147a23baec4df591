"""Making errors safe to show: text shaped like a token file (base64 of JSON with a `token` key), as when one is
pasted where a name or a path belongs, is replaced before an error reaches the terminal or a traceback, and
control characters a user typed are escaped so an error stays one line and cannot drive the terminal.
"""

from __future__ import annotations

import base64
import binascii
import re

from abctl.errors import AbctlError

HIDDEN = "<sToken hidden>"
# Long base64 runs only: names, serials, adamIds and paths never reach this length without a separator.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")


def _is_token_text(run: str) -> bool:
    whole = run[: len(run) - len(run) % 4]
    try:
        decoded = base64.b64decode(whole, validate=True)
    except (binascii.Error, ValueError):
        return False
    # A whole token file, or a piece of one: its JSON starts with `{"token"` or names the key inside.
    return b'"token"' in decoded or b'"expDate"' in decoded


def redact(text: str) -> str:
    """The text with every sToken-shaped run replaced by a placeholder."""
    return _BASE64_RUN.sub(lambda match: HIDDEN if _is_token_text(match.group(0)) else match.group(0), text)


def printable(text: str, *, keep: str = "") -> str:
    """The text with control and other unprintable characters (but those in `keep`) written as escapes."""
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode() for c in text)


def scrub(error: AbctlError) -> AbctlError:
    """Make an error safe to show, in place: tokens hidden, the message one printable line (a hint may list
    several lines). Returns the error."""
    error.message = printable(redact(error.message))
    error.hint = printable(redact(error.hint), keep="\n") if error.hint else error.hint
    error.args = tuple(printable(redact(arg)) if isinstance(arg, str) else arg for arg in error.args)
    return error
