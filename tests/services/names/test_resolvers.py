"""Every resolver of services/names: what the admin typed -> the stored object, or NotFoundError (exit 4) with the
closest names. Data: tests/seed_reports.py (accounts edu, ops, lab1; users alice, bob; devices C02ALICE, IPAD1,
SHARED1; apps Pages, Keynote and a nameless 1000000001; spaces default and lab)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.seed_reports import KEYNOTE, NAMELESS, PAGES, seed

from abctl.errors import ExitCode, NotFoundError
from abctl.services.names.accounts import resolve_account, resolve_accounts
from abctl.services.names.apps import resolve_app
from abctl.services.names.devices import normalise_serial, resolve_device
from abctl.services.names.groups import ALL_USERS, resolve_group
from abctl.services.names.spaces import resolve_space
from abctl.services.names.suggest import close_matches, did_you_mean
from abctl.services.names.targets import resolve_target
from abctl.services.names.users import resolve_user, resolve_users
from abctl.store import Store
from abctl.timeutil import utc_now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    seed(tmp_path / "abctl.db")
    with Store.open(tmp_path / "abctl.db") as store:
        store.insert_groups("default", ["teachers", "Students"], now=utc_now())
        store.insert_groups("lab", ["chess"], now=utc_now())
        yield store


def refusal(call: Callable[[], Any]) -> tuple[int, str, str | None]:
    with pytest.raises(NotFoundError) as raised:
        call()
    return raised.value.exit_code, raised.value.message, raised.value.hint


NOT_FOUND = ExitCode.NOT_FOUND


def test_close_matches_put_another_case_first_and_skip_the_value_itself() -> None:
    assert close_matches("students", ["Students", "studio", "teachers"]) == ["Students"]
    assert close_matches("IPAD2", ["IPAD1", "IPAD2", "IPAD22", "MAC1"]) == ["IPAD22", "IPAD1"]
    assert close_matches("zzz", ["alice", "bob"]) == []
    assert close_matches(" ", ["alice"]) == []
    assert did_you_mean("alise", ["alice", "bob"], "list") == "did you mean `alice`?"
    assert did_you_mean("ab", ["alice", "bob"], "list users with: abctl users list") == (
        "list users with: abctl users list"
    )


def test_accounts(store: Store) -> None:
    assert resolve_account(store, " ops ").name == "ops"
    assert [a.name for a in resolve_accounts(store, ["lab1", "edu", "lab1"])] == ["lab1", "edu"]
    assert refusal(lambda: resolve_account(store, "edo")) == (
        NOT_FOUND,
        "no account named `edo`",
        "did you mean `edu`?",
    )
    assert refusal(lambda: resolve_accounts(store, ["edu", "district"])) == (
        NOT_FOUND, "no account named `district`", "list accounts with: abctl tokens list"
    )  # fmt: skip


def test_no_account_at_all_says_how_to_add_that_one(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as empty:
        assert refusal(lambda: resolve_account(empty, "district")) == (
            NOT_FOUND, "no account named `district`",
            "no account yet; add it with: abctl tokens add district --file TOKEN.vpptoken",
        )  # fmt: skip


def test_spaces(store: Store) -> None:
    assert resolve_space(store, None) == "default"
    assert resolve_space(store, "lab") == "lab"
    assert refusal(lambda: resolve_space(store, "labs")) == (NOT_FOUND, "no space named `labs`", "did you mean `lab`?")
    assert refusal(lambda: resolve_space(store, "mars")) == (
        NOT_FOUND, "no space named `mars`", "list spaces with: abctl spaces list"
    )  # fmt: skip


def test_apps_by_name_and_adam_id(store: Store) -> None:
    assert resolve_app(store, "pages") == PAGES
    assert resolve_app(store, NAMELESS) == NAMELESS  # owned, though no name is cached
    assert refusal(lambda: resolve_app(store, "Keynot")) == (
        NOT_FOUND, "no app named `Keynot`", "did you mean `Keynote`?"
    )  # fmt: skip
    assert refusal(lambda: resolve_app(store, "361285481")) == (
        NOT_FOUND, "no app with adamId `361285481`", f"did you mean `{KEYNOTE}` (Keynote)?"
    )  # fmt: skip
    assert refusal(lambda: resolve_app(store, "42")) == (
        NOT_FOUND, "no app with adamId `42`", "list apps with: abctl apps list"
    )  # fmt: skip
    assert resolve_app(store, "42", known_only=False) == "42"


def test_serials_in_any_case(store: Store) -> None:
    assert normalise_serial(" ipad1 ") == "IPAD1"
    assert resolve_device(store, "ipad1").serial == "IPAD1"
    assert resolve_device(store, "c02alice", space="default").serial == "C02ALICE"
    assert refusal(lambda: resolve_device(store, "ipad2")) == (
        NOT_FOUND, "no device with serial `IPAD2`", "did you mean `IPAD1`?"
    )  # fmt: skip
    assert refusal(lambda: resolve_device(store, "XYZ")) == (
        NOT_FOUND, "no device with serial `XYZ`", "list devices with: abctl devices list"
    )  # fmt: skip
    assert refusal(lambda: resolve_device(store, "IPAD1", space="lab")) == (
        NOT_FOUND, "device `IPAD1` is in space `default`, not `lab`", "add --space default"
    )  # fmt: skip


def test_users(store: Store) -> None:
    assert resolve_user(store, " bob ").client_user_id == "bob"
    assert [u.client_user_id for u in resolve_users(store, ["bob", "alice", "bob"])] == ["bob", "alice"]
    assert refusal(lambda: resolve_user(store, "alise")) == (NOT_FOUND, "no user `alise`", "did you mean `alice`?")
    assert refusal(lambda: resolve_users(store, ["zed", "alice", "yan", "xi"])) == (
        NOT_FOUND, "no user `zed` (and 2 more: yan, xi)", "list users with: abctl users list"
    )  # fmt: skip
    assert refusal(lambda: resolve_user(store, "alice", space="lab")) == (
        NOT_FOUND, "user `alice` is in space `default`, not `lab`", "add --space default"
    )  # fmt: skip


def test_deleted_users_are_not_found(store: Store) -> None:
    store.set_user_state(["bob"], "deleted", now=utc_now())
    assert refusal(lambda: resolve_user(store, "bob")) == (
        NOT_FOUND,
        "no user `bob`",
        "list users with: abctl users list",
    )


def test_groups(store: Store) -> None:
    assert resolve_group(store, "teachers", "default") == "teachers"
    assert resolve_group(store, "all users", "lab") == ALL_USERS
    assert refusal(lambda: resolve_group(store, "students", "default")) == (
        NOT_FOUND, "no group `students` in space `default`", "did you mean `Students`?"
    )  # fmt: skip
    assert refusal(lambda: resolve_group(store, "chess", "default")) == (
        NOT_FOUND, "no group `chess` in space `default`", "it is in space `lab`: add --space lab"
    )  # fmt: skip
    assert refusal(lambda: resolve_group(store, "robotics club", "default")) == (
        NOT_FOUND, "no group `robotics club` in space `default`",
        "add it with: abctl groups add 'robotics club' --space default",
    )  # fmt: skip


def test_targets_known_by_inventory_or_license(store: Store) -> None:
    assert resolve_target(store, "device", "shared1") == "SHARED1"
    assert resolve_target(store, "user", "alice") == "alice"
    assert refusal(lambda: resolve_target(store, "device", "ipad9")) == (
        NOT_FOUND, "no device with serial `IPAD9`", "did you mean `IPAD1`?"
    )  # fmt: skip


def test_a_typo_among_100000_serials_is_found() -> None:
    serials = [f"SN0-{i:07d}" for i in range(100_000)]
    assert close_matches("sn0-000123x4", serials)[0] == "SN0-0001234"  # one character added, any case
    assert close_matches("SNO-0001234", serials)[0] == "SN0-0001234"  # a letter O for the digit 0
