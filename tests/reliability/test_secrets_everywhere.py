"""Secrets: every command (plain, `--format json`, `--debug`, HTTP traces, failing paths) runs with a known sToken,
which then appears in no output, error, traceback or database table but `secrets`; no command takes a token as an
argument; the database stays 0600 after every write path."""

from __future__ import annotations

import base64
import json
import stat
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import typer
from tests.conftest import Cli
from typer.testing import Result

from abctl.apple.transport import in_process_transport
from abctl.cli.app import app
from abctl.cli.context import Overrides
from abctl.redaction import HIDDEN, redact
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import demo

API = "http://sandbox.test/mdm/v2/"
NOT_RUN = {"demo": "its own temporary data and sandbox tokens", "sandbox serve": "blocks until interrupted"}


def leaf_commands() -> dict[str, list[str]]:
    """Every command path with its parameter names."""
    found: dict[str, list[str]] = {}

    def walk(command: Any, path: list[str]) -> None:
        if not hasattr(command, "list_commands"):
            found[" ".join(path)] = [str(p.name) for p in command.params]
            return
        for name in command.list_commands(None):  # the root loads each command module as it is asked for
            walk(command.get_command(None, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def session(token_path: Path, revoked_path: Path, bad_path: Path, tmp: Path) -> list[tuple[str, ...]]:
    """One invocation or more of every command, successes and failures, with the known token in play."""
    devices = tmp / "devices.csv"
    devices.write_text("serial,platform,owner\nSEC0001,ipados,carol\nSEC0002,macos,\n")
    users = tmp / "users.csv"
    users.write_text("client_user_id,email,groups\ncarol,carol@springfield.edu,students\nzoe,zoe@x.edu,\n")
    targets = tmp / "targets.txt"
    targets.write_text("device:SEC0001\n")
    return [
        ("spaces", "add", "lab"), ("spaces", "list"), ("spaces", "show", "lab"),
        ("tokens", "add", "district", "--file", str(token_path)),
        ("tokens", "add", "broken", "--file", str(bad_path)),  # malformed: refused
        ("tokens", "add", "gone", "--file", str(revoked_path)),  # Apple says revoked: refused
        ("tokens", "add", "nofile", "--file", str(tmp / "missing.vpptoken")),
        ("tokens", "list"), ("tokens", "show", "district"), ("tokens", "check"),
        ("tokens", "update", "district", "--file", str(token_path)),
        ("tokens", "update", "district", "--file", str(bad_path)),
        ("tokens", "resync", "district"), ("priority", "list"), ("priority", "set", "district", "1"),
        ("sync",), ("sync", "--full"), ("events", "list"),
        ("users", "import", str(users)), ("users", "add", "yan", "--email", "yan@x.edu"), ("users", "list"),
        ("devices", "import", str(devices)), ("devices", "add", "SEC0003", "--platform", "ios"),
        ("devices", "list"), ("devices", "show", "SEC0001"),
        ("users", "show", "carol"), ("users", "invite", "carol"), ("users", "invite", "--all-pending"),
        ("groups", "add", "cart"), ("groups", "list"), ("groups", "add-member", "cart", "carol"),
        ("groups", "members", "cart"), ("groups", "remove-member", "cart", "carol"),
        ("apps", "list"), ("apps", "add", "1000000007"), ("apps", "delegate", "1000000007", "--to", "lab"),
        ("distribute", "1000000007"),
        ("distribute", "1000000007", "--account", "district", "--fcfs", "All Users"),
        ("assign", "1000000001", "--from", str(targets)), ("assign", "1000000007", "--device", "SEC0003"),
        ("assign", "1000000001", "--device", "NOSUCH"), ("events", "wait"), ("reconcile", "--dry-run"),
        ("reconcile",), ("drift", "list", "--refresh"), ("drift", "settle", "--revoke", "--dry-run"),
        ("drift", "settle", "--forget", "--yes"), ("usage",), ("usage", "--device", "SEC0001"),
        ("notifications", "--all"), ("log",),
        ("backup", str(tmp / "nightly.db")), ("backup", str(tmp / "full.db"), "--with-tokens"),
        ("restore", str(tmp / "full.db"), "--yes"), ("doctor",), ("doctor", "--probe"),
        ("revoke", "1000000001", "--device", "SEC0001", "--yes"),
        ("move-space", "SEC0003", "--to", "lab", "--yes"),
        ("apps", "undelegate", "1000000007", "--from", "lab", "--yes"), ("apps", "remove", "1000000007", "--yes"),
        ("devices", "retire", "SEC0002", "--yes"), ("devices", "wipe", "SEC0003", "--yes"),
        ("devices", "unenroll", "SEC0001", "--yes"),
        ("users", "retire", "zoe"), ("users", "delete", "yan", "--yes"),
        ("sandbox", "token", "spare", "-o", str(tmp / "spare.vpptoken")),
        ("tokens", "move", "district", "--to", "lab", "--keep-licenses"),
        ("tokens", "move", "district", "--to", "default", "--yes"),
        ("tokens", "delete", "district", "--yes"), ("spaces", "remove", "lab"),
    ]  # fmt: skip


def secrets_of(text: str) -> list[str]:
    """The token file's text and the secret inside it, and long pieces of each (a partial leak is a leak)."""
    inner = json.loads(base64.b64decode(text))["token"]
    return [text, text[:24], text[-24:], inner, inner[:16]]


@pytest.mark.parametrize("mode", [(), ("--format", "json"), ("--debug",)], ids=["plain", "json", "debug"])
def test_the_token_shows_nowhere_and_the_database_stays_private(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, mode: tuple[str, ...]
) -> None:
    world = demo(now=datetime.now(UTC))
    world.state.max_request_per_second = 100_000
    monkeypatch.setenv("ABCTL_API_URL", API)
    monkeypatch.setenv("ABCTL_DEBUG_HTTP", "1")
    cli = Cli(Overrides(transport=in_process_transport(SandboxApp(world.state)), sleep=lambda seconds: None))
    district = next(token for token in world.tokens if token.name == "district")
    research = next(token for token in world.tokens if token.name == "research")
    world.state.revoke_token("research")
    token_path, revoked_path, bad_path = tmp_path / "d.vpptoken", tmp_path / "r.vpptoken", tmp_path / "bad.vpptoken"
    token_path.write_text(district.text)
    revoked_path.write_text(research.text)
    bad_path.write_text(district.text[:-7])
    forbidden = secrets_of(district.text) + secrets_of(research.text) + [district.text[:-7]]
    codes: dict[tuple[str, ...], int] = {}
    for args in session(token_path, revoked_path, bad_path, tmp_path):
        result = cli(*mode, *args)
        codes[args] = result.exit_code
        shown = result.stdout + result.stderr + _traceback(result)
        assert not [secret for secret in forbidden if secret in shown], (args, shown)
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600, args
        for sidecar in (db_path.with_name("abctl.db-wal"), db_path.with_name("abctl.db-shm")):
            assert not sidecar.exists() or stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0, args
    failing = {args: code for args, code in codes.items() if code != 0}
    assert {args[:2] for args in failing} >= {("tokens", "add"), ("tokens", "update")}, failing
    assert codes[("tokens", "add", "district", "--file", str(token_path))] == 0
    assert sum(1 for code in codes.values() if code == 0) >= 50  # the session really ran, it did not stop early
    db = sqlite_utils.Database(db_path)
    for table in db.table_names():
        dump = json.dumps(list(db[table].rows), default=str)
        assert table == "secrets" or not [secret for secret in forbidden if secret in dump], table
    db.close()


def _traceback(result: Result) -> str:
    if result.exc_info is None or isinstance(result.exception, SystemExit):
        return ""
    return "".join(traceback.format_exception(*result.exc_info))


def test_every_command_is_in_the_session_and_none_takes_a_token_argument(tmp_path: Path) -> None:
    commands = leaf_commands()
    ran = {" ".join(a for a in args if not a.startswith("-") and "/" not in a)
           for args in session(tmp_path / "t", tmp_path / "r", tmp_path / "b", tmp_path)}  # fmt: skip
    missing = [name for name in commands if name not in NOT_RUN and not any(r.startswith(name) for r in ran)]
    assert missing == []
    for name, params in commands.items():
        named = [p for p in params if any(word in p.lower() for word in ("token", "secret", "bearer"))]
        # `sandbox serve --token-dir`: where it writes sandbox tokens; `backup --with-tokens`: a flag, takes no value
        assert named in ([], ["token_dir"], ["with_tokens"]), name
    assert commands["tokens add"][:2] == ["name", "file"] and commands["tokens update"][:2] == ["name", "file"]


def test_a_token_pasted_where_a_name_or_path_goes_is_not_echoed(cli: Cli, tmp_path: Path) -> None:
    world = demo(now=datetime.now(UTC))
    text = world.tokens[0].text
    unreachable = ("--api-url", "http://127.0.0.1:9/mdm/v2/")
    for args in (("tokens", "add", "x", "--file", text), ("tokens", "add", text, "--file", "-"),
                 ("spaces", "add", text), ("--debug", "spaces", "add", text),
                 (*unreachable, "tokens", "add", "stdin", "--file", "-"),
                 (*unreachable, "--debug", "tokens", "add", "stdin", "--file", "-")):  # fmt: skip
        result = cli(*args, input=text, overrides=Overrides(sleep=lambda seconds: None))  # retries cost nothing
        assert result.exit_code != 0
        shown = result.stdout + result.stderr + _traceback(result)
        assert not [secret for secret in secrets_of(text) if secret in shown], (args, shown)


def test_redact_hides_token_text_and_leaves_everything_else() -> None:
    text = demo(now=datetime.now(UTC)).tokens[0].text
    assert redact(f"cannot read the token file `{text}`: no such file or directory") == (
        f"cannot read the token file `{HIDDEN}`: no such file or directory"
    )
    assert redact(f"x {text[:40]} y") == f"x {HIDDEN} y"
    plain = "/very/long/path/to/some/file/called/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij.csv 1000000001 DMPX1234"
    assert redact(plain) == plain
    other = base64.b64encode(b"just some long bytes that are not a token at all").decode()
    assert redact(other) == other


def test_an_error_echoing_control_characters_stays_one_printable_line(cli: Cli, existing_db: Path) -> None:
    result = cli("spaces", "remove", "a\nb\x1b[31mc\x1e")
    assert result.exit_code == 4
    assert result.stderr.split("\n")[0] == "Error: no space named `a\\nb\\x1b[31mc\\x1e`"
