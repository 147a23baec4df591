"""Admin endpoints under /sandbox/ (no auth; loopback only): statistics, faults, page sizes, and changes made
outside abctl (docs/sandbox.md lists them with their bodies)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from abctl.errors import AbctlError
from abctl.sandbox import outside
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.state import SandboxAsset

if TYPE_CHECKING:
    from abctl.sandbox.state import SandboxState


def handle(
    state: SandboxState,
    method: str,
    path: str,
    raw: bytes,
    *,
    set_faults: Callable[[FaultSpec], None],
    deliveries: Callable[[], dict[str, Any]] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One admin request against `state`; `set_faults` installs a new fault spec in the serving app, and
    `deliveries` reports what became of its notifications (shown by GET stats)."""
    try:
        body = json.loads(raw or b"{}")
        if method == "GET" and path == "stats":
            return 200, state.stats() | ({"notifications": deliveries()} if deliveries is not None else {})
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
        elif path == "rotate-token":
            return 200, {"ok": True, "token": outside.rotate_token(state, body["location"])}
        elif path == "forget-user":
            outside.forget_user(state, body["location"], body["clientUserId"])
        elif path == "add-asset":
            outside.purchase(state, body["location"], _asset(body))
        elif path == "page-size":
            if body["endpoint"] not in state.page_sizes or int(body["size"]) < 1:
                raise ValueError(f"page-size needs one of {sorted(state.page_sizes)} and a size of at least 1")
            state.page_sizes[body["endpoint"]] = int(body["size"])
        else:
            return 404, {"error": f"unknown admin endpoint {path}"}
    except (KeyError, ValueError, TypeError) as error:
        return 400, {"error": f"{error.__class__.__name__}: {error}"}
    except AbctlError as error:
        return 400, {"error": error.message}
    return 200, {"ok": True}


def _asset(body: dict[str, Any]) -> SandboxAsset:
    kind = str(body.get("productType", "App"))
    return SandboxAsset(
        adam_id=str(body["adamId"]),
        pricing_param=str(body.get("pricingParam", "STDQ")),
        name=str(body.get("name") or body["adamId"]),
        product_type=kind,
        total=int(body.get("total", 0)),
        device_assignable=bool(body.get("deviceAssignable", kind == "App")),
        revocable=bool(body.get("revocable", kind == "App")),
        platforms=tuple(str(p) for p in body.get("platforms") or ("iOS",)),
        unlimited=bool(body.get("unlimited", False)),
    )
