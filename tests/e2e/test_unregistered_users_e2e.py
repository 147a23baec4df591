"""Users abctl takes for enrolled but Apple no longer knows (removed by another MDM, a location reset): against a
sandbox answering a synchronous 9609, the unknown users are refused with the reason and the hint, the rest is
licensed by one more call, and everything goes through the ledger."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.outside import forget_user
from abctl.sandbox.seeds import Seed

USERS = [f"pupil{i:02d}" for i in range(10)]
GONE = ["pupil03", "pupil07"]


def enrolled_class(abctl: Cli, token_files: dict[str, Path]) -> None:
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    for user in USERS:
        abctl.expect("users", "add", user, "--managed-apple-id", f"{user}@springfield.edu")
    abctl.expect("users", "invite", *USERS)


def test_unknown_users_are_refused_and_the_rest_licensed_in_two_calls(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path, unthrottled: None
) -> None:
    enrolled_class(abctl, token_files)
    for user in GONE:
        forget_user(world.state, "district", user)
    world.state.reset_stats()
    result = abctl("--format", "json", "assign", "Sketchbook Studio", *[f"--user={u}" for u in USERS])
    assert result.exit_code == 7, result.output
    assert world.state.stats()["requests"]["district"]["POST assets/associate"] == 2
    rows = {row["target"]: row for row in json.loads(result.stdout)}
    assert sorted(u for u, row in rows.items() if row["result"] == "assigned") == sorted(set(USERS) - set(GONE))
    assert [rows[u]["reason"] for u in GONE] == [
        f"`{u}` is not registered with Apple in `district`; invite them: abctl users invite {u}" for u in GONE
    ]
    assert {rows[u]["result"] for u in GONE} == {"refused"}
    assert result.stderr.endswith(
        "Error: 2 of 10 target(s) got no license\n"
        "Hint: `pupil03` is not enrolled: run: abctl users invite pupil03\n"
        "      `pupil07` is not enrolled: run: abctl users invite pupil07\n"
    )
    located = world.state.location("district").assignments
    assert sorted(k[3] for k in located if k[0] == "1000000002") == sorted(set(USERS) - set(GONE))
    db = sqlite_utils.Database(db_path)  # a second handle: what the run committed
    licenses = db.execute("SELECT target_id, state, detail FROM licenses WHERE adam_id = '1000000002'"
                          " ORDER BY target_id").fetchall()  # fmt: skip
    assert [(t, s) for t, s, _ in licenses] == [(u, "failed" if u in GONE else "active") for u in USERS]
    assert {d for t, s, d in licenses if t in GONE} == {"9609: not registered with Apple"}
    events = db.execute("SELECT kind, state, event_id IS NOT NULL FROM events WHERE kind = 'associate'"
                        " ORDER BY id").fetchall()  # fmt: skip
    assert events == [("associate", "failed", 0), ("associate", "complete", 1)]
    statuses = dict(db.execute("SELECT client_user_id, status FROM apple_users").fetchall())
    assert [statuses[u] for u in GONE] == ["Deleted", "Deleted"]
    again = abctl("--format", "json", "assign", "Sketchbook Studio", "--user", GONE[0])
    assert again.exit_code == 7 and "abctl users invite" in json.loads(again.stdout)[0]["reason"]
    assert world.state.stats()["requests"]["district"]["POST assets/associate"] == 2  # refused locally this time


def test_inviting_them_again_makes_them_licensable(
    abctl: Cli, token_files: dict[str, Path], world: Seed, unthrottled: None
) -> None:
    enrolled_class(abctl, token_files)
    forget_user(world.state, "district", GONE[0])
    assert abctl("assign", "Sketchbook Studio", "--user", GONE[0]).exit_code == 7
    abctl.expect("users", "invite", GONE[0])
    result = abctl("--format", "json", "assign", "Sketchbook Studio", "--user", GONE[0])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["result"] == "assigned"
