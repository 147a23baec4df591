"""`abctl devices` without Apple: add, list, show, import (10,000 rows, atomic, idempotent) and state changes."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli


def devices(cli: Cli, *args: str) -> list[dict[str, object]]:
    result = cli("--format", "json", "devices", "list", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_add_list_show(cli: Cli, db_path: Path) -> None:
    cli("users", "add", "alice")
    result = cli("devices", "add", "dmpx1234", "--platform", "iPadOS", "--owner", "alice", "--app", "1000000001")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Added ipados device `DMPX1234` in space `default`.\n"
    assert cli("devices", "add", "SHARED1", "--platform", "ipados", "--shared-ipad").exit_code == 0
    assert devices(cli) == [
        {"serial": "DMPX1234", "space": "default", "platform": "ipados", "owner": "alice", "shared_ipad": False,
         "state": "active", "installed_apps": ["1000000001"]},
        {"serial": "SHARED1", "space": "default", "platform": "ipados", "owner": None, "shared_ipad": True,
         "state": "active", "installed_apps": []},
    ]  # fmt: skip
    assert [d["serial"] for d in devices(cli, "--owner", "alice")] == ["DMPX1234"]
    shown = json.loads(cli("--format", "json", "devices", "show", "dmpx1234").stdout)
    assert (shown["serial"], shown["licenses"]) == ("DMPX1234", [])
    db = sqlite_utils.Database(db_path)
    assert [(r["serial"], r["adam_id"]) for r in db["installed_apps"].rows] == [("DMPX1234", "1000000001")]


def test_add_errors(cli: Cli) -> None:
    cli("users", "add", "alice")
    cli("spaces", "add", "lab")
    cli("devices", "add", "IPAD1", "--platform", "ipados")
    cases = [
        (("devices", "add", "IPAD1", "--platform", "ipados"), 3,
         "Error: device `IPAD1` already exists\nHint: see it with: abctl devices show IPAD1\n"),
        (("devices", "add", "X1", "--platform", "android"), 2,
         "Error: platform `android` is not one of ios, ipados, macos, tvos, visionos\n"
         "Hint: give the device's platform, e.g. --platform ipados\n"),
        (("devices", "add", "X 1", "--platform", "ios"), 2,
         "Error: serial `X 1` is not valid\nHint: use the device's serial number: letters and digits\n"),
        (("devices", "add", "X1", "--platform", "ios", "--shared-ipad"), 2,
         "Error: only an iPad (platform ipados) can be a shared iPad\n"),
        (("devices", "add", "X1", "--platform", "ipados", "--shared-ipad", "--owner", "alice"), 2,
         "Error: a shared iPad has no owner\nHint: drop --owner or --shared-ipad\n"),
        (("devices", "add", "X1", "--platform", "ios", "--owner", "zed"), 4,
         "Error: no user `zed`\nHint: add the owner first: abctl users add zed\n"),
        (("devices", "add", "X1", "--platform", "ios", "--owner", "alice", "--space", "lab"), 2,
         "Error: owner `alice` is in space `default`, not `lab`\n"),
        (("devices", "add", "X1", "--platform", "ios", "--app", "Unknown App"), 4,
         "Error: no app named `Unknown App`\nHint: list apps with: abctl apps list\n"),
        (("devices", "show", "NOPE"), 4,
         "Error: no device with serial `NOPE`\nHint: list devices with: abctl devices list\n"),
    ]  # fmt: skip
    for args, code, stderr in cases:
        result = cli(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr), args


def test_import_of_10000_devices_is_whole_and_idempotent(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    cli("users", "add", "alice")
    lines = ["serial,platform,owner,space,shared_ipad"]
    lines += [f"SN{n:06d},{('ios', 'ipados', 'macos')[n % 3]},{'alice' if n % 2 else ''},," for n in range(10_000)]
    path = tmp_path / "devices.csv"
    path.write_text("\n".join(lines) + "\n")
    result = cli("devices", "import", str(path))  # its speed: bench/bench_import.py
    assert result.exit_code == 0, result.output
    assert result.stderr == "Imported 10000 device(s) from devices.csv: 10000 added, 0 updated, 0 unchanged.\n"
    db = sqlite_utils.Database(db_path)
    assert db["devices"].count == 10_000
    assert db.execute("SELECT count(*) FROM devices WHERE owner = 'alice'").fetchone()[0] == 5_000
    stamp = db.execute("SELECT max(updated_at) FROM devices").fetchone()[0]
    again = cli("devices", "import", str(path))
    assert again.stderr == "Imported 10000 device(s) from devices.csv: 0 added, 0 updated, 10000 unchanged.\n"
    assert sqlite_utils.Database(db_path).execute("SELECT max(updated_at) FROM devices").fetchone()[0] == stamp


def test_one_bad_platform_and_one_duplicate_serial_import_nothing(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "devices.csv"
    path.write_text("serial,platform\nA1,ios\nA2,windows\nA3,macos\nA1,ipados\nA4,tvos\n")
    result = cli("devices", "import", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: line 3: platform `windows` is not one of ios, ipados, macos, tvos, visionos (2 bad lines in"
        " devices.csv; nothing was imported)\n"
        "Hint: fix these lines and import the file again:\n"
        "  line 3: platform `windows` is not one of ios, ipados, macos, tvos, visionos\n"
        "  line 5: serial `A1` repeats line 2\n"
    )
    assert not db_path.exists() and not db_path.parent.exists()  # the failed first command leaves no database


def test_import_updates_owner_keeps_empty_values_and_reenrolls(cli: Cli, tmp_path: Path) -> None:
    cli("users", "add", "alice")
    cli("users", "add", "bob")
    cli("devices", "add", "IPAD1", "--platform", "ipados", "--owner", "alice")
    cli("devices", "add", "IPAD2", "--platform", "ipados", "--owner", "alice")
    cli("devices", "add", "PAD3", "--platform", "ipados", "--shared-ipad")
    assert cli("devices", "retire", "IPAD2", "--yes").exit_code == 0
    path = tmp_path / "devices.json"
    path.write_text(
        '[{"serial": "IPAD1", "platform": "ipados", "owner": "bob"},\n'
        ' {"serial": "IPAD2", "platform": "ipados"},\n {"serial": "PAD3", "platform": "ipados"}]'
    )
    result = cli("devices", "import", str(path))
    assert result.stderr == "Imported 3 device(s) from devices.json: 0 added, 2 updated, 1 unchanged.\n"
    assert [(d["serial"], d["owner"], d["shared_ipad"], d["state"]) for d in devices(cli)] == [
        ("IPAD1", "bob", False, "active"), ("IPAD2", "alice", False, "active"), ("PAD3", None, True, "active")
    ]  # fmt: skip


def test_state_changes_without_licenses_need_no_apple(cli: Cli) -> None:
    cli("devices", "add", "IPAD1", "--platform", "ipados")
    cli("devices", "add", "MAC1", "--platform", "macos")
    dry = cli("devices", "wipe", "IPAD1", "--dry-run")
    assert (dry.exit_code, dry.stderr) == (0, "No live licenses to revoke.\nDry run: nothing was changed.\n")
    assert cli("--format", "json", "devices", "wipe", "IPAD1", "--dry-run").stdout == "[]\n"
    result = cli("devices", "unenroll", "ipad1", "mac1")
    assert result.exit_code == 0, result.output
    assert result.stderr == "No live licenses to revoke.\nMarked `IPAD1`, `MAC1` unenrolled.\n"
    assert [d["state"] for d in devices(cli)] == ["unenrolled", "unenrolled"]
    assert [d["serial"] for d in devices(cli, "--active")] == []
    assert cli("devices", "retire", "NOPE").exit_code == 4
    readded = cli("devices", "add", "IPAD1", "--platform", "ipados")
    assert readded.stderr == "Re-enrolled ipados device `IPAD1` in space `default`.\n"
