"""Unknown names through the real CLI: exit 4, `Error:` naming what was typed, `Hint:` with the closest known
name; and serial numbers in any letter case. Demo sandbox: accounts district and highschool (space default)."""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.test_assign_e2e import add_devices, setup


@pytest.fixture
def school(abctl: Cli, token_files: dict[str, Path], db_path: Path, unthrottled: None) -> Cli:
    setup(abctl, token_files)
    add_devices(db_path, ["DMPX0001", "DMPX0002"])
    abctl.expect("users", "add", "carol")
    abctl.expect("groups", "add", "students")
    return abctl


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (("assign", "1000000099", "--device", "DMPX0001"),
         "Error: no app with adamId `1000000099`\nHint: did you mean `1000000009` (Atlas Explorer)?\n"),
        (("assign", "Math Quets", "--device", "DMPX0001"),
         "Error: no app named `Math Quets`\nHint: did you mean `Math Quest`?\n"),
        (("assign", "Math Quest", "--device", "DMPX0003"),
         "Error: no device with serial `DMPX0003`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("assign", "Math Quest", "--user", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("assign", "Math Quest", "--group", "student"),
         "Error: no group `student` in space `default`\nHint: did you mean `students`?\n"),
        (("assign", "Math Quest", "--device", "DMPX0001", "--space", "defualt"),
         "Error: no space named `defualt`\nHint: did you mean `default`?\n"),
        (("tokens", "show", "distrct"), "Error: no account named `distrct`\nHint: did you mean `district`?\n"),
        (("sync", "district", "highscool"),
         "Error: no account named `highscool`\nHint: did you mean `highschool`?\n"),
        (("priority", "set", "highscool", "1"),
         "Error: no account named `highscool`\nHint: did you mean `highschool`?\n"),
        (("distribute", "Math Quest", "--account", "distrct"),
         "Error: no account named `distrct`\nHint: did you mean `district`?\n"),
        (("distribute", "Math Quest", "--account", "district", "--disallow", "karol"),
         "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("distribute", "Math Quest", "--account", "district", "--reserve", "device:dmpx0009"),
         "Error: no device with serial `DMPX0009`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("revoke", "Math Quest", "--device", "dmpx001", "--yes"),
         "Error: no device with serial `DMPX001`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("usage", "--user", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("log", "--device", "DMPX0003"),
         "Error: no device with serial `DMPX0003`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("users", "show", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("users", "invite", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("groups", "add-member", "student", "carol"),
         "Error: no group `student` in space `default`\nHint: did you mean `students`?\n"),
        (("groups", "add-member", "students", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("devices", "show", "dmpx0003"),
         "Error: no device with serial `DMPX0003`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("devices", "retire", "dmpx0003", "--yes"),
         "Error: no device with serial `DMPX0003`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("move-space", "dmpx0003", "--to", "default", "--yes"),
         "Error: no device with serial `DMPX0003`\nHint: did you mean `DMPX0001` or `DMPX0002`?\n"),
        (("move-space", "dmpx0001", "--to", "lap", "--yes"),
         "Error: no space named `lap`\nHint: did you mean `lab`?\n"),
        (("spaces", "remove", "lap"), "Error: no space named `lap`\nHint: did you mean `lab`?\n"),
        (("devices", "list", "--owner", "karol"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("drift", "distrct"), "Error: no account named `distrct`\nHint: did you mean `district`?\n"),
        (("apps", "add", "Math Quets"), "Error: no app named `Math Quets`\nHint: did you mean `Math Quest`?\n"),
        (("apps", "delegate", "Math Quest", "--to", "lap"), "Error: no space named `lap`\nHint: did you mean `lab`?\n"),
        (("tokens", "move", "distrct", "--to", "lab", "--yes"),
         "Error: no account named `distrct`\nHint: did you mean `district`?\n"),
        (("users", "delete", "karol", "--yes"), "Error: no user `karol`\nHint: did you mean `carol`?\n"),
        (("groups", "members", "student"),
         "Error: no group `student` in space `default`\nHint: did you mean `students`?\n"),
    ],
)  # fmt: skip
def test_unknown_names_exit_4_with_the_closest_name(
    school: Cli, db_path: Path, args: tuple[str, ...], stderr: str
) -> None:
    school.expect("spaces", "add", "lab")
    before = sqlite_utils.Database(db_path).execute("SELECT count(*) FROM events").fetchone()
    result = school(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", stderr), args
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM events").fetchone() == before


def test_serials_are_case_insensitive_everywhere(school: Cli, db_path: Path) -> None:
    lower = school("--format", "json", "assign", "Math Quest", "--device", "dmpx0001")
    assert lower.exit_code == 0, lower.output
    assert [(r["target"], r["result"]) for r in json.loads(lower.stdout)] == [("DMPX0001", "assigned")]
    again = school("--format", "json", "assign", "Math Quest", "--device", "DMPX0001", "--device", "Dmpx0001")
    assert [(r["target"], r["result"]) for r in json.loads(again.stdout)] == [("DMPX0001", "already licensed")]
    rows = sqlite_utils.Database(db_path).execute("SELECT target_id FROM licenses WHERE state = 'active'").fetchall()
    assert ("DMPX0001",) in rows and ("dmpx0001",) not in rows
    shown = json.loads(school("--format", "json", "usage", "--device", "dmpx0001").stdout)
    assert [row["serial"] for row in shown] == ["DMPX0001"]
    school.expect("revoke", "Math Quest", "--device", "dMpX0001", "--yes")
    assert sqlite_utils.Database(db_path).execute(
        "SELECT state FROM licenses WHERE target_id = 'DMPX0001'"
    ).fetchone() == ("revoked",)
