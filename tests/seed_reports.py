"""A small, fixed database for the usage, notifications and log tests (rows written with plain SQL).

Space `default`: accounts `edu` (priority 1) and `ops` (2); space `lab`: account `lab1`.
- Pages (361309726): edu 10 seats, 9 assigned (90%, alert); ops 10/5 (50%, info); app total 20/14 (70%, warn).
- Keynote (361285480): edu 4/1 (25%, no level).
- 1000000001 (no metadata, so shown by its adamId): ops 2 seats, none assigned.
- lab1 owns Pages 5/5 (100%), only visible with --space lab.
Users alice and bob; device C02ALICE (macOS, owner alice), IPAD1 (iPadOS, owner bob), SHARED1 (shared iPad).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from abctl.store import Store

PAGES, KEYNOTE, NAMELESS = "361309726", "361285480", "1000000001"
STAMP = "2026-06-01T00:00:00Z"


def _account(store: Store, name: str, space: str, priority: int) -> int:
    account = store.insert_account(
        {
            "name": name,
            "space": space,
            "priority": priority,
            "org_name": "Example School",
            "uid": f"uid-{name}",
            "token_fingerprint": "abcd…wxyz",
            "created_at": STAMP,
            "expires_at": "2027-06-01T00:00:00Z",
        },
        "secret-not-used",
    )
    return account.id


def _asset(store: Store, account_id: int, adam_id: str, total: int, assigned: int, retired: int = 0) -> None:
    store.db.execute(
        "INSERT INTO assets (account_id, adam_id, pricing_param, product_type, total, assigned, available, retired,"
        " device_assignable, revocable, platforms, synced_at) VALUES (?, ?, 'STDQ', 'App', ?, ?, ?, ?, 1, 1,"
        " 'iOS,macOS', ?)",
        (account_id, adam_id, total, assigned, total - assigned, retired, STAMP),
    )


def license_row(
    account_id: int, adam_id: str, kind: str, target: str, state: str = "active", **extra: Any
) -> dict[str, Any]:
    row = {
        "account_id": account_id,
        "adam_id": adam_id,
        "pricing_param": "STDQ",
        "target_kind": kind,
        "target_id": target,
        "source": "fcfs",
        "state": state,
        "assigned_at": "2026-06-02T10:00:00Z",
        "last_action": "associate",
        "event_id": None,
        "revoked_at": None,
        "usable_until": None,
    }
    row.update(extra)
    return row


def insert(store: Store, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    store.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def activity(ts: str, action: str, result: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"ts": ts, "actor": "admin", "action": action, "result": result}
    row.update(extra)
    return row


def seed(db_path: Path) -> dict[str, int]:
    """Write the fixed data set; return the account ids by name."""
    with Store.open(db_path) as store, store.transaction():
        store.insert_space("lab")
        ids = {
            "edu": _account(store, "edu", "default", 1),
            "ops": _account(store, "ops", "default", 2),
            "lab1": _account(store, "lab1", "lab", 1),
        }
        _asset(store, ids["edu"], PAGES, 10, 9)
        _asset(store, ids["ops"], PAGES, 10, 5, retired=2)
        _asset(store, ids["edu"], KEYNOTE, 4, 1)
        _asset(store, ids["ops"], NAMELESS, 2, 0)
        _asset(store, ids["lab1"], PAGES, 5, 5)
        for adam_id, name in ((PAGES, "Pages"), (KEYNOTE, "Keynote")):
            insert(store, "app_metadata", {"adam_id": adam_id, "name": name, "fetched_at": STAMP})
        for user in ("alice", "bob"):
            insert(
                store, "users", {"client_user_id": user, "space": "default", "created_at": STAMP, "updated_at": STAMP}
            )
        for serial, platform, owner, shared in (
            ("C02ALICE", "macos", "alice", 0),
            ("IPAD1", "ipados", "bob", 0),
            ("SHARED1", "ipados", "bob", 1),
        ):
            insert(
                store,
                "devices",
                {
                    "serial": serial,
                    "space": "default",
                    "platform": platform,
                    "owner": owner,
                    "shared_ipad": shared,
                    "created_at": STAMP,
                    "updated_at": STAMP,
                },
            )
        edu, ops = ids["edu"], ids["ops"]
        for row in (
            license_row(edu, PAGES, "user", "alice", event_id="ev-1"),
            license_row(edu, KEYNOTE, "device", "C02ALICE", source="required", assigned_at="2026-06-03T09:00:00Z"),
            # Revoked, still in its grace period: shown with usable_until.
            license_row(
                ops,
                PAGES,
                "device",
                "C02ALICE",
                state="revoked",
                last_action="disassociate",
                assigned_at="2026-05-01T08:00:00Z",
                revoked_at="2026-06-01T08:00:00Z",
                usable_until="2099-01-01T00:00:00Z",
            ),
            # Revoked long ago (grace over): hidden.
            license_row(
                edu, KEYNOTE, "user", "alice", state="revoked", revoked_at=STAMP, usable_until="2026-07-01T00:00:00Z"
            ),
            license_row(ops, PAGES, "device", "IPAD1"),
            license_row(edu, KEYNOTE, "user", "bob", state="failed", last_action="associate", event_id="ev-9"),
            license_row(ops, PAGES, "device", "SHARED1"),
        ):
            insert(store, "licenses", row)
        for row in (
            notification(edu, "edu", PAGES, "info", "50%", raised_at="2026-06-01T00:00:00Z"),
            notification(edu, "edu", PAGES, "alert", "90%", raised_at="2026-06-05T00:00:00Z"),
            notification(ops, "ops", PAGES, "info", "50%", raised_at="2026-06-04T00:00:00Z"),
            notification(
                edu, "edu", KEYNOTE, "info", "50%", raised_at="2026-05-01T00:00:00Z", cleared_at="2026-05-10T00:00:00Z"
            ),
            notification(
                ops,
                "ops",
                None,
                "warn",
                "expires in 30 days",
                kind="expiry",
                message="The token of `ops` expires on 2026-07-01",
                action="Generate a new token online using your organization's account",
                raised_at="2026-06-01T00:00:00Z",
            ),
            notification(ids["lab1"], "lab1", PAGES, "alert", "100%", raised_at="2026-06-02T00:00:00Z"),
        ):
            insert(store, "notifications", row)
        for row in (
            activity("2026-06-01T09:00:00Z", "associate", "complete", space="default", account_name="edu",
                     adam_id=PAGES, target_kind="user", target_id="alice", license_type="user", event_id="ev-1"),
            activity("2026-06-02T09:00:00Z", "associate", "complete", space="default", account_name="edu",
                     adam_id=KEYNOTE, target_kind="device", target_id="C02ALICE", license_type="device",
                     event_id="ev-2"),
            activity("2026-06-03T09:00:00Z", "disassociate", "complete", space="default", account_name="ops",
                     adam_id=PAGES, target_kind="device", target_id="C02ALICE", license_type="device",
                     event_id="ev-3", detail="usable until 2099-01-01"),
            activity("2026-06-04T09:00:00Z", "associate", "failed", space="default", account_name="edu",
                     adam_id=KEYNOTE, target_kind="user", target_id="bob", license_type="user", event_id="ev-9",
                     detail="9609 unknown user"),
            activity("2026-06-05T09:00:00Z", "associate", "complete", space="lab", account_name="lab1",
                     adam_id=PAGES, target_kind="device", target_id="LAB9", license_type="device", event_id="ev-5"),
        ):  # fmt: skip
            insert(store, "activity", row)
    return ids


def notification(
    account_id: int,
    account: str,
    adam_id: str | None,
    severity: str,
    trigger: str,
    *,
    kind: str = "usage",
    message: str | None = None,
    action: str | None = None,
    raised_at: str,
    cleared_at: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "account_id": account_id,
        "account_name": account,
        "adam_id": adam_id,
        "pricing_param": "STDQ" if adam_id else None,
        "severity": severity,
        "trigger": trigger,
        "message": message or f"{trigger} of the licenses are redeemed",
        "action": action,
        "raised_at": raised_at,
        "cleared_at": cleared_at,
    }
