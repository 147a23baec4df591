"""`assign --dry-run` writes its rows as SharedRows (targets told alike share one row but for the target): every
format must print exactly what the same renderer prints of the plan's rows as plain dicts, for a world where the
rules decide many different things (accounts, reservations, refusals, licenses already held, users and devices)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Cli

from abctl.cli.assign import COLUMNS, SUMMARY
from abctl.domain.allocation import RequestKind
from abctl.output import Format, Renderer
from abctl.services.licensing.plan import plan_apps, read_target_file
from abctl.services.runtime import Runtime
from abctl.store import Store

APPS = ("500000001", "500000002")
STAMP = "2026-01-01T00:00:00Z"
N = 600


def build(path: Path) -> None:
    """Three accounts (the third serves only its reservations), two apps (the second not device-assignable),
    devices of every platform, shared iPads, retired ones, groups, disallowed users, enrolment, held licenses."""
    with Store.open(path) as store:
        conn = store.db.conn
        with store.transaction():
            conn.executemany(
                "INSERT INTO accounts (id, name, space, priority, auto_distribute, org_name, uid, token_fingerprint,"
                " created_at, expires_at) VALUES (?, ?, 'default', ?, ?, 'Org', ?, 'x', ?, '2030-01-01T00:00:00Z')",
                [(n, f"acct{n}", n, int(n != 3), f"uid{n}", STAMP) for n in (1, 2, 3)],
            )
            conn.execute("INSERT INTO app_metadata (adam_id, name, fetched_at) VALUES (?, 'Atlas', ?)",
                         (APPS[0], STAMP))  # fmt: skip
            assets = [(1, APPS[0], 80, 1, "iOS"), (2, APPS[0], 150, 1, "iOS,macOS"), (3, APPS[0], 20, 1, "iOS"),
                      (2, APPS[1], 100, 0, "iOS,macOS")]  # fmt: skip
            conn.executemany(
                "INSERT INTO assets (account_id, adam_id, pricing_param, product_type, total, assigned, available,"
                " retired, device_assignable, revocable, platforms, synced_at)"
                " VALUES (?, ?, 'STDQ', 'App', ?, 0, ?, 0, ?, 1, ?, ?)",
                [(a, app, n, n, assignable, platforms, STAMP) for a, app, n, assignable, platforms in assets],
            )
            conn.executemany(
                "INSERT INTO users (client_user_id, space, state, created_at, updated_at)"
                " VALUES (?, 'default', ?, ?, ?)",
                [(f"U{t:04d}", "retired" if t % 97 == 5 else "active", STAMP, STAMP) for t in range(N)],
            )
            conn.executemany(
                "INSERT INTO devices (serial, space, platform, owner, shared_ipad, state, created_at, updated_at)"
                " VALUES (?, 'default', ?, ?, ?, ?, ?, ?)",
                [(f"D{t:04d}", ("ios", "ipados", "macos", "tvos")[t % 4], None if t % 7 == 3 else f"U{t:04d}",
                  int(t % 4 == 1 and t % 11 == 0), "retired" if t % 53 == 7 else "active", STAMP, STAMP)
                 for t in range(N)],
            )  # fmt: skip
            conn.execute("INSERT INTO groups (space, name, created_at) VALUES ('default', 'students', ?)", (STAMP,))
            conn.executemany("INSERT INTO group_members VALUES ('default', 'students', ?)",
                             [(f"U{t:04d}",) for t in range(0, N, 2)])  # fmt: skip
            for account in (1, 3):
                conn.execute("INSERT INTO distribution_policies VALUES (?, ?, ?)", (account, APPS[0], STAMP))
            conn.execute("INSERT INTO fcfs_groups VALUES (1, ?, 'students')", (APPS[0],))
            conn.executemany("INSERT INTO disallowed VALUES (1, ?, ?)",
                             [(APPS[0], f"U{t:04d}") for t in range(0, N, 13)])  # fmt: skip
            conn.executemany("INSERT INTO reservations VALUES (3, ?, 'device', ?)",
                             [(APPS[0], f"D{t:04d}") for t in range(0, N, 17)])  # fmt: skip
            conn.executemany("INSERT INTO reservations VALUES (3, ?, 'user', ?)",
                             [(APPS[0], f"U{t:04d}") for t in range(0, N, 19)])  # fmt: skip
            conn.executemany(
                "INSERT INTO apple_users (account_id, client_user_id, status, synced_at) VALUES (?, ?, ?, ?)",
                [(a, f"U{t:04d}", "Associated" if (t + a) % 3 else "Registered", STAMP)
                 for t in range(N) for a in (1, 2)],
            )  # fmt: skip
            licenses = [(1 + t % 2, "device", f"D{t:04d}") for t in range(0, N, 23)]
            licenses += [(2, "user", f"U{t:04d}") for t in range(5, N, 29)]
            conn.executemany(
                "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
                " assigned_at) VALUES (?, ?, 'STDQ', ?, ?, 'admin', 'active', ?)",
                [(a, APPS[0], kind, target, STAMP) for a, kind, target in licenses],
            )


def reference(path: Path, text: str, request: RequestKind, fmt: Format, columns: list[str] | None) -> str:
    """What the renderer prints of the plan's rows built as plain dicts (as the dry run built them before)."""
    shown = {"assign": "planned", "already_licensed": "already licensed", "refused": "refused"}
    names = {APPS[0]: "Atlas"}
    with Store.open(path) as store:
        rt = Runtime(store=store, clients=lambda account: None)  # type: ignore[arg-type,return-value]
        plans = plan_apps(rt, "default", list(APPS), list(dict.fromkeys(read_target_file(text))), request)
    rows: list[dict[str, Any]] = [
        {"name": names.get(p.adam_id, p.adam_id), "adam_id": p.adam_id, "kind": str(d.license_kind or d.target.kind),
         "target": d.target.id, "account": d.account, "license_type": str(d.license_kind) if d.license_kind else None,
         "result": shown[d.outcome], "reason": d.message, "event_id": None, "invite_url": d.invite_url}
        for p in plans for d in p.allocation.decisions
    ]  # fmt: skip
    assert len({row["reason"] for row in rows}) >= 8  # the world makes the rules say many things
    out, err = io.StringIO(), io.StringIO()
    renderer = Renderer(fmt=fmt, stdout=out, stderr=err, no_color=True, columns=columns)
    renderer.rows(rows, COLUMNS, title="Assign Atlas, 500000002: plan (dry run: nothing sent)", summary=SUMMARY)
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("request_kind", [RequestKind.ADMIN, RequestKind.USER_REQUEST])
@pytest.mark.parametrize("columns", [None, ["target", "result"], ["result", "reason"]])
@pytest.mark.parametrize("who", ["devices", "mixed"])
def test_every_format_prints_what_it_prints_of_plain_rows(
    cli: Cli, db_path: Path, tmp_path: Path, fmt: Format, request_kind: RequestKind, columns: list[str] | None,
    who: str,
) -> None:  # fmt: skip
    build(db_path)
    kinds = ("device:D", "user:U", "device:D") if who == "mixed" else ("device:D",)
    text = "".join(f"{kinds[t % len(kinds)]}{t:04d}\n" for t in range(N)) + "device:D0001\n"  # one asked twice
    (tmp_path / "targets.txt").write_text(text)
    args = ["-o", str(fmt), *(["--columns", ",".join(columns)] if columns else [])]
    args += ["assign", *APPS, "--from", str(tmp_path / "targets.txt"), "--dry-run"]
    args += ["--request"] if request_kind is RequestKind.USER_REQUEST else []
    done = cli.expect(*args)
    assert done.stdout == reference(db_path, text, request_kind, fmt, columns)
    if fmt is Format.JSON:
        results = {row.get("result") for row in json.loads(done.stdout)}
        assert results <= {"planned", "already licensed", "refused"} and {"planned", "refused"} <= results
