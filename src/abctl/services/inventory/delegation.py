"""Delegating apps to custom spaces and taking them back (R21); the rules are in domain/delegation.py.

Delegating records the delegation and puts the app in the space's catalog (with its install and update options):
from then on planning offers the default space's accounts after the space's own (services/licensing/plan.py).
Un-delegating revokes the licenses that came through the delegation, through the shared revocation service with
the guide's "Un-Delegate" behaviour, then drops the delegation and, unless the space's own accounts own the app,
its catalog entry. When a license cannot be revoked, the delegation stays, so running the command again retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl.domain.delegation import DEFAULT_SPACE, HeldLicense, check_delegation_space, to_undelegate
from abctl.domain.platform_behaviour import LicenseAction
from abctl.errors import InputError, NotFoundError
from abctl.services.inventory.catalog import AppRow, app_row, fetch_names
from abctl.services.names.apps import resolve_app
from abctl.services.names.spaces import resolve_space

if TYPE_CHECKING:
    from abctl.models.licenses import License
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store


@dataclass(frozen=True)
class Delegated:
    """`apps delegate`: the app as the space now lists it, and what changed."""

    app: AppRow
    added: bool  # a new delegation
    changed: bool  # the space's catalog options changed


@dataclass(frozen=True)
class Undelegation:
    """`apps undelegate`: the revocation of what came through the delegation, and what stays."""

    app: AppRow
    space: str
    plan: RevocationPlan
    kept: int  # live licenses of the app from the space's own accounts: they stay
    keeps_catalog: bool  # the space's own accounts own the app, so it stays in the space's catalog


def delegate_app(
    rt: Runtime, app: str, *, to: str, install_on_device: bool = False, auto_update: bool = False
) -> Delegated:
    """Delegate an app of the default space's accounts to a custom space and put it in that space's catalog.

    Raises: NotFoundError (unknown space or app, or no default-space account owns it); InputError (`default`).
    """
    store = rt.store
    space = _custom_space(store, to, "--to")
    adam_id = resolve_app(store, app, DEFAULT_SPACE)
    if not store.owned_assets(DEFAULT_SPACE, adam_id):
        raise NotFoundError(
            f"no account of the default space owns app {adam_id}",
            hint="only apps the default space's accounts own can be delegated; list them with: abctl apps list",
        )
    fetch_names(rt, DEFAULT_SPACE, [adam_id])
    before = store.get_catalog_entry(space, adam_id)
    changed = before is not None and (before.install_on_device, before.auto_update) != (install_on_device, auto_update)
    with store.transaction():
        added = store.add_delegation(space, adam_id, now=rt.now())
        if before is None or changed:
            store.upsert_catalog_entry(space, adam_id, install_on_device=install_on_device, auto_update=auto_update,
                                       now=rt.now())  # fmt: skip
        if added:
            _log(rt, "delegate", "delegated", space, adam_id, f"delegated from `default` to `{space}`")
    return Delegated(app_row(rt, space, adam_id), added, changed)


def plan_undelegation(rt: Runtime, app: str, *, from_: str) -> Undelegation:
    """Every license of the app that came through its delegation to the space, to disassociate with the guide's
    "Un-Delegate" behaviour; the space's own accounts' licenses stay.

    Raises: NotFoundError (unknown space or app, or the app is not delegated there); InputError (`default`).
    """
    from abctl.services.revocation.plan import plan_for_licenses

    store = rt.store
    space = _custom_space(store, from_, "--from")
    adam_id = resolve_app(store, app, space)
    if not store.is_delegated(space, adam_id):
        raise NotFoundError(
            f"app {adam_id} is not delegated to space `{space}`",
            hint=f"see where the space's apps come from: abctl apps list --space {space}",
        )
    chosen = _through_delegation(store, space, adam_id)
    plan = plan_for_licenses(store, chosen, reason=f"app un-delegated from space `{space}`", now=rt.now(),
                             action=LicenseAction.UNDELEGATE)  # fmt: skip
    kept = len(store.find_licenses(space=space, adam_id=adam_id))
    return Undelegation(app_row(rt, space, adam_id), space, plan, kept, bool(store.owned_assets(space, adam_id)))


def _through_delegation(store: Store, space: str, adam_id: str) -> list[License]:
    """The default space's live licenses of the app that the domain says came through the delegation."""
    candidates = store.find_licenses(space=DEFAULT_SPACE, adam_id=adam_id)
    where = store.target_spaces((str(item.target_kind), item.target_id) for item in candidates)
    held = [
        HeldLicense(item.id, item.adam_id, DEFAULT_SPACE, item.target_kind, item.target_id, where.get(key))
        for item in candidates
        for key in [(str(item.target_kind), item.target_id)]
    ]
    ids = {item.license_id for item in to_undelegate(held, space, adam_id)}
    return [item for item in candidates if item.id in ids]


def undelegate_app(
    rt: Runtime, undelegation: Undelegation, *, on_progress: Callable[[int, int], None] | None = None
) -> RevocationResult:
    """Revoke what came through the delegation; when all of it went back, drop the delegation (and the catalog
    entry, unless the space's own accounts own the app)."""
    from abctl.services.revocation.execute import execute_revocation

    store, space, adam_id = rt.store, undelegation.space, undelegation.app.adam_id
    result = execute_revocation(rt, undelegation.plan, on_progress=on_progress)
    if not result.failed_targets():
        with store.transaction():
            store.delete_delegation(space, adam_id)
            if not undelegation.keeps_catalog:
                store.delete_catalog_entry(space, adam_id)
            _log(rt, "undelegate", "undelegated", space, adam_id, f"un-delegated from `{space}`")
    return result


def _custom_space(store: Store, name: str, option: str) -> str:
    """Raises: NotFoundError for an unknown space; InputError for `default`."""
    space = resolve_space(store, name)
    try:
        return check_delegation_space(space)
    except InputError as error:
        hint = f"name a custom space with {option} (list them: abctl spaces list)"
        raise InputError(error.message, hint=hint) from None


def _log(rt: Runtime, action: str, result: str, space: str, adam_id: str, detail: str) -> None:
    from abctl.store.activity import NewActivity

    entry = NewActivity(action=action, result=result, space=space, adam_id=adam_id, detail=detail)
    rt.store.log_activity([entry], actor=rt.actor, now=rt.now())
