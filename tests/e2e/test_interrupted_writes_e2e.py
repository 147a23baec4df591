"""Ctrl-C during a command that writes to Apple (issue 16.8): one line of what reached Apple (the ledger's rows of
this run), what did not, and how to finish; exit 130; the ledger intact; running the line's command finishes."""

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.test_assign_e2e import add_devices, setup

from abctl.sandbox.seeds import Seed
from abctl.services.licensing import execute
from abctl.store import Store


def ctrl_c_at_call(monkeypatch: pytest.MonkeyPatch, call: int, *, settled: bool) -> None:
    """Ctrl-C arrives while the `call`th associate call is on its way (settled: just after its event settled)."""
    original = execute.settle_write
    calls = {"n": 0}

    def settle(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call and not settled:
            raise KeyboardInterrupt
        result = original(*args, **kwargs)
        if calls["n"] == call:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(execute, "settle_write", settle)


@pytest.mark.parametrize("settled", [True, False], ids=["after-a-settled-call", "before-its-event-settled"])
def test_ctrl_c_in_assign_says_what_reached_apple_and_the_rerun_finishes(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, settled: bool,
) -> None:  # fmt: skip
    world.state.set_total("district", "1000000001", 3000)
    setup(abctl, token_files)
    serials = [f"CART{i:05d}" for i in range(2500)]
    add_devices(db_path, serials)
    targets = tmp_path / "targets.txt"
    targets.write_text("\n".join(f"device:{s}" for s in serials) + "\n")
    command = ["assign", "1000000001", "--from", str(targets)]

    with monkeypatch.context() as patch:
        ctrl_c_at_call(patch, 2, settled=settled)
        result = abctl(*command)
    assert result.exit_code == 130, result.output
    again = f"abctl assign 1000000001 --from {targets}"
    if settled:
        expected = f"Interrupted: 2 Apple write(s) recorded in the ledger and settled, the rest not sent; run {again}"
    else:
        expected = (
            "Interrupted: 2 Apple write(s) recorded in the ledger (1 not settled), the rest not sent;"
            f" run abctl events wait, then {again}"
        )
    assert result.stderr.splitlines()[-1] == expected
    assert [line for line in result.stderr.splitlines() if line.startswith("Interrupted")] == [expected]
    db = sqlite_utils.Database(db_path)
    states = dict(db.execute("SELECT state, count(*) FROM events GROUP BY state").fetchall())
    assert states == ({"complete": 2} if settled else {"complete": 1, "pending": 1})
    assert len(world.state.location("district").assignments) == 3 + 2000  # the third call was never sent

    if not settled:
        assert abctl("events", "wait").exit_code == 0
    rerun = abctl(*command)
    assert rerun.exit_code == 0, rerun.output
    assert len(world.state.location("district").assignments) == 3 + 2500
    # A call whose event settled just before Ctrl-C may not have marked its licenses active yet: they stay
    # pending (held, never sent twice) until the next sync confirms them from Apple's listing.
    assert abctl("sync").exit_code == 0
    assert db.execute("SELECT count(*) FROM licenses WHERE state = 'active' AND source = 'admin'").fetchone() == (2500,)
    assert db.execute("SELECT count(*) FROM events WHERE state != 'complete'").fetchone() == (0,)


def test_ctrl_c_before_any_write_says_nothing_changed(
    abctl: Cli, token_files: dict[str, Path], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(abctl, token_files)
    add_devices(db_path, ["CART00001"])

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(execute, "send_write", stopped)
    result = abctl("assign", "1000000001", "--device", "CART00001")
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == (
        "Interrupted: nothing was sent to Apple, nothing changed; run abctl assign 1000000001 --device CART00001"
    )
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_ctrl_c_in_tokens_add_before_the_account_is_recorded(
    abctl: Cli, token_files: dict[str, Path], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abctl.services.accounts import tokens

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(tokens, "_validate_with_apple", stopped)
    result = abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        f"Interrupted: `district` not added, nothing changed; run abctl tokens add district --file"
        f" {token_files['district']}"
    ]
    assert not db_path.exists()  # the interrupted first command leaves no database behind


def test_ctrl_c_in_an_import_says_nothing_was_imported(
    abctl: Cli, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abctl.services.inventory import users

    Store.open(db_path).close()  # an existing database (a first import would leave none behind)
    rows = tmp_path / "staff.csv"
    rows.write_text("client_user_id,email\nu1,u1@example.org\n")

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(users, "import_users", stopped)
    result = abctl("users", "import", str(rows))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        f"Interrupted: nothing imported (an import is all or nothing); run abctl users import {rows}"
    ]
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM users").fetchone() == (0,)
