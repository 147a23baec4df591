"""`abctl notifications`: the highest open one per account and app, worst first; --all with each one and the
cleared ones; --space; the footer's clearing rule; and --fail-on exit codes."""

import json
from pathlib import Path

import pytest
from tests.conftest import Cli
from tests.seed_reports import seed

HEADER = "id,severity,trigger,type,component,space,account,adam_id,name,message,action,raised_at,cleared_at"
EXPIRY_ACTION = "Generate a new token online using your organization's account"


@pytest.fixture
def seeded(db_path: Path) -> Path:
    seed(db_path)
    return db_path


def test_csv_open_notifications_worst_first_the_highest_per_account_and_app(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "csv", "notifications")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        f"{HEADER}\n"
        "2,alert,90%,License Usage,Apps and Books,default,edu,361309726,Pages,90% of the licenses are redeemed,,"
        "2026-06-05T00:00:00Z,\n"
        "6,alert,100%,License Usage,Apps and Books,lab,lab1,361309726,Pages,100% of the licenses are redeemed,,"
        "2026-06-02T00:00:00Z,\n"
        "5,warn,expires in 30 days,Token Expiry,Apps and Books,default,ops,,,The token of `ops` expires on 2026-07-01,"
        f"{EXPIRY_ACTION},2026-06-01T00:00:00Z,\n"
        "3,info,50%,License Usage,Apps and Books,default,ops,361309726,Pages,50% of the licenses are redeemed,,"
        "2026-06-04T00:00:00Z,\n"
    )  # edu's 50% of Pages (1) is open too, under its 90% (2): --all lists it


def test_all_includes_cleared_ones_last(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "json", "notifications", "--all")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == [2, 6, 5, 3, 1, 4]
    assert rows[-1] == {
        "id": 4,
        "severity": "info",
        "trigger": "50%",
        "type": "License Usage",
        "component": "Apps and Books",
        "space": "default",
        "account": "edu",
        "adam_id": "361285480",
        "name": "Keynote",
        "message": "50% of the licenses are redeemed",
        "action": None,
        "raised_at": "2026-05-01T00:00:00Z",
        "cleared_at": "2026-05-10T00:00:00Z",
    }
    assert all(row["cleared_at"] is None for row in rows[:-1])


def test_table_for_people_with_the_clearing_rule_and_actions_underneath(cli: Cli, seeded: Path) -> None:
    result = cli("notifications")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Notifications (times in UTC)\n"
        "Severity  Trigger             Account  App    Raised\n"
        "--------  ------------------  -------  -----  ----------------\n"
        "alert     90%                 edu      Pages  2026-06-05 00:00\n"
        "alert     100%                lab1     Pages  2026-06-02 00:00\n"
        "warn      expires in 30 days  ops             2026-06-01 00:00\n"
        "info      50%                 ops      Pages  2026-06-04 00:00\n"
        f"Action for `ops`: {EXPIRY_ACTION}\n"
        "Usage notifications clear when usage drops below 50%; abctl usage shows each app's level now.\n"
    )


def test_all_lists_each_one_and_the_cleared_column(cli: Cli, seeded: Path) -> None:
    result = cli("notifications", "--all", "--space", "default")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["Severity", "Trigger", "Account", "App", "Raised", "Cleared"]
    assert [line.split()[:3] for line in lines[3:8]] == [
        ["alert", "90%", "edu"], ["warn", "expires", "in"], ["info", "50%", "ops"], ["info", "50%", "edu"],
        ["info", "50%", "edu"],
    ]  # fmt: skip
    assert lines[7].endswith("2026-05-01 00:00  2026-05-10 00:00")


def test_wide_shows_every_column(cli: Cli, seeded: Path) -> None:
    result = cli("-o", "wide", "notifications", "--space", "lab")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "ID  Severity  Trigger  Type           Component       Space  Account  Adam ID    App    Message"
        "                            Action  Raised            Cleared",
        "--  --------  -------  -------------  --------------  -----  -------  ---------  -----  "
        "---------------------------------  ------  ----------------  -------",
        " 6  alert     100%     License Usage  Apps and Books  lab    lab1     361309726  Pages  "
        "100% of the licenses are redeemed          2026-06-02 00:00",
        "Usage notifications clear when usage drops below 50%; abctl usage shows each app's level now.",
    ]


def test_no_notifications(cli: Cli, existing_db: Path) -> None:
    result = cli("notifications", "--fail-on", "info")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No notifications.\n")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["--fail-on", "alert"], 8, "2 open notification(s) at alert or worse (worst: alert 90% for `edu`)"),
        (["--fail-on", "warn", "--space", "default"], 8, "2 open notification(s) at warn or worse (worst: alert 90%"
                                                          " for `edu`)"),
        (["--fail-on", "info", "--space", "lab"], 8, "1 open notification(s) at info or worse (worst: alert 100% for"
                                                     " `lab1`)"),
        (["--fail-on", "warn", "--all"], 8, "3 open notification(s) at warn or worse (worst: alert 90% for `edu`)"),
        ([], 0, None),
    ],
)  # fmt: skip
def test_fail_on(cli: Cli, seeded: Path, args: list[str], code: int, error: str | None) -> None:
    result = cli("--format", "jsonl", "notifications", *args)
    assert result.exit_code == code, result.output
    assert result.stdout  # the data is printed before the check fails
    expected = "" if error is None else f"Error: {error}\nHint: see them with: abctl notifications\n"
    assert result.stderr == expected


def test_fail_on_passes_when_only_milder_ones_are_open(cli: Cli, seeded: Path, db_path: Path) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    db.execute("UPDATE notifications SET cleared_at = '2026-07-01T00:00:00Z' WHERE severity != 'info'")
    db.conn.commit()
    result = cli("notifications", "--fail-on", "warn")
    assert result.exit_code == 0, result.output
    result = cli("notifications", "--fail-on", "info")
    assert result.exit_code == 8
