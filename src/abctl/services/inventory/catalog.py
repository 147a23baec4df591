"""The app catalog of a space: the apps and books its accounts own, with names and platforms from Apple's
content lookup (cached in app_metadata; the adamId stands in when the lookup cannot be reached), which of them
are in the catalog, adding one, and removing one, which revokes all its licenses in the space (R11, R12).

APP arguments become adamIds through abctl.services.names.apps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from abctl.domain.delegation import DEFAULT_SPACE, source_label
from abctl.domain.platform_behaviour import LicenseAction
from abctl.errors import AbctlError, NotFoundError
from abctl.services.names.apps import resolve_app
from abctl.services.names.spaces import resolve_space

if TYPE_CHECKING:
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime


@dataclass(frozen=True)
class AppRow:
    """One app or book of a space: who owns it, seats, and whether (and how) it is in the catalog."""

    space: str
    adam_id: str
    name: str
    product_type: str
    platforms: tuple[str, ...]
    accounts: tuple[str, ...]
    total: int
    available: int
    in_catalog: bool
    install_on_device: bool
    auto_update: bool
    source: str = "own"  # own account, delegated from the default space, both, or none (R21)
    delegated_to: tuple[str, ...] = ()  # in the default space: the custom spaces it is delegated to

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AddedApp:
    app: AppRow
    added: bool
    changed: bool


@dataclass(frozen=True)
class AppRemoval:
    """`apps remove`: the app and the revocation of all its licenses in the space; the spaces it is un-delegated
    from (all of them when it leaves the default space, R21), and how many licenses go back in each space."""

    app: AppRow
    plan: RevocationPlan
    undelegated: tuple[str, ...] = ()
    per_space: tuple[tuple[str, int], ...] = ()


def fetch_names(rt: Runtime, space: str, adam_ids: Sequence[str]) -> None:
    """Look up and cache names of apps abctl has none for, through the space's first account (best effort)."""
    store = rt.store
    missing = store.adam_ids_without_metadata(adam_ids)
    accounts = store.list_accounts(space)
    if not missing or not accounts:
        return
    account = accounts[0]
    try:
        found = rt.client(account).app_metadata(missing, platform=account.default_platform, country=account.country)
    except AbctlError:
        return  # names are optional: the adamId stands in
    if found:
        store.store_app_details(found, now=rt.now())


def list_apps(rt: Runtime, *, space: str | None = None, lookup: bool = True) -> list[AppRow]:
    """Apps and books the space's accounts own, apps delegated to it (R21), and catalog entries nobody owns, by
    name; delegated apps count the default space's accounts and seats that serve them."""
    store = rt.store
    space_name = resolve_space(store, space)
    owned = store.owned_assets(space_name)
    catalog = {entry.adam_id: entry for entry in store.catalog_entries(space_name)}
    delegations = store.delegations(space=None if space_name == DEFAULT_SPACE else space_name)
    lent_to: dict[str, list[str]] = {}
    for delegation in delegations:
        lent_to.setdefault(delegation.adam_id, []).append(delegation.space)
    lent = [a for a in store.owned_assets(DEFAULT_SPACE) if a.adam_id in lent_to] if space_name != DEFAULT_SPACE else []
    adam_ids = sorted({a.adam_id for a in owned} | set(catalog) | {a.adam_id for a in lent})
    if lookup:
        fetch_names(rt, space_name, adam_ids)
    metadata = store.app_metadata(adam_ids)
    rows = []
    for adam_id in adam_ids:
        own = [a for a in owned if a.adam_id == adam_id]
        assets = own + [a for a in lent if a.adam_id == adam_id]
        meta = metadata.get(adam_id)
        platforms = (
            meta.platforms if meta and meta.platforms else tuple(dict.fromkeys(p for a in assets for p in a.platforms))
        )
        entry = catalog.get(adam_id)
        kind = assets[0].product_type if assets else ("Book" if meta and meta.kind == "ebook" else "App")
        delegated = space_name != DEFAULT_SPACE and adam_id in lent_to
        rows.append(AppRow(
            space_name, adam_id, meta.name if meta else adam_id, kind, platforms,
            tuple(dict.fromkeys(a.account for a in assets)), sum(a.total for a in assets),
            sum(a.available for a in assets), entry is not None, bool(entry and entry.install_on_device),
            bool(entry and entry.auto_update), source_label(bool(own), delegated),
            tuple(lent_to.get(adam_id, ())) if space_name == DEFAULT_SPACE else (),
        ))  # fmt: skip
    rows.sort(key=lambda row: (row.name.casefold(), row.adam_id))
    return rows


