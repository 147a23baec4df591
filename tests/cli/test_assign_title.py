"""An assign's title names a few apps and counts the rest, so 30 apps do not fill the screen before the table."""

from abctl.cli.assign import _label


def test_a_few_apps_are_all_named_and_more_are_counted() -> None:
    assert _label(["Pocket Planetarium"]) == "Pocket Planetarium"
    assert _label(["A", "B", "C", "D"]) == "A, B, C, D"
    assert _label([f"App {n}" for n in range(30)]) == "App 0, App 1, App 2 and 27 more apps"
