"""`abctl log`: the activity log, newest first, with --app/--user/--device/--space/--since/--limit."""

import json
from pathlib import Path

import pytest
from tests.conftest import Cli
from tests.seed_reports import seed

HEADER = "ts,actor,space,account,adam_id,name,target,license_type,action,result,event_id,detail"


@pytest.fixture
def seeded(db_path: Path) -> Path:
    seed(db_path)
    return db_path


def events(stdout: str) -> list[str]:
    return [row["event_id"] for row in json.loads(stdout)]


def test_csv_of_a_users_activity_includes_their_devices(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "csv", "log", "--user", "alice")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        f"{HEADER}\n"
        "2026-06-03T09:00:00Z,admin,default,ops,361309726,Pages,device:C02ALICE,device,disassociate,complete,ev-3,"
        "usable until 2099-01-01\n"
        "2026-06-02T09:00:00Z,admin,default,edu,361285480,Keynote,device:C02ALICE,device,associate,complete,ev-2,\n"
        "2026-06-01T09:00:00Z,admin,default,edu,361309726,Pages,user:alice,user,associate,complete,ev-1,\n"
    )


def test_table(cli: Cli, seeded: Path) -> None:
    result = cli("log", "--device", "IPAD1")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No activity.\n")
    result = cli("log", "--user", "bob")
    assert result.stdout == (
        "Activity (times in UTC)\n"
        "Time              Account  App      Target    Action     Result  Detail\n"
        "----------------  -------  -------  --------  ---------  ------  -----------------\n"
        "2026-06-04 09:00  edu      Keynote  user:bob  associate  failed  9609 unknown user\n"
    )
    wide = cli("--format", "wide", "log", "--user", "bob").stdout.splitlines()
    assert wide[1].split() == [
        "Time", "Actor", "Space", "Account", "Adam", "ID", "App", "Target", "License", "type", "Action", "Result",
        "Event", "Detail",
    ]  # fmt: skip
    assert wide[3].split() == [
        "2026-06-04", "09:00", "admin", "default", "edu", "361285480", "Keynote", "user:bob", "user", "associate",
        "failed", "ev-9", "9609", "unknown", "user",
    ]  # fmt: skip


def test_a_narrow_terminal_sheds_the_account_and_detail_with_a_note(
    cli: Cli, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    result = cli("log")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split() == ["Time", "App", "Target", "Action", "Result"]
    assert all(len(line) <= 70 for line in result.stdout.splitlines())
    assert "device:C02ALICE" in result.stdout
    assert result.stderr == "2 columns hidden; -o wide shows them\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["ev-5", "ev-9", "ev-3", "ev-2", "ev-1"]),
        (["--app", "Pages"], ["ev-5", "ev-3", "ev-1"]),
        (["--app", "361285480"], ["ev-9", "ev-2"]),
        (["--device", "C02ALICE"], ["ev-3", "ev-2"]),
        (["--space", "lab"], ["ev-5"]),
        (["--since", "2026-06-03"], ["ev-5", "ev-9", "ev-3"]),
        (["--since", "2026-06-03T09:00:01Z"], ["ev-5", "ev-9"]),
        (["--since", "2026-06-03T11:00:00+02:00"], ["ev-5", "ev-9", "ev-3"]),
        (["--app", "Pages", "--since", "2026-06-02", "--space", "default"], ["ev-3"]),
        (["--since", "2027-01-01"], []),
    ],
)
def test_filters(cli: Cli, seeded: Path, args: list[str], expected: list[str]) -> None:
    result = cli("--format", "json", "log", *args)
    assert result.exit_code == 0, result.output
    assert events(result.stdout) == expected


def test_limit_keeps_the_newest_and_says_so(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "json", "log", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert events(result.stdout) == ["ev-5", "ev-9"]
    assert result.stderr == "Showing the newest 2 entries; use --limit for more.\n"
    result = cli("--format", "json", "log", "-n", "10")
    assert events(result.stdout) == ["ev-5", "ev-9", "ev-3", "ev-2", "ev-1"]
    assert result.stderr == ""
    result = cli("log", "--limit", "0")
    assert result.exit_code == 2


@pytest.mark.parametrize("since", ["yesterday", "2026-02-30", "06/03/2026"])
def test_bad_since_is_an_input_error_with_a_hint(cli: Cli, seeded: Path, since: str) -> None:
    result = cli("log", "--since", since)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: `{since}` is not a date\nHint: use YYYY-MM-DD or an ISO date-time such as 2026-11-28T18:00:00Z\n"
    )


def test_user_and_device_together_are_refused(cli: Cli, seeded: Path) -> None:
    result = cli("log", "--user", "alice", "--device", "IPAD1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: give either --user or --device, not both\n")
