"""Exit 7 through the real CLI: the hint names the real next command for each reason a license was refused, and
an unenrolled user's refusal carries the invite URL Apple gave (R8) in the table and in json (`invite_url`)."""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.test_assign_e2e import add_devices

from abctl.sandbox.seeds import Seed

INDENT = "\n      "


@pytest.fixture
def school(abctl: Cli, token_files: dict[str, Path], db_path: Path, unthrottled: None) -> Cli:
    abctl.expect("spaces", "add", "lab")
    for name, space in (("district", "default"), ("highschool", "default"), ("research", "lab")):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]), "--space", space)
    add_devices(db_path, [f"P{i}" for i in range(1, 6)])
    abctl.expect("users", "add", "carol")
    abctl.expect("users", "add", "dan")
    abctl.expect("users", "invite", "carol")  # Registered with both accounts of the space: an invite code each
    return abctl


def invite_url(db_path: Path, user: str, account: str) -> str:
    code = (
        sqlite_utils.Database(db_path)
        .execute(
            "SELECT u.invite_code FROM apple_users u JOIN accounts a ON a.id = u.account_id"
            " WHERE u.client_user_id = ? AND a.name = ?",
            (user, account),
        )
        .fetchone()[0]
    )
    return f"http://sandbox.test/invite?inviteCode={code}&mt=8"


def test_no_seat_names_the_full_accounts_and_the_usage_command(school: Cli) -> None:
    result = school("assign", "Quiz Master", *[f"--device=P{i}" for i in range(1, 6)])
    assert result.exit_code == 7
    assert result.stderr.endswith(
        "Error: 1 of 5 target(s) got no license\n"
        "Hint: no free seat for `Quiz Master`: `district` (2 of 2 used), `highschool` (2 of 2 used) are full; "
        "see: abctl usage --app 'Quiz Master'\n"
    ), result.stderr


def test_not_owned_names_the_spaces_whose_accounts_own_it(school: Cli) -> None:
    result = school("assign", "Lab Notebook Pro", "--device", "P1")
    assert result.exit_code == 7
    assert result.stderr.endswith(
        "Hint: no account of space `default` owns `Lab Notebook Pro`; it is owned in space `lab`: `research` "
        "(licenses serve their own space)\n"
    ), result.stderr


def test_owned_nowhere_says_so_and_how_to_get_it(school: Cli) -> None:
    school.expect("apps", "add", "1000000099")  # in the catalog, bought by nobody yet
    result = school("assign", "1000000099", "--device", "P1")
    assert result.exit_code == 7
    assert result.stderr.endswith(
        "Hint: no account owns `1000000099` in any space: buy it in Apps and Books, then run: abctl sync\n"
    ), result.stderr


def test_an_unenrolled_user_gets_the_invite_url_in_json_table_and_hint(school: Cli, db_path: Path) -> None:
    url = invite_url(db_path, "carol", "district")
    result = school("--format", "json", "assign", "Field Guide to Birds", "--user", "carol", "--user", "dan")
    assert result.exit_code == 7
    rows = json.loads(result.stdout)
    assert [(r["target"], r["result"], r["reason"], r["invite_url"]) for r in rows] == [
        ("carol", "refused", "`carol` is not enrolled with `district`; send them the invite URL", url),
        ("dan", "refused", "`dan` is not enrolled with `district`; run: abctl users invite dan", None),
    ]
    assert result.stderr.endswith(
        "Error: 2 of 2 target(s) got no license\n"
        f"Hint: `carol` is not enrolled: send them {url} (or see it again with: abctl users invite carol)"
        f"{INDENT}`dan` is not enrolled: run: abctl users invite dan\n"
    ), result.stderr
    people = school("assign", "Field Guide to Birds", "--user", "carol")
    assert people.exit_code == 7 and f"carol:\n  {url}\n" in people.stdout
    assert people.stderr.endswith(  # the URL is on screen already: the hint fits the screen
        "Hint: `carol` is not enrolled: send them their invite URL above\n"
    ), people.stderr
    table = school("assign", "Field Guide to Birds", "--user", "carol", "--dry-run")
    assert table.exit_code == 0 and "Invite URL" not in table.stdout.split("\n\n")[0]  # no column for it
    assert table.stdout.endswith(  # whole, on a line of its own under the table: a column would pass 80 columns
        f"\nInvite URLs (each user opens theirs on their device):\ncarol:\n  {url}\n"
    ), table.stdout


def test_users_invite_without_names_suggests_the_waiting_users(school: Cli) -> None:
    result = school("users", "invite")
    assert (result.exit_code, result.stderr) == (
        2, "Error: name the users to invite, or give --all-pending\n"
        "Hint: abctl users invite carol dan, or abctl users invite --all-pending\n"
    )  # fmt: skip


def test_a_book_for_a_device_suggests_its_owner(school: Cli, db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    db.execute("UPDATE devices SET owner = 'dan' WHERE serial = 'P1'")
    db.conn.commit()
    result = school("assign", "Field Guide to Birds", "--device", "P1")
    assert result.exit_code == 7
    assert result.stderr.endswith(
        "Hint: `Field Guide to Birds` is licensed to users, not devices: "
        "abctl assign 'Field Guide to Birds' --user dan --space default\n"
    ), result.stderr


def test_move_space_names_why_an_app_stays_behind(school: Cli) -> None:
    school.expect("assign", "Pocket Planetarium", "--device", "p1")
    result = school("move-space", "p1", "--to", "lab", "--yes")
    assert result.exit_code == 7
    assert result.stderr.endswith(
        "Error: `P1` moved to `lab` without a license for: Pocket Planetarium\n"
        "Hint: no account of space `lab` owns `Pocket Planetarium`; the default space's `district`, `highschool` can "
        "lend it: abctl apps delegate 'Pocket Planetarium' --to lab\n"
    ), result.stderr
    school.expect("apps", "delegate", "Pocket Planetarium", "--to", "lab")  # the hint's command works
    served = school("--format", "json", "assign", "Pocket Planetarium", "--device", "P1", "--space", "lab")
    assert [(r["account"], r["result"]) for r in json.loads(served.stdout)] == [("district", "assigned")]


def test_a_write_refused_for_a_revoked_token_names_that_accounts_rotation(school: Cli, world: Seed) -> None:
    school.expect("assign", "Math Quest", "--device", "P1")
    world.state.revoke_token("district")
    result = school("revoke", "Math Quest", "--device", "P1", "--yes")
    assert result.exit_code == 3
    assert result.stderr.endswith(
        "Hint: Upload a valid Apps and Books sToken, then run: abctl tokens update district --file NEW.vpptoken\n"
    ), result.stderr
