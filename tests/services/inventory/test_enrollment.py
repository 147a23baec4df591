"""`users invite` / `users retire` against the sandbox: batches of maxUsers, users Apple already knows, failures."""

from pathlib import Path

import pytest
from tests.services.inventory_world import NOW, World, make_world

from abctl.errors import NotFoundError
from abctl.sandbox.state import SandboxUser
from abctl.services.inventory.enrollment import invite_users, pending_users, retire_users


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path, accounts=("district",))


def test_invites_go_out_in_batches_of_max_users_and_read_back_in_one_walk(world: World) -> None:
    users = [(f"u{n:03d}", "default", None, None) for n in range(101)]
    world.store.upsert_users(users, now=NOW)
    rows = invite_users(world.rt, all_pending=True)
    assert len(rows) == 101
    assert {row.result for row in rows} == {"registered"}
    assert all(row.invite_url and row.invite_url.startswith("http://sandbox.test/invite?inviteCode=") for row in rows)
    events = list(world.db().query("SELECT kind, state, payload FROM events ORDER BY id"))
    assert [(e["kind"], e["state"], e["payload"].count('"u')) for e in events] == [
        ("user_create", "complete", 100), ("user_create", "complete", 1)
    ]  # fmt: skip
    # 101 users are more than READ_BACK_ONE_BY_ONE: one walk of GET users, not 101 filtered reads
    assert world.seed.state.stats()["requests"]["district"].get("GET users", 0) <= 3
    codes = dict(world.db().execute("SELECT client_user_id, invite_code FROM apple_users").fetchall())
    assert codes["u000"] == world.seed.state.location("district").users["u000"].invite_code


def test_a_user_apple_already_has_is_read_back_not_failed(world: World) -> None:
    location = world.seed.state.location("district")
    location.users["ann"] = SandboxUser("ann", "Registered", None, None, "code-ann", None, location.bump())
    world.store.upsert_users([("ann", "default", None, None)], now=NOW)
    [row] = invite_users(world.rt, ["ann"])
    assert (row.status, row.result, row.detail) == ("Registered", "registered", None)
    assert row.invite_url == "http://sandbox.test/invite?inviteCode=code-ann&mt=8"


def test_unknown_users_are_refused_before_any_call(world: World) -> None:
    with pytest.raises(NotFoundError):
        invite_users(world.rt, ["ghost"])
    assert list(world.db().query("SELECT * FROM events")) == []


def test_pending_means_not_associated_with_every_account(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.store.upsert_users([("amy", "default", None, "amy@appleid.example"), ("ben", "default", None, None)], now=NOW)
    invite_users(world.rt, ["amy", "ben"])
    assert [user.client_user_id for user in pending_users(world.rt, None)] == ["ben"]


def test_retire_reports_apple_failures(world: World) -> None:
    world.store.upsert_users([("cat", "default", None, None)], now=NOW)
    invite_users(world.rt, ["cat"])
    world.seed.state.location("district").users.pop("cat")  # gone on Apple's side: users/retire fails with 9609
    [row] = retire_users(world.rt, ["cat"])
    assert (row.result, row.detail) == ("failed", "9609 Registered user not found")
    assert world.store.users_by_id(["cat"])["cat"].state == "active"