def app_row(rt: Runtime, space: str, adam_id: str) -> AppRow:
    for row in list_apps(rt, space=space, lookup=False):
        if row.adam_id == adam_id:
            return row
    raise NotFoundError(f"app {adam_id} is neither owned in space `{space}` nor in its catalog")


def add_app(
    rt: Runtime, app: str, *, space: str | None = None, install_on_device: bool = False, auto_update: bool = False,
) -> AddedApp:  # fmt: skip
    """Put an app in the space's catalog (or change its options). Raises: NotFoundError for an unknown name."""
    store = rt.store
    space_name = resolve_space(store, space)
    adam_id = resolve_app(store, app, space_name, known_only=False)  # an app to buy may enter the catalog first
    fetch_names(rt, space_name, [adam_id])
    before = store.get_catalog_entry(space_name, adam_id)
    changed = before is not None and (before.install_on_device, before.auto_update) != (install_on_device, auto_update)
    if before is None or changed:
        store.upsert_catalog_entry(space_name, adam_id, install_on_device=install_on_device, auto_update=auto_update,
                                   now=rt.now())  # fmt: skip
    return AddedApp(app_row(rt, space_name, adam_id), before is None, changed)


def plan_app_removal(rt: Runtime, app: str, *, space: str | None = None) -> AppRemoval:
    """Every live license of the app in the space's accounts, to disassociate; and the devices it leaves.

    Raises: NotFoundError when the app is not in the space's catalog.
    """
    from abctl.services.revocation.plan import plan_for_licenses

    store = rt.store
    space_name = resolve_space(store, space)
    adam_id = resolve_app(store, app, space_name)
    if store.get_catalog_entry(space_name, adam_id) is None:
        raise NotFoundError(
            f"app {adam_id} is not in the catalog of space `{space_name}`",
            hint=f"to take back its licenses anyway, run: abctl revoke {adam_id} --all",
        )
    licenses = store.find_licenses(space=space_name, adam_id=adam_id)  # from default: the delegated ones too
    if space_name == DEFAULT_SPACE:
        undelegated = tuple(d.space for d in store.delegations(adam_id=adam_id))
    else:
        undelegated = (space_name,) if store.is_delegated(space_name, adam_id) else ()
        licenses += store.delegated_licenses(space_name, adam_id=adam_id) if undelegated else []
    installed = [d for s in dict.fromkeys((space_name, *undelegated))
                 for d in store.devices_with_app_installed(adam_id, s) if d.state == "active"]  # fmt: skip
    plan = plan_for_licenses(store, licenses, reason="app removed from the catalog", now=rt.now(),
                             installed_on=installed, action=LicenseAction.DELETE_APP)  # fmt: skip
    where = store.target_spaces((str(item.target_kind), item.target_id) for item in licenses)
    counts: dict[str, int] = {}
    for item in licenses:
        key = where.get((str(item.target_kind), item.target_id), "unknown target")
        counts[key] = counts.get(key, 0) + 1
    per_space = tuple((s, counts.pop(s, 0)) for s in dict.fromkeys((space_name, *undelegated))) + tuple(
        sorted(counts.items())
    )
    return AppRemoval(app_row(rt, space_name, adam_id), plan, undelegated, per_space)


def remove_app(
    rt: Runtime, removal: AppRemoval, *, on_progress: Callable[[int, int], None] | None = None
) -> RevocationResult:
    """Revoke the app's licenses (assets/disassociate), then take it out of the catalog; it stays in the catalog
    when a license could not be revoked, so running the command again retries."""
    from abctl.services.revocation.execute import execute_revocation

    store, adam_id = rt.store, removal.app.adam_id
    result = execute_revocation(rt, removal.plan, on_progress=on_progress)
    if not result.failed_targets():
        with store.transaction():
            store.delete_catalog_entry(removal.app.space, adam_id)
            for space in removal.undelegated:  # R21: un-delegated first; the lender's catalog entry goes with it
                store.delete_delegation(space, adam_id)
                if space != removal.app.space and not store.owned_assets(space, adam_id):
                    store.delete_catalog_entry(space, adam_id)
    return result
