"""Bad input, generated: token files, CSV/JSON imports and command arguments. The only outcomes are success or a
one-line `Error:` with a hint and a defined exit code; never a traceback, and nothing changes in the database."""

import base64
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.conftest import Cli
from typer.testing import Result

from abctl.apple.stoken import parse_stoken
from abctl.apple.transport import in_process_transport
from abctl.cli.context import Overrides
from abctl.errors import TokenError
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import demo

fields = st.dictionaries(
    st.sampled_from(["token", "expDate", "orgName", "x"]),
    st.one_of(st.text(max_size=30), st.integers(), st.none()),
    max_size=4,
)
token_texts = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda raw: base64.b64encode(raw).decode()),
    fields.map(lambda d: base64.b64encode(json.dumps(d).encode()).decode()),
)


@given(token_texts)
def test_token_parsing_either_succeeds_or_raises_token_error(text: str) -> None:
    try:
        token = parse_stoken(text, now=None)
    except TokenError as error:
        assert error.exit_code == 3 and error.hint and "\n" not in error.message
        if len(text.strip()) >= 16:  # long enough to mean something: the content never reaches the message
            assert text.strip()[:16] not in error.message
    else:
        assert token.secret == "".join(text.split())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=token_texts)
def test_tokens_add_with_any_file_is_a_clean_error(cli: Cli, tmp_path: Path, existing_db: Path, text: str) -> None:
    db_path = existing_db
    before = sqlite_utils.Database(db_path).execute("SELECT count(*) FROM accounts").fetchone()
    path = tmp_path / "bad.vpptoken"
    path.write_text(text)
    result = cli("--api-url", "http://127.0.0.1:9/mdm/v2/", "tokens", "add", "acct", "--file", str(path))
    assert result.exit_code in {3, 6}, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ") and lines[1].startswith("Hint: ") and len(lines) == 2
    if result.exit_code <= 4:  # refused before acting: nothing to report on stdout (5-8 may list partial results)
        assert result.stdout == ""
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM accounts").fetchone() == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=80).filter(lambda s: not s.startswith("-")))
def test_space_names_are_accepted_or_refused_cleanly(cli: Cli, db_path: Path, name: str) -> None:
    result = cli("spaces", "add", name)
    if result.exit_code == 0:
        assert name in [r["name"] for r in sqlite_utils.Database(db_path)["spaces"].rows]
        assert cli("spaces", "remove", name).exit_code == 0
    else:
        assert result.exit_code in {2, 3}
        assert result.stderr.startswith("Error: ") or "Usage:" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def snapshot(db_path: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of every table: what `the database is unchanged` compares."""
    db = sqlite_utils.Database(db_path)
    try:
        return {table: list(db[table].rows) for table in db.table_names()}
    finally:
        db.close()


def assert_clean_refusal(result: Result, codes: set[int]) -> None:
    """A failure is `Error:` then `Hint:` on stderr, nothing on stdout, a defined exit code, no traceback."""
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    if "Usage:" in result.stderr:  # the argument parser's own refusal (exit 2)
        assert result.exit_code == 2
        return
    # The error is one line of text; the renderer wraps it only where it is wider than the terminal (COLUMNS).
    # A refusal (2-4) starts with it; work that partly happened (5-8) may report progress first.
    errors = [index for index, line in enumerate(lines) if line.startswith("Error: ")]
    assert len(errors) == 1 and (errors[0] == 0 or result.exit_code > 4), result.stderr
    assert any(line.startswith("Hint: ") for line in lines[errors[0] + 1 :]), result.stderr
    if result.exit_code <= 4:  # refused before acting: nothing to report on stdout (5-8 may list partial results)
        assert result.stdout == ""


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["ipados", "ios", "macos", "IPAD01", "carol", "yes", "no", "lab", "default", "", "a;b", '"']),
)
DEVICE_COLUMNS = ["serial", "platform", "owner", "space", "shared_ipad", "extra"]
USER_COLUMNS = ["client_user_id", "email", "managed_apple_id", "groups", "space", "extra"]


def csv_text(columns: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(row[: len(columns)] for row in rows)
    return buffer.getvalue()


def import_files(columns: list[str]) -> st.SearchStrategy[tuple[str, bytes]]:
    """CSV with any subset of the columns and any cells, JSON of any shape, or raw bytes."""
    header = st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True)
    rows = st.lists(st.lists(cells, min_size=6, max_size=6), max_size=4)
    as_csv = st.tuples(header, rows).map(lambda hr: ("csv", csv_text(hr[0], hr[1]).encode()))
    values = st.one_of(cells, st.integers(), st.none(), st.booleans())
    records = st.lists(st.dictionaries(st.sampled_from(columns), values, max_size=5), max_size=3)
    as_json = st.one_of(records, st.integers(), st.text(max_size=10), st.dictionaries(st.text(max_size=5), cells))
    return st.one_of(
        as_csv,
        as_json.map(lambda value: ("json", json.dumps(value).encode())),
        st.binary(max_size=60).map(lambda raw: ("csv", raw)),
    )


@pytest.fixture
def with_lab_and_carol(cli: Cli) -> Cli:
    cli.expect("spaces", "add", "lab")
    cli.expect("users", "add", "carol")
    return cli


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["devices", "users"]), data=st.data())
def test_imports_of_any_file_succeed_or_refuse_cleanly_and_change_nothing(
    with_lab_and_carol: Cli, tmp_path: Path, db_path: Path, kind: str, data: st.DataObject
) -> None:
    cli = with_lab_and_carol
    suffix, content = data.draw(import_files(DEVICE_COLUMNS if kind == "devices" else USER_COLUMNS))
    path = tmp_path / f"import.{suffix}"
    path.write_bytes(content)
    before = snapshot(db_path)
    result = cli(kind, "import", str(path))
    if result.exit_code != 0:
        assert_clean_refusal(result, {2, 3, 4})
        assert snapshot(db_path) == before


arguments = st.one_of(
    st.text(max_size=20).filter(lambda s: not s.startswith("-")),
    st.sampled_from(["1000000001", "Pocket Planetarium", "IPAD0001", "carol", "0", "-1", "99999", "∞", " ", "x" * 300]),
)
COMMANDS = [
    ("assign", "{0}", "--device", "{1}"), ("assign", "1000000001", "--user", "{0}"), ("priority", "set", "{0}", "{1}"),
    ("revoke", "{0}", "--device", "{1}", "--yes"), ("devices", "add", "{0}", "--platform", "{1}"),
    ("users", "add", "{0}", "--email", "{1}"), ("groups", "add-member", "{0}", "{1}"), ("distribute", "{0}"),
    ("usage", "--app", "{0}"), ("log", "--since", "{0}"), ("events", "wait", "{0}"), ("tokens", "show", "{0}"),
    ("devices", "retire", "{0}", "--yes"), ("move-space", "{0}", "--to", "{1}", "--yes"), ("apps", "add", "{0}"),
    ("notifications", "--fail-on", "{0}"), ("tokens", "check", "--expiring-within", "{0}"),
]  # fmt: skip


@pytest.fixture
def populated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Two accounts on the in-process demo sandbox, a device and a user: arguments reach past the lookups."""
    world = demo(now=datetime.now(UTC))
    world.state.max_request_per_second = 100_000
    monkeypatch.setenv("ABCTL_API_URL", "http://sandbox.test/mdm/v2/")
    cli = Cli(Overrides(transport=in_process_transport(SandboxApp(world.state)), sleep=lambda seconds: None))
    for token in world.tokens[:2]:
        path = tmp_path / f"{token.name}.vpptoken"
        path.write_text(token.text)
        cli.expect("tokens", "add", token.name, "--file", str(path))
    cli.expect("users", "add", "carol")
    cli.expect("devices", "add", "IPAD0001", "--platform", "ipados", "--owner", "carol")
    return cli


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), first=arguments, second=arguments)
def test_any_argument_gives_success_or_a_clean_error_and_a_failure_changes_nothing(
    populated: Cli, db_path: Path, command: tuple[str, ...], first: str, second: str
) -> None:
    before = snapshot(db_path)
    result = populated(*[part.format(first, second) for part in command])
    if result.exit_code != 0:
        assert_clean_refusal(result, {2, 3, 4, 5, 6, 7, 8})
        if result.exit_code <= 4:  # bad input refused; 5-8 are outcomes of real work (e.g. refusals logged)
            assert snapshot(db_path) == before


