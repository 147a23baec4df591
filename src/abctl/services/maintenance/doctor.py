"""`abctl doctor`: everything an admin worries about, one row each, and whether it needs attention.

The file checks (permissions, the writer lock) run before the database is opened, because opening it tightens a
wide mode and takes over nothing; the rest read the store: SQLite's quick_check, the schema version, ledger rows
still open, each token's state and expiry (from the last call to Apple, or probed now), notifications open at
alert, drift, and each account's last successful sync.
"""

from __future__ import annotations

import stat
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from abctl.models.accounts import AccountStatus
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.models.accounts import Account
    from abctl.services.runtime import Runtime
    from abctl.store import Store

OK = "ok"
ATTENTION = "attention"
STALE_SYNC = timedelta(hours=24)  # cron syncs every 30 minutes in the README; a day without one is a problem


@dataclass(frozen=True)
class Finding:
    """One thing the doctor looked at."""

    check: str
    subject: str
    status: str
    detail: str
    action: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def file_findings(db_path: Path) -> list[Finding]:
    """Permissions of the database, its folder and the files beside it; the writer lock. Read before opening."""
    from abctl.store.lock import pid_alive, read_lock

    found: list[Finding] = []
    folder = f"{db_path.parent.name}/"  # names, not paths: the title names the database's full path
    mode = _mode(db_path)
    if mode & 0o077:
        found.append(Finding("permissions", db_path.name, ATTENTION,
                             f"mode {mode:04o}: others may read the sTokens in it (abctl has now set it to 0600)",
                             "find what widened it (a copy by hand, a backup script) and fix that"))  # fmt: skip
    else:
        found.append(Finding("permissions", db_path.name, OK, f"mode {mode:04o}"))
    folder_mode = _mode(db_path.parent)
    if folder_mode & 0o022:
        found.append(Finding("permissions", folder, ATTENTION,
                             f"folder mode {folder_mode:04o}: others may replace the database",
                             f"chmod 700 {db_path.parent}"))  # fmt: skip
    else:
        found.append(Finding("permissions", folder, OK, f"folder mode {folder_mode:04o}"))
    for suffix in ("-wal", "-shm", ".lock", ".before-restore"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists() and _mode(side) & 0o077:
            found.append(Finding("permissions", side.name, ATTENTION, f"mode {_mode(side):04o}: readable by others",
                                 f"chmod 600 {side}"))  # fmt: skip
    lock = read_lock(db_path)
    if lock.held:
        alive = lock.pid is not None and pid_alive(lock.pid)
        holder = f"pid {lock.pid}" if lock.pid is not None else "a process"
        found.append(Finding("lock", "", OK, f"held by {holder}{' (running)' if alive else ''}: a run is writing"))
    elif lock.stale:
        found.append(Finding("lock", "", ATTENTION,
                             f"left by pid {lock.pid}, which is no longer running: that run was killed",
                             "abctl sync (takes the lock over and settles what the killed run left open)"))  # fmt: skip
    else:
        found.append(Finding("lock", "", OK, "free"))
    return found


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def store_findings(store: Store, now: datetime) -> list[Finding]:
    """Integrity, schema, ledger, alerts and drift."""
    found: list[Finding] = []
    problems = store.quick_check()
    if problems == ["ok"]:
        found.append(Finding("integrity", "", OK, "quick_check: ok"))
    else:
        found.append(Finding("integrity", "", ATTENTION, "quick_check: " + "; ".join(problems),
                             "restore your last backup: abctl restore BACKUP"))  # fmt: skip
    schema = store.schema
    found.append(Finding("schema", "", OK, f"version {schema.version} (this abctl writes {len(schema.known)})"))
    ledger = store.open_ledger()
    if ledger.count:
        found.append(Finding("ledger", ", ".join(ledger.accounts), ATTENTION,
                             f"{ledger.count} Apple write(s) not settled, the oldest from {ledger.oldest}",
                             "abctl events wait (or abctl sync, which settles them first)"))  # fmt: skip
    else:
        found.append(Finding("ledger", "", OK, "every Apple write is settled"))
    alerts = store.open_alerts()
    if alerts:
        shown = "; ".join(f"{account}: {message}" for account, message in alerts[:3])
        more = f" (and {len(alerts) - 3} more)" if len(alerts) > 3 else ""
        found.append(Finding("notifications", "", ATTENTION, f"{len(alerts)} open at alert: {shown}{more}",
                             "abctl notifications"))  # fmt: skip
    else:
        found.append(Finding("notifications", "", OK, "none open at alert"))
    found.append(_drift(store))
    return found


def _drift(store: Store) -> Finding:
    from abctl.services.drift.find import find_drift

    items = find_drift(store)
    if not items:
        return Finding("drift", "", OK, "Apple and abctl agree (as of the last sync)")
    groups: dict[str, int] = {}
    for item in items:
        groups[item.group] = groups.get(item.group, 0) + 1
    detail = ", ".join(f"{count} {group}" for group, count in sorted(groups.items()))
    return Finding("drift", "", ATTENTION, f"{len(items)} difference(s): {detail}", "abctl drift")


def account_findings(accounts: list[Account], now: datetime, *, expiring_within: int, probed: bool) -> list[Finding]:
    """Each token's state and expiry, and each account's last successful sync."""
    if not accounts:
        return [Finding("tokens", "", OK, "no accounts yet")]
    found: list[Finding] = []
    source = "probed now" if probed else "as of the last call to Apple"
    for account in accounts:
        days = (account.expires_at - now) / timedelta(days=1)
        expiry = f"expires {account.expires_at:%Y-%m-%d} ({int(days)} days)"
        status = AccountStatus(account.status) if account.status in set(AccountStatus) else AccountStatus.INVALID
        if status is AccountStatus.OK and days <= expiring_within:
            found.append(Finding("token", account.name, ATTENTION, f"expiring: {expiry}",
                                 _token_action(account.name, status)))  # fmt: skip
        elif status is AccountStatus.OK:
            found.append(Finding("token", account.name, OK, f"ok {source}; {expiry}"))
        else:
            found.append(Finding("token", account.name, ATTENTION, f"{status} {source}; {expiry}",
                                 _token_action(account.name, status)))  # fmt: skip
    for account in accounts:
        if account.last_sync_at is None:
            found.append(Finding("sync", account.name, ATTENTION, "never synced", f"abctl sync {account.name}"))
            continue
        ago = _ago(account.last_sync_at, now)
        detail = f"last successful sync {to_iso(account.last_sync_at)} ({ago})"
        if now - account.last_sync_at > STALE_SYNC:
            found.append(Finding("sync", account.name, ATTENTION, detail,
                                 f"abctl sync {account.name} (and check the cron job that runs it)"))  # fmt: skip
        else:
            found.append(Finding("sync", account.name, OK, detail))
    return found


def _token_action(name: str, status: AccountStatus) -> str:
    if status is AccountStatus.TOKEN_MISSING:
        return f"upload it again: abctl tokens update {name} --file TOKEN_FILE"
    if status is AccountStatus.CLAIMED:
        return f"take the location back: abctl tokens update {name} --file TOKEN_FILE --take-over"
    return f"download a new token and run: abctl tokens update {name} --file -"


def examine(rt: Runtime, files: list[Finding], *, probe: bool, expiring_within: int) -> list[Finding]:
    """Every finding: the file checks made before opening, then the store's, then (probed when asked) tokens."""
    if probe:
        from abctl.services.accounts.tokens import check_tokens

        check_tokens(rt, expiring_within_days=expiring_within)
    now = rt.now()
    found = [*files, *store_findings(rt.store, now)]
    found += account_findings(rt.store.list_accounts(), now, expiring_within=expiring_within, probed=probe)
    return found
