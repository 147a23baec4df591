"""One convention for input files (issue 16.13): `--file F`, `-` for standard input, across tokens and imports;
the imports keep their positional form."""

import json
from pathlib import Path

import pytest
from tests.conftest import Cli

USERS = "client_user_id,email\nu1,u1@example.org\nu2,u2@example.org\n"
DEVICES = "serial,platform\nDMPX0001,ipados\n"


@pytest.mark.parametrize(("kind", "text", "key"), [("users", USERS, "client_user_id"), ("devices", DEVICES, "serial")])
@pytest.mark.parametrize("form", ["--file", "-F", "positional", "stdin"])
def test_imports_take_the_file_with_file_or_positionally(
    cli: Cli, tmp_path: Path, kind: str, text: str, key: str, form: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    if form == "stdin":
        result = cli(kind, "import", "--file", "-", input=text)
    elif form == "positional":
        result = cli(kind, "import", str(path))
    else:
        result = cli(kind, "import", form, str(path))
    assert result.exit_code == 0, result.output
    listed = json.loads(cli.expect(kind, "list", "-o", "json").stdout)
    assert sorted(row[key] for row in listed) == sorted(line.split(",")[0] for line in text.splitlines()[1:])


def test_two_different_files_are_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli("users", "import", str(tmp_path / "a.csv"), "--file", str(tmp_path / "b.csv"))
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == f"Error: two files given (`{tmp_path / 'a.csv'}` and --file `{tmp_path / 'b.csv'}`)"
    )


def test_no_file_says_how_to_give_one(cli: Cli) -> None:
    result = cli("devices", "import")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no file given\nHint: abctl devices import --file FILE (or --file - to read standard input)\n"
    )


def test_tokens_read_the_file_or_standard_input_the_same_way(cli: Cli) -> None:
    result = cli("tokens", "add", "x", "--file", "/nonexistent/x.vpptoken")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Error: cannot read the token file `/nonexistent/x.vpptoken`: no such file or directory"
    )