NAME_COMMANDS = [
    ("tokens", "show", "{0}"), ("sync", "{0}"), ("priority", "set", "{0}", "1"), ("usage", "--app", "{0}"),
    ("usage", "--device", "{0}"), ("usage", "--user", "{0}"), ("devices", "show", "{0}"), ("users", "show", "{0}"),
    ("groups", "members", "{0}"), ("spaces", "remove", "{0}"), ("assign", "{0}", "--device", "IPAD0001"),
    ("assign", "1000000001", "--device", "{0}"), ("assign", "1000000001", "--user", "{0}"),
    ("log", "--device", "{0}"), ("move-space", "IPAD0001", "--to", "{0}", "--yes"),
]  # fmt: skip
unknown_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_ ", min_size=1, max_size=20).filter(
    lambda s: s.strip() and not s.startswith("-")
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(NAME_COMMANDS), name=unknown_names)
def test_an_unknown_name_is_exit_4_with_a_hint_in_every_command_that_takes_one(
    populated: Cli, db_path: Path, command: tuple[str, ...], name: str
) -> None:
    known = {"district", "highschool", "default", "carol", "IPAD0001", "ipad0001", "1000000001"}
    assume(name.strip() not in known and name.strip().upper() != "IPAD0001")
    before = snapshot(db_path)
    result = populated(*[part.format(name) for part in command])
    assert result.exit_code == 4, (command, name, result.output)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: no ") or " is in space " in lines[0], result.stderr
    assert lines[1].startswith(("Hint: did you mean", "Hint: list ", "Hint: add it with")), result.stderr
    assert snapshot(db_path) == before
