"""`abctl usage`: exact table, JSON and CSV for a seeded store, per-user and per-device views, --fail-on,
--prometheus and the forecast column."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from tests.conftest import Cli
from tests.seed_reports import PAGES, activity, insert, seed
from tests.services.reporting.test_prometheus import parse_exposition

from abctl.store import Store
from abctl.timeutil import to_iso, utc_now

USAGE_KEYS = [
    "space",
    "account",
    "adam_id",
    "name",
    "pricing_param",
    "total",
    "assigned",
    "available",
    "retired",
    "percent_used",
    "level",
    "forecast_days",
    "cost",
    "price",
    "currency",
    "value",
]


USAGE_TABLE = """\
License usage in space default
Account  App         Total  Assigned  Available  Used %  Level
-------  ----------  -----  --------  ---------  ------  -----
edu      Pages          10         9          1    90.0  alert
ops      Pages          10         5          5    50.0  info
*        Pages          20        14          6    70.0  warn
edu      Keynote         4         1          3    25.0
*        Keynote         4         1          3    25.0
ops      1000000001      2         0          2     0.0
*        1000000001      2         0          2     0.0
"""
WIDE_HEADER = (
    "Space    Account  Adam ID     App         Pricing  Total  Assigned  Available  Retired  Used %  Level  Days left"
    "  Cost  Price  Currency  Value"
)


@pytest.fixture
def seeded(db_path: Path) -> Path:
    seed(db_path)
    return db_path


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_table_is_sorted_most_used_first_with_app_totals(cli: Cli, seeded: Path) -> None:
    result = cli("usage")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == USAGE_TABLE  # the space is in the title; adamId, pricing, retired in -o wide


def test_wide_has_every_column(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "wide", "usage")
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[1] == WIDE_HEADER
    assert (
        out[3]
        == "default  edu      361309726   Pages       STDQ        10         9          1        0    90.0  alert"
    )


def test_json_rows_carry_exactly_the_contract_keys(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "json", "usage", "--app", "Pages")
    assert result.exit_code == 0, result.output
    row = {
        "space": "default",
        "adam_id": PAGES,
        "name": "Pages",
        "pricing_param": "STDQ",
        "forecast_days": None,
        "cost": None,
        "price": None,
        "currency": None,
        "value": None,
    }  # no lookup in this store: no cost
    assert json.loads(result.stdout) == [
        {**row, "account": "edu", "total": 10, "assigned": 9, "available": 1, "retired": 0, "percent_used": 90.0,
         "level": "alert"},
        {**row, "account": "ops", "total": 10, "assigned": 5, "available": 5, "retired": 2, "percent_used": 50.0,
         "level": "info"},
        {**row, "account": "*", "total": 20, "assigned": 14, "available": 6, "retired": 2, "percent_used": 70.0,
         "level": "warn"},
    ]  # fmt: skip
    assert [list(item) for item in json.loads(result.stdout)] == [USAGE_KEYS] * 3


def test_csv_and_jsonl(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "csv", "usage", "--space", "lab")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        ",".join(USAGE_KEYS) + "\n"
        "lab,lab1,361309726,Pages,STDQ,5,5,0,0,100.0,alert,,,,,\n"
        "lab,*,361309726,Pages,STDQ,5,5,0,0,100.0,alert,,,,,\n"
    )
    result = cli("--format", "jsonl", "usage", "--app", "361285480")
    assert [(item["account"], item["level"]) for item in map(json.loads, result.stdout.splitlines())] == [
        ("edu", None),
        ("*", None),
    ]


def test_empty_store(cli: Cli, existing_db: Path) -> None:
    result = cli("usage")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No license usage in space default.\n")
    result = cli("--format", "json", "usage")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


def test_forecast_column_from_recent_assignments(cli: Cli, seeded: Path) -> None:
    with Store.open(seeded) as store, store.transaction():
        for days_ago in (1, 5, 10):
            ts = to_iso(utc_now() - timedelta(days=days_ago))
            insert(store, "activity", activity(ts, "associate", "complete", account_name="ops", adam_id=PAGES))
    result = cli("--format", "json", "usage", "--app", "Pages")
    assert [(r["account"], r["forecast_days"]) for r in json.loads(result.stdout)] == [
        ("edu", None),
        ("ops", 50.0),
        ("*", 60.0),
    ]
    table = lines(cli("usage", "--app", "Pages").stdout)
    assert table[1].endswith("Used %  Level  Days left")
    assert table[4].endswith("50.0  info          50")


def test_user_view_json(cli: Cli, seeded: Path) -> None:
    result = cli("--format", "json", "usage", "--user", "alice")
    assert result.exit_code == 0, result.output
    common = {"space": "default", "pricing_param": "STDQ", "event_id": None, "usable_until": None}
    assert json.loads(result.stdout) == [
        {**common, "name": "Keynote", "adam_id": "361285480", "license_type": "device", "serial": "C02ALICE",
         "client_user_id": None, "account": "edu", "source": "required", "assigned_at": "2026-06-03T09:00:00Z",
         "state": "active", "last_action": "associate"},
        {**common, "name": "Pages", "adam_id": PAGES, "license_type": "user", "serial": None,
         "client_user_id": "alice", "account": "edu", "source": "fcfs", "assigned_at": "2026-06-02T10:00:00Z",
         "state": "active", "last_action": "associate", "event_id": "ev-1"},
        {**common, "name": "Pages", "adam_id": PAGES, "license_type": "device", "serial": "C02ALICE",
         "client_user_id": None, "account": "ops", "source": "fcfs", "assigned_at": "2026-05-01T08:00:00Z",
         "state": "revoked", "last_action": "disassociate", "usable_until": "2099-01-01T00:00:00Z"},
    ]  # fmt: skip


def test_device_view_table_and_csv(cli: Cli, seeded: Path) -> None:
    result = cli("usage", "--device", "IPAD1")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Licenses of device `IPAD1`\n"
        "App      License type  Serial  User  Account  Assigned    State\n"
        "-------  ------------  ------  ----  -------  ----------  ------\n"
        "Keynote  user                  bob   edu      2026-06-02  failed\n"
        "Pages    device        IPAD1         ops      2026-06-02  active\n"
    )
    result = cli("--format", "csv", "usage", "--device", "IPAD1", "--app", "Pages")
    assert result.stdout == (
        "name,adam_id,license_type,serial,client_user_id,account,space,pricing_param,source,assigned_at,state,"
        "last_action,usable_until,event_id\n"
        "Pages,361309726,device,IPAD1,,ops,default,STDQ,fcfs,2026-06-02T10:00:00Z,active,associate,,\n"
    )


def test_target_errors(cli: Cli, seeded: Path) -> None:
    result = cli("usage", "--user", "nobody")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == "Error: no user `nobody`\nHint: list users with: abctl users list\n"
    result = cli("usage", "--user", "alice", "--device", "IPAD1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: give either --user or --device, not both\n")
    result = cli("usage", "--app", "Numbers")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.startswith("Error: no app named `Numbers`\n")
    result = cli("usage", "--space", "nowhere")
    assert result.exit_code == 4


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["--fail-on", "alert"], 8, "1 usage level(s) at alert or worse now (worst: Pages in `edu`, 90.0% used, "
                                    "alert)"),
        (["--fail-on", "info"], 8, "3 usage level(s) at info or worse now (worst: Pages in `edu`, 90.0% used, alert)"),
        (["--fail-on", "ALERT", "--app", "Keynote"], 0, None),  # Keynote is at 25%
        (["--fail-on", "alert", "--space", "lab"], 8, "2 usage level(s) at alert or worse now (worst: Pages in "
                                                      "`lab1`, 100.0% used, alert)"),
        (["--fail-on", "warn", "--user", "alice"], 8, "2 usage level(s) at warn or worse now (worst: Pages in `edu`,"
                                                      " 90.0% used, alert)"),
        ([], 0, None),
    ],
)  # fmt: skip
def test_fail_on_exits_8_after_printing_the_data(
    cli: Cli, seeded: Path, args: list[str], code: int, error: str | None
) -> None:
    result = cli("--format", "json", "usage", *args)
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)  # the data came first
    if error is None:
        assert result.stderr == ""
    else:
        space = "lab" if "lab" in args else "default"
        assert result.stderr == f"Error: {error}\nHint: see them with: abctl usage --space {space}\n"


def test_fail_on_judges_the_level_now_not_open_notifications(cli: Cli, seeded: Path) -> None:
    """The 50% notification of ops stays open while usage is between 50% and 70%, but once usage is at 40% the
    table says no level, and so does --fail-on (the notification clears only below 50%, at the next sync)."""
    with Store.open(seeded) as store, store.transaction():
        store.db.execute("UPDATE assets SET assigned = 4, available = 6 WHERE adam_id = ? AND total = 10", (PAGES,))
    result = cli("usage", "--app", "Pages", "--fail-on", "info")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert lines(result.stdout)[3].split() == ["edu", "Pages", "10", "4", "6", "40.0"]
    assert cli("notifications", "--fail-on", "info").exit_code == 8  # the notifications are still open


def test_fail_on_rejects_unknown_severity(cli: Cli, seeded: Path) -> None:
    result = cli("usage", "--fail-on", "critical")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_prometheus_parses_strictly(cli: Cli, seeded: Path) -> None:
    with Store.open(seeded) as store, store.transaction():
        store.db.execute("UPDATE app_metadata SET name = ? WHERE adam_id = ?", ('Pages "Pro"\\', PAGES))
    result = cli("--format", "json", "usage", "--prometheus")
    assert result.exit_code == 0, result.output
    samples = parse_exposition(result.stdout)
    labels = (("account", "edu"), ("adam_id", PAGES), ("name", 'Pages "Pro"\\'), ("pricing_param", "STDQ"))
    assert samples[("abctl_license_level", (*labels, ("space", "default")))] == 3.0
    assert samples[("abctl_license_available", (*labels, ("space", "default")))] == 1.0
    assert len(samples) == 4 * 4  # four account rows, no total rows
    assert 'name="Pages \\"Pro\\"\\\\"' in result.stdout


def test_prometheus_refuses_a_target_view(cli: Cli, seeded: Path) -> None:
    result = cli("usage", "--prometheus", "--device", "IPAD1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --prometheus shows per-account gauges, not one target's licenses\n"
        "Hint: drop --user/--device, or drop --prometheus\n"
    )


def test_table_colours_the_level(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from abctl.cli.usage import USAGE_COLUMNS
    from abctl.output import Renderer

    monkeypatch.delenv("NO_COLOR")
    buffer = io.StringIO()
    renderer = Renderer(stdout=buffer, stderr=io.StringIO())
    renderer.out = Console(file=buffer, force_terminal=True, color_system="standard", width=200, highlight=False)
    rows = [{"account": name, "level": level} for name, level in (("a", "alert"), ("w", "warn"), ("i", "info"))]
    renderer.rows([*rows, {"account": "n", "level": None}], USAGE_COLUMNS)
    out = buffer.getvalue()
    assert "\x1b[1;31malert\x1b[0m" in out
    assert "\x1b[33mwarn\x1b[0m" in out
    assert "\x1b[36minfo\x1b[0m" in out
    assert "\x1b[1mAccount  Level\x1b[0m" in out
