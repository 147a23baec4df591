"""Keeping sTokens out of what abctl shows: text shaped like a token file (base64 of JSON with a `token` key), as
when one is pasted where a name or a path belongs, is replaced before an error reaches the terminal or a traceback.
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


def scrub(error: AbctlError) -> AbctlError:
    """Redact an error's message, hint and args in place (they may echo a pasted token); returns it."""
    error.message = redact(error.message)
    error.hint = redact(error.hint) if error.hint else error.hint
    error.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in error.args)
    return error
