"""Sync: bring local assets, licenses and Apple users in step with Apple (R15).

Incremental by default: assets are re-read (they have no delta), assignments and users are read with
`sinceVersionId`; 9721 falls back to a full read. Apple's deltas show no removals, so an asset whose
assignedCount disagrees with the live local licenses has its assignments re-read and reconciled (self-healing).
Accounts sync in parallel threads; each account's database writes are serialized by one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from abctl import interrupt
from abctl.domain.healing import HealPlan, heal_plan
from abctl.errors import AbctlError, StaleVersionError, TokenError
from abctl.models.accounts import Account, AccountStatus
from abctl.models.apple import Asset
from abctl.timeutil import to_iso

METADATA_MAX_AGE = timedelta(days=1)  # names, versions and prices from the content lookup are refreshed daily

if TYPE_CHECKING:
    from abctl.services.drift.find import AccountTally
    from abctl.services.runtime import Runtime
    from abctl.store.sync_state import Drift

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AccountSync:
    """What one account's sync did."""

    account: str
    full: bool
    assets: int = 0
    assignments_read: int = 0
    users_read: int = 0
    found: int = 0
    confirmed: int = 0
    missing: int = 0
    healed: tuple[str, ...] = ()
    error: AbctlError | None = field(default=None, compare=False)
    # ("found" | "missing", (adam_id, pricing_param, target_kind, target_id)): what this read found on Apple only
    # and what it found gone from Apple, so a resync can name them (R22)
    drifted: tuple[tuple[str, tuple[str, str, str, str]], ...] = field(default=(), compare=False)
    # What its drift notification needs of it alone, taken once it was stored.
    tally: AccountTally | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def sync_accounts(
    rt: Runtime,
    accounts: Sequence[Account],
    *,
    full: bool = False,
    on_progress: ProgressCallback | None = None,
    name_drift: bool = False,
) -> list[AccountSync]:
    """Settle the accounts' open ledger rows, then sync every account given, in parallel; an account that fails
    does not stop the others. `name_drift`: each result names the licenses its read found on Apple only or gone
    from Apple (`drifted`; a resync lists them); otherwise they are only counted."""
    from abctl.services.ledger.recovery import settle_open_writes

    lock = threading.Lock()
    for account in accounts:
        rt.client(account)  # build clients on this thread: reading secrets touches the database
    # Before the reads: a full read would otherwise call an interrupted write's licenses revoked, not failed.
    settle_open_writes(rt, account_ids=[account.id for account in accounts], wait=False)
    from abctl.services.runtime import cyclic_gc_paused

    # A full read builds ~100,000 small acyclic objects per account; the collector's passes over them would stall
    # every page thread (the rate budget is paced by answers, so a pause is lost time).
    with cyclic_gc_paused(), ThreadPoolExecutor(max_workers=max(1, min(len(accounts), 8))) as pool:
        run = _Run(rt, full, lock, on_progress, name_drift)
        futures = [pool.submit(_sync_one, run, account) for account in accounts]
        try:
            results = [future.result() for future in futures]
        except KeyboardInterrupt:
            interrupt.request()  # the account threads stop at their next page or wait
            wait(futures)
            raise interrupt.Interrupted(interrupted_summary(accounts, futures, full)) from None
    from abctl.services.drift.notify import evaluate_drift
    from abctl.services.reporting.notifications import evaluate_usage

    synced = {account.id: result for account, result in zip(accounts, results, strict=True) if result.ok}
    try:
        evaluate_usage(rt, [account.id for account in accounts])
        # R22: the accounts that synced raise (or clear) their drift notification from what was just stored.
        tallies = {key: result.tally for key, result in synced.items() if result.tally is not None}
        evaluate_drift(rt, [key for key in synced if key in tallies], tallies=tallies)
    except KeyboardInterrupt:
        raise interrupt.Interrupted(interrupted_summary(accounts, futures, full)) from None
    return results


def interrupted_summary(accounts: Sequence[Account], futures: Sequence[Future[AccountSync]], full: bool) -> str:
    """One line for Ctrl-C during a sync: which accounts were synced, which not, and the command that finishes."""
    synced = [
        a.name for a, f in zip(accounts, futures, strict=True) if f.done() and not f.cancelled()
        and f.exception() is None and f.result().ok
    ]  # fmt: skip
    rest = [a.name for a in accounts if a.name not in synced]
    finish = "abctl sync " + ("--full " if full else "") + " ".join(rest)
    if not rest:
        return f"Interrupted: {_names(synced)} synced, usage notifications not updated; run abctl sync"
    if not synced:
        return f"Interrupted: {_names(rest)} not synced; run {finish}"
    return f"Interrupted: {_names(synced)} synced, {_names(rest)} not; run {finish}"


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


@dataclass(frozen=True)
class _Run:
    """What the account threads of one sync share: the database writes of all of them hold `lock`."""

    rt: Runtime
    full: bool
    lock: threading.Lock
    on_progress: ProgressCallback | None
    name_drift: bool


def _sync_one(run: _Run, account: Account) -> AccountSync:
    try:
        return _read_and_apply(run, account)
    except TokenError as error:
        with run.lock:
            from abctl.services.reporting.notifications import record_token_problem

            record_token_problem(run.rt, account, error)
        return AccountSync(account.name, run.full, error=error.for_account(account.name))
    except AbctlError as error:
        return AccountSync(account.name, run.full, error=error)


