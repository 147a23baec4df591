"""Sandbox sToken files: real `.vpptoken` text (base64 of JSON {token, expDate, orgName})."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime


def mint_token(token_id: str, *, org_name: str, expires_at: datetime) -> str:
    """The text of a `.vpptoken` file that the sandbox accepts for location `token_id`."""
    payload = {
        "token": token_id,
        "expDate": expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "orgName": org_name,
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def token_id_of(bearer: str) -> str | None:
    """The inner token id of a bearer credential, or None when it is not a token file's text."""
    try:
        data = json.loads(base64.b64decode(bearer, validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) else None


def org_of(bearer: str) -> str | None:
    try:
        org = json.loads(base64.b64decode(bearer, validate=True).decode()).get("orgName")
    except (binascii.Error, ValueError, UnicodeDecodeError, AttributeError):
        return None
    return org if isinstance(org, str) else None


def expiry_of(bearer: str) -> datetime | None:
    try:
        data = json.loads(base64.b64decode(bearer, validate=True).decode())
        return datetime.strptime(data["expDate"], "%Y-%m-%dT%H:%M:%S%z")
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
