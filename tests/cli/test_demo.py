"""`abctl demo` runs the main job end to end on the in-process sandbox and exits 0."""

from tests.conftest import Cli


def test_demo_walks_through_the_main_job(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    steps = [line for line in result.stderr.splitlines() if line.startswith("$ abctl ")]
    assert [s.split()[2:4] for s in steps] == [
        ["tokens", "add"], ["tokens", "add"], ["spaces", "add"], ["tokens", "add"], ["tokens", "list"],
        ["priority", "set"], ["sync"], ["usage", "--app"], ["notifications"], ["tokens", "check"],
    ]  # fmt: skip
    assert "3 existing license(s) found on Apple" in result.stderr
    assert "Pocket Planetarium" in result.stdout
    assert "97.5" in result.stdout  # 39 of 40 district seats after the other system's 36
    assert "revoked" in result.stdout
    assert result.stderr.rstrip().endswith("Demo complete. Try the sandbox yourself: abctl sandbox serve --seed demo")
