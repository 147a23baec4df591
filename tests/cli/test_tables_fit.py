"""Every table, drawn from the demo's data at 80 and 160 columns: every line fits, no identifier is cut (no `…`,
no app name, adamId, serial, user, account, event id, invite URL or date broken), and at 80 columns the default
columns all fit (no "columns hidden" note), except where a view says which ones go first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator

import pytest
from tests.cli.demo_world import DemoWorld, build

from abctl.sandbox.seeds import DEMO_APPS

READS = [
    ["tokens", "list"], ["tokens", "check"], ["priority", "list"], ["spaces", "list"], ["apps", "list"],
    ["distribute", "Math Quest"], ["assign", "Quiz Master", "--device", "IPAD0001", "--device", "SHAREDPAD1",
                                   "--dry-run"],
    ["events", "list"], ["usage"], ["usage", "--app", "Pocket Planetarium"], ["usage", "--grace"],
    ["usage", "--user", "carol"], ["usage", "--device", "IPAD0001"], ["notifications"], ["notifications", "--all"],
    ["log"], ["users", "list"], ["users", "show", "carol"], ["devices", "list"], ["devices", "show", "IPAD0001"],
    ["groups", "list"], ["groups", "members", "students"], ["tokens", "show", "district"],
    ["revoke", "Pocket Planetarium", "--all", "--dry-run"], ["move-space", "IPAD0001", "--to", "lab", "--dry-run"],
    ["reconcile", "--dry-run"], ["tokens", "resync", "research"], ["sync"], ["drift"], ["spaces", "show", "default"],
    ["spaces", "show", "lab"],
]  # fmt: skip
URL = "http://sandbox.demo/invite?inviteCode="  # the sandbox's invite URLs: this, 20 hex digits, `&mt=8`
# log: its account and detail give way first (test_log.py names them); notifications --all adds Cleared, and
# Raised gives way to it; usage and a user's licenses: the cost (the demo's apps have prices) gives way first
MAY_SHED_AT_80 = {
    "log",
    "notifications --all",
    "usage",
    "usage --app Pocket Planetarium",
    "users show carol",
    "devices show IPAD0001",
}
CODES = {("tokens", "check"): 8}


@pytest.fixture(scope="module", params=[80, 160])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    width = int(request.param)
    yield build(tmp_path_factory.mktemp(f"demo{width}"), width)


def identifiers(world: DemoWorld) -> set[str]:
    found = {name for _, name, *_ in DEMO_APPS} | {adam_id for adam_id, *_ in DEMO_APPS}
    found |= {str(device["serial"]) for device in world.world.devices}
    found |= {str(user["client_user_id"]) for user in world.world.users} | {t.name for t in world.world.tokens}
    with sqlite3.connect(world.home / "abctl.db") as db:
        found |= {row[0] for row in db.execute("SELECT event_id FROM events WHERE event_id IS NOT NULL")}
        found |= {f"{URL}{row[0]}&mt=8" for row in db.execute("SELECT invite_code FROM apple_users")}
    return found


def problems(text: str, width: int, known: set[str]) -> list[str]:
    """What is wrong with a table: lines too long, `…`, an identifier broken across lines or shortened."""
    found = [f"line of {len(line)} > {width}: {line!r}" for line in text.splitlines() if len(line) > width]
    found += [f"ellipsis: {line!r}" for line in text.splitlines() if "…" in line and "fingerprint" not in line]
    words = {word for line in text.splitlines() for word in re.split(r"[\s,`()]+", line) if word}
    for ident in known:
        head, *rest = ident.split()
        lines = text.splitlines()
        for number, line in enumerate(lines):  # a name wrapped onto the next line
            following = lines[number + 1] if number + 1 < len(lines) else ""
            for match in re.finditer(rf"(?<![\w-]){re.escape(head)}(?![\w-])", line):
                if rest and not line[match.start() :].startswith(ident) and rest[0] in following.split():
                    found.append(f"{ident!r} broken: {line!r} / {following!r}")
        if not rest:
            # A count in the table is no shortened event id, however the random id begins ("138" vs "13843f17-...").
            found += [f"{ident!r} shortened to {w!r}" for w in words if 3 <= len(w) < len(ident)
                      and ident.startswith(w) and w not in known and not ident.startswith(w + "-")
                      and not (w.isdigit() and not ident.isdigit())]  # fmt: skip
    found += [f"URL cut: {w!r}" for w in words if w.startswith("http") and not re.fullmatch(r"http://sandbox\.demo/"
              r"invite\?inviteCode=[0-9a-f]{20}&mt=8", w)]  # fmt: skip
    found += [f"date cut: {w!r}" for w in words if re.fullmatch(r"\d{4}-\d\d(-\d?)?|\d{4}-\d\d-\d\d\w+", w)]
    return found


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_read_tables_fit_without_cutting_an_identifier(world: DemoWorld, args: list[str]) -> None:
    result = world.run(*args)
    assert result.exit_code == CODES.get(tuple(args[:2]), 0), result.output
    assert result.stdout, result.output
    assert problems(result.stdout, world.width, identifiers(world)) == []
    if world.width == 80 and args[0] not in MAY_SHED_AT_80 and " ".join(args) not in MAY_SHED_AT_80:
        assert "hidden" not in result.stderr
    wide = world.run("--format", "wide", *args)
    assert "hidden" not in wide.stderr
    assert len(wide.stdout.splitlines()[1]) >= len(result.stdout.splitlines()[1].rstrip())


@pytest.mark.parametrize(
    "label",
    ["priority set", "distribute set", "users invite", "assign", "reconcile", "move-space dry-run", "move-space",
     "revoke dry-run", "revoke", "devices retire", "sync"],
)  # fmt: skip
def test_change_reports_fit_without_cutting_an_identifier(world: DemoWorld, label: str) -> None:
    result = world.outputs[label]
    assert result.stdout
    assert problems(result.stdout, world.width, identifiers(world)) == []
    assert "hidden" not in result.stderr


def test_invite_urls_are_whole_on_their_own_lines(world: DemoWorld) -> None:
    out = world.outputs["users invite"].stdout
    with sqlite3.connect(world.home / "abctl.db") as db:
        urls = [f"{URL}{row[0]}&mt=8" for row in db.execute("SELECT invite_code FROM apple_users")]
    assert len(urls) == 4
    assert all(f"\n  {url}\n" in out for url in urls)


def test_names_not_numbers(world: DemoWorld) -> None:
    assert world.outputs["assign"].stdout.startswith("Assign Quiz Master\n")
    assert world.outputs["distribute set"].stdout.startswith("Distribution of Math Quest\n")
    notifications = world.run("--format", "json", "notifications").stdout
    assert "of the licenses of Pocket Planetarium redeemed" in notifications
    assert '"adam_id": "1000000001"' in notifications and '"name": "Pocket Planetarium"' in notifications
    for args in (["assign", "Quiz Master", "--device", "IPAD0001", "--dry-run"], ["usage"], ["usage", "--grace"]):
        rows = json.loads(world.run("--format", "json", *args).stdout)
        assert rows and all(row["name"] and row["adam_id"] for row in rows), args
