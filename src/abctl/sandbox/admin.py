"""Admin endpoints under /sandbox/ (no auth; loopback only): statistics, faults, and changes made outside abctl."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from abctl.errors import AbctlError
from abctl.sandbox.faults import FaultSpec

if TYPE_CHECKING:
    from abctl.sandbox.state import SandboxState


def handle(
    state: SandboxState, method: str, path: str, raw: bytes, *, set_faults: Callable[[FaultSpec], None]
) -> tuple[int, dict[str, Any]]:
    """One admin request against `state`; `set_faults` installs a new fault spec in the serving app."""
    try:
        body = json.loads(raw or b"{}")
        if method == "GET" and path == "stats":
            return 200, state.stats()
        if method != "POST":
            return 405, {"error": "use POST"}
        if path == "reset-stats":
            state.reset_stats()
        elif path == "faults":
            set_faults(FaultSpec.parse(body.get("spec", "")))
        elif path == "assign":
            state.external_assign(body["location"], body["adamId"], body["kind"], body["target"])
        elif path == "unassign":
            state.external_unassign(body["location"], body["adamId"], body["kind"], body["target"])
        elif path == "associate-user":
            state.associate_user(body["location"], body["clientUserId"])
        elif path == "set-total":
            state.set_total(body["location"], body["adamId"], int(body["total"]))
        elif path == "revoke-token":
            state.revoke_token(body["location"])
        elif path == "claim":
            state.claim(body["location"], body.get("id", "another-mdm"), body.get("name", "Other MDM"))
        else:
            return 404, {"error": f"unknown admin endpoint {path}"}
    except (KeyError, ValueError, TypeError) as error:
        return 400, {"error": f"{error.__class__.__name__}: {error}"}
    except AbctlError as error:
        return 400, {"error": error.message}
    return 200, {"ok": True}