def _read_and_apply(run: _Run, account: Account) -> AccountSync:
    rt, lock, on_progress, name_drift = run.rt, run.lock, run.on_progress, run.name_drift
    client = rt.client(account)
    store = rt.store
    full = run.full or account.assignments_version_id is None or account.users_version_id is None

    def progress(done: int, total: int) -> None:
        if on_progress:
            on_progress(account.name, done, total)

    now = rt.now()
    # Assets and users are read beside the assignments (the client keeps at most five pages of a token in
    # flight): on a slow link each listing read one after the other would cost its own round trips. A full read
    # loads the licenses it compares pages with beside them too, while the first answers are on their way.
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="abctl-listing") as side:
        assets_read = side.submit(client.list_assets)
        try:
            if full:
                raise StaleVersionError("no stored versionId")
            users_read = side.submit(client.list_users, since_version_id=account.users_version_id)
            # Each page of assignments is stored as it lands, while the next pages are still on their way.
            ingest = store.assignment_ingest(account.id, complete=False, now=now, lock=lock, name_found=name_drift)
            assignments = client.list_assignments(
                since_version_id=account.assignments_version_id, on_page=progress, sink=ingest
            )
            users = users_read.result()
        except StaleVersionError:
            full = True
            users_read = side.submit(client.list_users)
            ingest = store.assignment_ingest(account.id, complete=True, now=now, lock=lock, name_found=name_drift)
            prepared = side.submit(ingest.prepare)
            assignments = client.list_assignments(on_page=progress, sink=ingest)
            prepared.result()  # done by now (the first page waited for it): any error it met is raised
            users = users_read.result()
        assets = assets_read.result()
    drift = ingest.finish()
    with lock:
        store.replace_assets(account.id, assets.items, now=now)
        store.upsert_apple_users(account.id, users.items, now=now, replace=full)
        local = store.live_counts_by_asset(account.id) if not full else {}  # a full read has nothing to heal
    with lock:
        stale = store.adam_ids_to_look_up([a.adam_id for a in assets.items], fetched_before=now - METADATA_MAX_AGE)
    if stale:
        # Best effort: a lookup that fails leaves the cache as it was (and the sync goes on).
        found = client.app_metadata(stale, platform=account.default_platform, country=account.country)
        if found:
            with lock:
                store.store_app_details(found, now=now)
    healed: tuple[str, ...] = ()
    plan = heal_plan(assets.items, local) if not full else HealPlan()
    if plan.full:
        # Removals spread over more apps than a full read has pages: one full read heals them all.
        ingest = store.assignment_ingest(account.id, complete=True, now=now, lock=lock, name_found=name_drift)
        assignments = client.list_assignments(on_page=progress, sink=ingest)
        drift = drift + ingest.finish()
        healed = plan.adam_ids
    elif plan.adam_ids:
        drift = drift + _reread_apps(rt, account, assets.items, plan.adam_ids, lock)
        healed = plan.adam_ids
    with lock:
        fields: dict[str, object] = {
            "assets_version_id": assets.version_id,
            "assignments_version_id": assignments.version_id,
            "users_version_id": users.version_id,
            "last_sync_at": to_iso(now),
        }
        if full or plan.full:
            fields["last_full_sync_at"] = to_iso(now)
        store.update_account(account.id, **fields)
        from abctl.services.reporting.notifications import set_account_status

        current = store.get_account_by_id(account.id)
        if current.status not in (AccountStatus.CLAIMED,):
            set_account_status(rt, current, AccountStatus.OK)
    from abctl.services.drift.find import account_tally

    with lock:  # while the other accounts are still being read: it depends on this account and the inventory only
        tally = account_tally(store, account.id)
    return _result(account.name, full, len(assets.items), assignments.count, len(users.items), drift, healed,
                   tally)  # fmt: skip


def _reread_apps(
    rt: Runtime, account: Account, assets: Sequence[Asset], adam_ids: Sequence[str], lock: threading.Lock
) -> Drift:
    """Read the assignments of each app again (a few at a time: the client caps the pages in flight) and
    reconcile each of its assets with what Apple lists."""
    from abctl.store.sync_state import Drift

    client, now = rt.client(account), rt.now()
    drift = Drift()
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="abctl-heal") as pool:  # Apple's pages in flight
        listings = pool.map(lambda adam_id: client.list_assignments(adam_id=adam_id), adam_ids)
        for adam_id, listing in zip(adam_ids, listings, strict=True):
            for asset in (a for a in assets if a.adam_id == adam_id):
                with lock:
                    drift = drift + rt.store.apply_assignments(
                        account.id, [a for a in listing.items if a.pricing_param == asset.pricing_param],
                        complete=True, now=now, adam_id=asset.adam_id,
                    )  # fmt: skip
    return drift


def _result(
    name: str,
    full: bool,
    assets: int,
    read: int,
    users: int,
    drift: Drift,
    healed: tuple[str, ...],
    tally: AccountTally,
) -> AccountSync:
    drifted = tuple(("found", key) for key in drift.found_keys) + tuple(("missing", key) for key in drift.missing_keys)
    return AccountSync(name, full, assets, read, users, drift.found, drift.confirmed, drift.missing, healed,
                       drifted=drifted, tally=tally)  # fmt: skip
