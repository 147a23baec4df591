"""Assigning licenses end to end: plan, fewest Apple calls, refusals with reasons, exit 7, DB rows."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed
from abctl.sandbox.state import SandboxAsset


def add_devices(db_path: Path, serials: list[str], platform: str = "ipados") -> None:
    db = sqlite_utils.Database(db_path)
    db.conn.executemany(
        "INSERT INTO devices (serial, space, platform, created_at, updated_at)"
        " VALUES (?, 'default', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        [(s, platform) for s in serials],
    )
    db.conn.commit()


def setup(abctl: Cli, token_files: dict[str, Path]) -> None:
    for name in ("district", "highschool"):
        assert abctl("tokens", "add", name, "--file", str(token_files[name])).exit_code == 0


def test_2500_devices_take_3_associate_calls(abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path,
                                            tmp_path: Path) -> None:  # fmt: skip
    world.state.set_total("district", "1000000001", 3000)
    setup(abctl, token_files)
    serials = [f"CART{i:05d}" for i in range(2500)]
    add_devices(db_path, serials)
    targets = tmp_path / "targets.txt"
    targets.write_text("# the cart\n\n" + "\n".join(f"device:{s}" for s in serials) + "\n")
    world.state.reset_stats()
    result = abctl("--format", "json", "assign", "1000000001", "--from", str(targets))
    assert result.exit_code == 0, result.output
    assert world.state.stats()["requests"]["district"]["POST assets/associate"] == 3
    assert "3 associate call(s) to Apple." in result.stderr
    rows = json.loads(result.stdout)
    assert {r["result"] for r in rows} == {"assigned"} and len(rows) == 2500
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT count(*) FROM licenses WHERE state = 'active' AND source = 'admin'").fetchone() == (2500,)
    assert db.execute("SELECT count(*), state FROM events GROUP BY state").fetchall() == [(3, "complete")]
    assert len(world.state.location("district").assignments) == 2503
    usage = json.loads(abctl("--format", "json", "usage", "--app", "1000000001").stdout)
    district = next(row for row in usage if row["account"] == "district")
    # local counts moved with the events; 497 free seats at 2,500 assignments per 30 days last about 6 days
    assert (district["assigned"], district["available"], district["forecast_days"]) == (2503, 497, 5.9)


def test_seats_run_out_across_accounts_and_the_rest_is_refused(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    setup(abctl, token_files)
    add_devices(db_path, ["P1", "P2", "P3", "P4", "P5"])
    dry = abctl("--format", "json", "assign", "Quiz Master", *[f"--device=P{i}" for i in range(1, 6)], "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert [(r["account"], r["result"]) for r in json.loads(dry.stdout)] == [
        ("district", "planned"), ("district", "planned"), ("highschool", "planned"), ("highschool", "planned"),
        (None, "refused"),
    ]  # fmt: skip
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM events").fetchone() == (0,)
    result = abctl("--format", "json", "assign", "1000000012", *[f"--device=P{i}" for i in range(1, 6)])
    assert result.exit_code == 7
    assert result.stderr == (
        "2 associate call(s) to Apple.\n"
        "Error: 1 of 5 target(s) got no license\nHint: no free seat for `Quiz Master`: `district` (2 of 2 used), "
        "`highschool` (2 of 2 used) are full; see: abctl usage --app 'Quiz Master'\n"
    )
    refused = [r for r in json.loads(result.stdout) if r["result"] == "refused"]
    assert refused == [{"name": "Quiz Master", "adam_id": "1000000012", "kind": "device", "target": "P5",
                        "account": None, "license_type": None, "result": "refused",
                        "reason": "no free seat in any account that may serve it", "event_id": None,
                        "invite_url": None}]  # fmt: skip
    logged = sqlite_utils.Database(db_path).execute("SELECT result, count(*) FROM activity GROUP BY result").fetchall()
    assert logged == [("assigned", 4), ("refused", 1)]
    again = abctl("--format", "json", "assign", "1000000012", "--device", "P1")
    assert json.loads(again.stdout)[0]["result"] == "already licensed"


def test_books_refuse_devices_and_reservations_are_served(abctl: Cli, token_files: dict[str, Path],
                                                          world: Seed, db_path: Path) -> None:  # fmt: skip
    setup(abctl, token_files)
    add_devices(db_path, ["B1", "R1"])
    book = abctl("--format", "json", "assign", "Field Guide to Birds", "--device", "B1")
    assert book.exit_code == 7
    assert "not device-assignable" in json.loads(book.stdout)[0]["reason"]
    typo = abctl("distribute", "Math Quest", "--account", "highschool", "--reserve", "device:r1", "--fcfs", "teachers")
    assert (typo.exit_code, typo.stderr) == (
        4,
        "Error: no group `teachers` in space `default`\nHint: add it with: abctl groups add teachers --space default\n",
    )
    abctl.expect("groups", "add", "teachers")
    served = abctl(
        "distribute", "Math Quest", "--account", "highschool", "--reserve", "device:r1", "--fcfs", "teachers"
    )
    assert served.exit_code == 0, served.output
    assert "Reservations served now: 1." in served.stderr
    assert ("1000000003", "STDQ", "serialNumber", "R1") in world.state.location("highschool").assignments
    shown = json.loads(abctl("--format", "json", "distribute", "Math Quest").stdout)
    assert [(r["account"], r["fcfs_groups"], r["reserved"]) for r in shown] == [
        ("district", ["All Users"], []), ("highschool", ["teachers"], ["device:R1"])
    ]  # fmt: skip


def test_30_apps_to_1000_devices_take_2_associate_calls(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path, tmp_path: Path
) -> None:
    adam_ids = [f"20000000{i:02d}" for i in range(30)]
    for adam_id in adam_ids:
        world.state.add_asset("district", SandboxAsset(adam_id, "STDQ", f"Course app {adam_id}", "App", 1000, True,
                                                       True, ("iOS",)))  # fmt: skip
    setup(abctl, token_files)
    serials = [f"LAB{i:04d}" for i in range(1000)]
    add_devices(db_path, serials)
    targets = tmp_path / "targets.txt"
    targets.write_text("\n".join(f"device:{s}" for s in serials))
    world.state.reset_stats()
    result = abctl("--format", "json", "assign", *adam_ids, "--from", str(targets))
    assert result.exit_code == 0, result.output
    assert world.state.stats()["requests"]["district"]["POST assets/associate"] == 2
    assert "2 associate call(s) to Apple." in result.stderr
    assert len(json.loads(result.stdout)) == 30_000
    db = sqlite_utils.Database(db_path)
    per_app = db.execute("SELECT adam_id, count(*) FROM licenses WHERE source = 'admin' GROUP BY adam_id").fetchall()
    assert per_app == [(adam_id, 1000) for adam_id in adam_ids]
    assert db.execute("SELECT sum(assigned) FROM assets WHERE adam_id LIKE '20000000%'").fetchone() == (30_000,)
    assert {(adam, target) for adam, _p, _k, target in world.state.location("district").assignments} >= {
        (adam_id, serial) for adam_id in adam_ids for serial in serials
    }


def test_a_users_request_on_their_own_device_gets_a_user_based_license(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    setup(abctl, token_files)
    assert abctl("users", "add", "alice", "--email", "alice@springfield.edu").exit_code == 0
    assert abctl("users", "invite", "alice").exit_code == 0
    world.state.associate_user("district", "alice")
    world.state.associate_user("highschool", "alice")
    assert abctl("sync").exit_code == 0
    assert abctl("devices", "add", "REQ0001", "--platform", "ipados", "--owner", "alice").exit_code == 0
    assert abctl("devices", "add", "SHARED01", "--platform", "ipados", "--shared-ipad").exit_code == 0
    result = abctl("--format", "json", "assign", "1000000001", "--device", "REQ0001", "--device", "SHARED01",
                   "--request")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [(r["kind"], r["target"], r["license_type"], r["result"]) for r in json.loads(result.stdout)] == [
        ("user", "alice", "user", "assigned"),
        ("device", "SHARED01", "device", "assigned"),
    ]
    rows = sqlite_utils.Database(db_path).execute(
        "SELECT target_kind, target_id, source FROM licenses WHERE adam_id = '1000000001' ORDER BY id"
    )
    assert rows.fetchall()[-2:] == [("user", "alice", "fcfs"), ("device", "SHARED01", "fcfs")]


def test_every_outcome_is_logged_in_order_with_its_license_assigned_failed_refused_and_pending(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    setup(abctl, token_files)
    add_devices(db_path, ["P1", "P2", "P3", "P4"])
    add_devices(db_path, ["M5"], platform="macos")
    assert abctl("assign", "Code Garden", "--device", "P1").exit_code == 0
    for n in range(6):  # another MDM takes Atlas Explorer's seats after abctl's sync: Apple has 2 of the 8 left
        world.state.external_assign("district", "1000000009", "serialNumber", f"OTHER{n}")
    devices = [f"--device={serial}" for serial in ("P1", "P2", "P3", "P4", "M5")]
    assert abctl("assign", "Code Garden", "Atlas Explorer", *devices).exit_code == 7
    world.state.event_delay = 3600.0
    assert abctl("assign", "Math Quest", "--device", "P4", "--no-wait").exit_code == 0
    db = sqlite_utils.Database(db_path)
    events = [row[0] for row in db.execute("SELECT event_id FROM events ORDER BY id").fetchall()]
    logged = db.execute(
        "SELECT actor, space, account_name, adam_id, target_kind, target_id, license_type, action, result, event_id,"
        " detail FROM activity ORDER BY id"
    ).fetchall()
    named = [
        (row[0:3], *row[3:6], row[6:8], row[8], events.index(row[9]) if row[9] else None, row[10]) for row in logged
    ]
    district, listed = ("root", "default", "district"), "from `district` (on list)"
    short = "Apple: There aren't enough assets available to complete this association."
    garden, atlas, quest, device = "1000000007", "1000000009", "1000000003", ("device", "associate")
    assert named == [
        (district, garden, "device", "P1", device, "assigned", 0, listed),
        (district, garden, "device", "P1", device, "already licensed", None,
         "device `P1` already holds a device-based license"),
        (("root", "default", None), atlas, "device", "M5", (None, "associate"), "refused", None,
         "the app supports iOS, not macos"),
        *[(district, garden, "device", serial, device, "assigned", 1, listed) for serial in ("P2", "P3", "P4")],
        *[(district, atlas, "device", serial, device, "assigned", 1, listed) for serial in ("P2", "P3")],
        (district, atlas, "device", "P4", device, "failed", 1, short),
        (district, garden, "device", "M5", device, "assigned", 2, listed),
        (district, atlas, "device", "P1", device, "failed", 3, short),
        (district, quest, "device", "P4", device, "pending", 4, "Apple has not finished; run: abctl events wait"),
    ]  # fmt: skip
    licenses = db.execute("SELECT adam_id, target_id, state, event_id, detail FROM licenses WHERE source = 'admin'"
                          " ORDER BY id").fetchall()  # fmt: skip
    full = "9709: There aren't enough assets available to complete this association."
    assert [(*row[:3], events.index(row[3]) if row[3] else None, row[4]) for row in licenses] == [
        (garden, "P1", "active", 0, None),
        *[(garden, serial, "active", 1, None) for serial in ("P2", "P3", "P4")],
        (atlas, "P2", "active", 1, None), (atlas, "P3", "active", 1, None), (atlas, "P4", "failed", 1, full),
        (garden, "M5", "active", 2, None), (atlas, "P1", "failed", 3, full), (quest, "P4", "pending", None, None),
    ]  # fmt: skip
