"""`users import` and `devices import` check the whole file in one pass: every bad line is named, with its number,
in one run (at most 50 listed, the rest counted), and nothing is written while any line is bad."""

from pathlib import Path

import sqlite_utils
from tests.conftest import Cli


def rows(db_path: Path, table: str) -> list[dict[str, object]]:
    return list(sqlite_utils.Database(db_path)[table].rows)


def test_five_different_bad_rows_are_named_in_one_run(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    cli.expect("spaces", "add", "lab")
    cli.expect("users", "add", "carol")
    cli.expect("devices", "add", "LABMAC1", "--platform", "macos", "--space", "lab")
    path = tmp_path / "devices.csv"
    path.write_text(
        "serial,platform,owner,space\n"
        "IPAD01,ipados,carol,\n"  # good
        "IPAD02,android,,\n"  # a bad value
        "IPAD03,ipados,,labs\n"  # a space that does not exist
        "IPAD04,ipados,karol,\n"  # an owner who is not a user
        "ipad01,ipados,,\n"  # the same serial as line 2, in other letters
        "LABMAC1,macos,,\n"  # a device the database has in another space
        "IPAD05,ipados,,,extra\n"  # more values than columns
    )
    before = {table: rows(db_path, table) for table in ("devices", "users")}
    result = cli("devices", "import", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: line 3: platform `android` is not one of ios, ipados, macos, tvos, visionos (6 bad lines in "
        "devices.csv; nothing was imported)\n"
        "Hint: fix these lines and import the file again:\n"
        "  line 3: platform `android` is not one of ios, ipados, macos, tvos, visionos\n"
        "  line 4: no space named `labs` (did you mean `lab`?)\n"
        "  line 5: owner `karol` is not a user (did you mean `carol`?); add it first (abctl users add or users "
        "import)\n"
        "  line 6: serial `IPAD01` repeats line 2\n"
        "  line 7: device `LABMAC1` is in space `lab`; move it with: abctl move-space LABMAC1 --to default\n"
        "  line 8: 5 values for 4 columns\n"
    )
    assert {table: rows(db_path, table) for table in ("devices", "users")} == before


def test_header_and_row_problems_come_together(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("client_user_id,email,colour\nann,not-mail,red\n,b@example.org,\nann,,\n")
    result = cli("users", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.split("Hint: ")[1] == (
        "fix these lines and import the file again:\n"
        "  line 1: unknown column `colour`\n"
        "  line 2: email `not-mail` is not an email address\n"
        "  line 3: client_user_id is missing\n"
        "  line 4: user `ann` repeats line 2\n"
    )
    assert not db_path.exists()  # nothing imported: the first command leaves no database


def test_a_group_spelled_in_another_case_is_a_typo_not_a_new_group(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    cli.expect("groups", "add", "Teachers")
    path = tmp_path / "users.json"
    path.write_text(
        '[\n{"client_user_id": "ann", "groups": ["teachers"]},\n{"client_user_id": "bo", "groups": "chess;Chess"}\n]'
    )
    result = cli("users", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.split("Hint: ")[1] == (
        "fix these lines and import the file again:\n"
        "  line 2: group `teachers` is spelled `Teachers` in space `default`\n"
        "  line 3: group `Chess` is spelled `chess` in space `default`\n"
    )
    assert rows(db_path, "users") == [] and [g["name"] for g in rows(db_path, "groups")] == ["Teachers"]


def test_at_most_50_lines_are_listed_and_the_rest_counted(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "devices.csv"
    path.write_text("serial,platform\n" + "".join(f"D{i:03d},windows\n" for i in range(120)))
    result = cli("devices", "import", str(path))
    assert result.exit_code == 2
    listed = result.stderr.split("Hint: ")[1].splitlines()
    assert listed[0] == "fix these lines and import the file again:"
    assert listed[1].startswith("  line 2: platform `windows`") and listed[50].startswith("  line 51: ")
    assert listed[51:] == ["  ... and 70 more bad lines"]
    assert "(120 bad lines in devices.csv; nothing was imported)" in result.stderr
    assert not db_path.exists()  # nothing imported: the first command leaves no database
