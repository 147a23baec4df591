"""`-q`: a change that succeeds prints nothing at all (cron mails nobody); reads still print their data; errors
always print. Run on the demo's data, each command for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.cli.demo_world import DemoWorld, build


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    yield build(tmp_path_factory.mktemp("quiet"), 80)


@pytest.mark.parametrize(
    "args",
    [
        ["sync"],
        ["sync", "--full"],
        ["reconcile"],
        ["assign", "Math Quest", "--device", "IPHONE001"],
        ["revoke", "Math Quest", "--device", "IPHONE001", "--yes"],
        ["tokens", "resync", "--all"],
        ["users", "retire", "erin"],
        ["devices", "retire", "SHAREDPAD1", "--yes"],
        ["move-space", "LABMAC001", "--to", "default", "--yes"],
        ["distribute", "Code Garden", "--account", "district", "--fcfs", "teachers"],
    ],
    ids=" ".join,
)
def test_a_successful_change_prints_nothing(world: DemoWorld, args: list[str]) -> None:
    result = world.run("-q", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output


def test_invite_prints_only_the_invite_urls(world: DemoWorld) -> None:
    result = world.run("-q", "users", "invite", "erin")
    assert result.exit_code == 0 and result.stderr == "", result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if not line.startswith("  ")] == ["erin in `district`:", "erin in `highschool`:"]
    assert all(line.startswith("  http://sandbox.demo/invite?inviteCode=") for line in lines[1::2])


def test_tokens_update_and_imports_are_silent(world: DemoWorld) -> None:
    token = (world.home / "research.vpptoken").read_text()
    result = world.run("-q", "tokens", "update", "research", "--file", "-", input=token)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output
    (world.home / "staff.csv").write_text("client_user_id,email\nzoe,zoe@springfield.edu\n")
    result = world.run("-q", "users", "import", str(world.home / "staff.csv"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output
    (world.home / "devices.csv").write_text("serial,platform\nIPAD0099,ipados\n")
    result = world.run("-q", "devices", "import", str(world.home / "devices.csv"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output


def test_reads_still_print_their_data(world: DemoWorld) -> None:
    for args in (["tokens", "list"], ["usage"], ["events", "list"], ["notifications"]):
        result = world.run("-q", *args)
        assert result.exit_code == 0 and result.stdout and result.stderr == "", (args, result.output)


def test_a_refused_change_still_says_why(world: DemoWorld) -> None:
    result = world.run("-q", "assign", "Quiz Master", "--device", "IPAD0001", "--device", "MAC00001")
    assert result.exit_code == 7
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
