"""`abctl notifications`: open ones worst first, --all with cleared ones, --space, and --fail-on exit codes."""

import json
from pathlib import Path

import pytest
from tests.conftest import Cli
from tests.seed_reports import seed

HEADER = "id,severity,trigger,type,component,space,account,adam_id,app,message,action,raised_at,cleared_at"
EXPIRY_ACTION = "Generate a new token online using your organization's account"


@pytest.fixture
def seeded(db_path: Path) -> Path:
    seed(db_path)
    return db_path


def test_csv_open_notifications_worst_first(cli: Cli, seeded: Path) -> None:
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
        "1,info,50%,License Usage,Apps and Books,default,edu,361309726,Pages,50% of the licenses are redeemed,,"
        "2026-06-01T00:00:00Z,\n"
    )


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
        "app": "Keynote",
        "message": "50% of the licenses are redeemed",
        "action": None,
        "raised_at": "2026-05-01T00:00:00Z",
        "cleared_at": "2026-05-10T00:00:00Z",
    }
    assert all(row["cleared_at"] is None for row in rows[:-1])


def test_table_shows_cleared_column_only_with_all(cli: Cli, seeded: Path) -> None:
    plain = cli("notifications", "--space", "lab")
    assert plain.exit_code == 0, plain.output
    header = plain.stdout.splitlines()[2]
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "ID", "Severity", "Trigger", "Type", "Component", "Space", "Account", "Adam ID", "App", "Message", "Action",
        "Raised",
    ]  # fmt: skip
    row = plain.stdout.splitlines()[4]
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        "6", "alert", "100%", "License Usage", "Apps and Books", "lab", "lab1", "361309726", "Pages",
        "100% of the licenses are redeemed", "", "2026-06-02T00:00:00Z",
    ]  # fmt: skip
    with_all = cli("notifications", "--all", "--space", "lab")
    assert with_all.stdout.splitlines()[2].rstrip().endswith("┃ Cleared ┃")


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
