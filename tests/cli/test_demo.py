"""`abctl demo` runs the main job end to end on the in-process sandbox and exits 0."""

import shlex

from tests.conftest import Cli


def test_demo_walks_through_the_main_job(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    steps = [line for line in result.stderr.splitlines() if line.startswith("$ abctl ")]
    assert [shlex.split(s)[2:4] for s in steps] == [
        ["tokens", "add"], ["tokens", "add"], ["spaces", "add"], ["tokens", "add"], ["tokens", "list"],
        ["priority", "set"], ["distribute", "Math Quest"], ["assign", "Quiz Master"], ["assign", "Quiz Master"],
        ["apps", "add"], ["reconcile", "--dry-run"], ["reconcile"], ["reconcile"], ["move-space", "IPAD0002"],
        ["move-space", "IPAD0002"], ["apps", "delegate"], ["reconcile", "--space"], ["apps", "undelegate"],
        ["apps", "undelegate"], ["revoke", "Sketchbook Studio"], ["revoke", "Sketchbook Studio"],
        ["usage", "--grace"], ["events", "list"], ["drift", "district"], ["drift", "settle"],
        ["sync"], ["usage", "--app"], ["notifications"], ["tokens", "check"],
    ]  # fmt: skip
    assert "3 existing license(s) found on Apple" in result.stderr
    assert "Pocket Planetarium" in result.stdout
    assert "97.5" in result.stdout  # 39 of 40 district seats after the other system's 36
    assert "revoked" in result.stdout
    assert "Reservations served now: 1." in result.stderr
    assert "Error: 1 of 5 target(s) got no license" in result.stderr  # shown, and the demo goes on
    assert "no free seat in any account that may serve it" in result.stdout
    assert "Would release 0 license(s) and assign 5; 0 required install(s) refused." in result.stderr
    assert "Space `default` is reconciled: nothing to change." in result.stderr
    assert "Error: `IPAD0002` moved to `lab` without a license for: Quiz Master" in result.stderr
    assert "Macs that keep the app installed: MAC00001" in result.stderr
    assert "Delegated Code Garden (1000000007) to space `lab`" in result.stderr
    assert (
        result.stderr.count(
            "iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): IPAD0002\n"
            "Macs that keep the app installed: LABMAC001\n"
        )
        == 2
    )  # the dry run, then the run
    assert "Un-delegated Code Garden (1000000007) from space `lab`." in result.stderr
    assert "Revoked 1 license(s) in 1 Apple call(s)." in result.stderr
    assert "5 difference(s): 5 unknown, as Apple lists it now." in result.stderr  # the ghost and the 3 from before
    assert "Revoked 2 license(s) in 1 Apple call(s)." in result.stderr  # the ghost's, nothing else
    assert result.stderr.rstrip().endswith("Demo complete. Try the sandbox yourself: abctl sandbox serve --seed demo")
