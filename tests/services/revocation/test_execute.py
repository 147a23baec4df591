"""The shared revocation service against the sandbox: plans, Apple calls in batches, local records, grace."""

from datetime import timedelta
from pathlib import Path

import pytest
from tests.services.inventory_world import NOW, World, make_world

from abctl.models.enums import TargetKind
from abctl.services.revocation.execute import execute_revocation
from abctl.services.revocation.plan import plan_for_licenses, plan_for_targets
from abctl.timeutil import to_iso

GRACE = NOW + timedelta(days=30)
PLANETARIUM, SKETCHBOOK, MATH, BIRDS = "1000000001", "1000000002", "1000000003", "1000000005"


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    store = world.store
    store.upsert_users([("alice", "default", None, None), ("bob", "default", None, None)], now=NOW)
    store.upsert_devices([("IPAD0001", "default", "ipados", "alice", False), ("MAC00001", "default", "macos", "bob",
                                                                              False)], now=NOW)  # fmt: skip
    state = world.seed.state
    for adam_id, kind, target in [
        (PLANETARIUM, "serialNumber", "IPAD0001"),
        (SKETCHBOOK, "serialNumber", "IPAD0001"),
        (SKETCHBOOK, "serialNumber", "MAC00001"),
        (MATH, "clientUserId", "alice"),
        (BIRDS, "clientUserId", "alice"),
    ]:
        state.external_assign("district", adam_id, kind, target)
    state.external_assign("highschool", SKETCHBOOK, "clientUserId", "alice")
    world.sync()
    return world


def rows(plan: object) -> list[tuple[str, str, str, str, str, bool, str | None, str | None]]:
    return [
        (r.account, r.adam_id, r.license_type, r.target_id, r.action, r.uninstall,
         to_iso(r.usable_until) if r.usable_until else None, r.reason)
        for r in plan.rows  # type: ignore[attr-defined]
    ]  # fmt: skip


def test_plan_for_a_device_takes_only_its_device_licenses(world: World) -> None:
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, "IPAD0001")], reason="device retired", now=NOW)
    assert rows(plan) == [
        ("district", PLANETARIUM, "device", "IPAD0001", "revoke", True, to_iso(GRACE), None),
        ("district", SKETCHBOOK, "device", "IPAD0001", "revoke", True, to_iso(GRACE), None),
    ]
    assert plan.uninstall_devices == ("IPAD0001",)
    assert plan.keep_devices == ()


def test_plan_for_a_user_skips_books_and_names_the_users_ios_devices(world: World) -> None:
    plan = plan_for_targets(world.store, [(TargetKind.USER, "alice")], reason="user deleted", now=NOW)
    assert rows(plan) == [
        ("district", BIRDS, "user", "alice", "skip", False, None, "books cannot be revoked"),
        ("district", MATH, "user", "alice", "revoke", True, to_iso(GRACE), None),
        ("highschool", SKETCHBOOK, "user", "alice", "revoke", True, to_iso(GRACE), None),
    ]
    assert plan.uninstall_devices == ("IPAD0001",)


def test_plan_for_licenses_of_an_app_keeps_macs(world: World) -> None:
    licenses = world.store.find_licenses(adam_id=SKETCHBOOK)
    plan = plan_for_licenses(world.store, licenses, reason="app removed", now=NOW)
    assert rows(plan) == [
        ("district", SKETCHBOOK, "device", "IPAD0001", "disassociate", True, to_iso(GRACE), None),
        ("district", SKETCHBOOK, "device", "MAC00001", "disassociate", False, None, None),
        ("highschool", SKETCHBOOK, "user", "alice", "disassociate", True, to_iso(GRACE), None),
    ]
    assert (plan.uninstall_devices, plan.keep_devices) == (("IPAD0001",), ("MAC00001",))


def test_revoking_a_device_on_apple_records_grace_log_and_ledger(world: World) -> None:
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, "IPAD0001")], reason="device retired", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert [(o.row.adam_id, o.result) for o in result.outcomes] == [(PLANETARIUM, "revoked"), (SKETCHBOOK, "revoked")]
    assert [(c.account, c.kind, c.targets, c.state) for c in result.calls] == [("district", "revoke", 1, "complete")]
    event_id = result.calls[0].event_id
    assert event_id and {o.event_id for o in result.outcomes} == {event_id}
    assert world.assigned("district") == {(SKETCHBOOK, "serialNumber", "MAC00001"), (MATH, "clientUserId", "alice"),
                                          (BIRDS, "clientUserId", "alice")} | _old_pads()  # fmt: skip
    db = world.db()
    licenses = list(db.query("SELECT adam_id, state, revoked_at, usable_until, last_action, event_id FROM licenses"
                             " WHERE target_id = 'IPAD0001' ORDER BY adam_id"))  # fmt: skip
    assert licenses == [
        {"adam_id": aid, "state": "revoked", "revoked_at": to_iso(NOW), "usable_until": to_iso(GRACE),
         "last_action": "revoke", "event_id": event_id}
        for aid in (PLANETARIUM, SKETCHBOOK)
    ]  # fmt: skip
    log = list(db.query("SELECT actor, action, result, adam_id, target_kind, target_id, license_type, event_id, detail"
                        " FROM activity ORDER BY id"))  # fmt: skip
    assert log == [
        {"actor": "tester", "action": "revoke", "result": "revoked", "adam_id": aid, "target_kind": "device",
         "target_id": "IPAD0001", "license_type": "device", "event_id": event_id,
         "detail": f"device retired; usable until {to_iso(GRACE)}"}
        for aid in (PLANETARIUM, SKETCHBOOK)
    ]  # fmt: skip
    ledger = list(db.query("SELECT kind, state, event_id, payload FROM events WHERE kind = 'revoke'"))
    assert [(e["kind"], e["state"], e["event_id"]) for e in ledger] == [("revoke", "complete", event_id)]
    assert '"targets":["IPAD0001"]' in ledger[0]["payload"]
    # Apple's counts were re-read after the revocation, so usage is current
    assigned = db.execute("SELECT assigned FROM assets a JOIN accounts c ON c.id = a.account_id"
                          " WHERE c.name = 'district' AND adam_id = ?", (PLANETARIUM,)).fetchone()[0]  # fmt: skip
    assert assigned == 3


def _old_pads() -> set[tuple[str, str, str]]:
    return {(PLANETARIUM, "serialNumber", f"OLDPAD00{n}") for n in (1, 2, 3)}


def test_books_are_never_sent_and_a_user_revoke_leaves_device_licenses(world: World) -> None:
    plan = plan_for_targets(world.store, [(TargetKind.USER, "alice")], reason="user deleted", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert sorted((o.row.account, o.row.adam_id, o.result) for o in result.outcomes) == [
        ("district", MATH, "revoked"), ("district", BIRDS, "skipped"), ("highschool", SKETCHBOOK, "revoked")
    ]  # fmt: skip
    assert [(c.account, c.kind, c.targets) for c in result.calls] == [("district", "revoke", 1),
                                                                       ("highschool", "revoke", 1)]  # fmt: skip
    # The book stays with alice on Apple's side (revoke only takes revocable assets), and so do IPAD0001's licenses.
    assert (BIRDS, "clientUserId", "alice") in world.assigned("district")
    assert (MATH, "clientUserId", "alice") not in world.assigned("district")
    assert {(PLANETARIUM, "serialNumber", "IPAD0001"), (SKETCHBOOK, "serialNumber", "IPAD0001")} <= world.assigned(
        "district"
    )
    states = dict(world.db().execute("SELECT adam_id || ':' || target_id, state FROM licenses").fetchall())
    assert states[f"{BIRDS}:alice"] == "active"
    assert states[f"{PLANETARIUM}:IPAD0001"] == "active"


def test_app_licenses_are_disassociated_per_account_and_asset(world: World) -> None:
    licenses = world.store.find_licenses(adam_id=SKETCHBOOK)
    plan = plan_for_licenses(world.store, licenses, reason="app removed", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert [(c.account, c.kind, c.targets, c.assets) for c in result.calls] == [
        ("district", "disassociate", 2, 1), ("highschool", "disassociate", 1, 1)
    ]  # fmt: skip
    assert not any(
        adam_id == SKETCHBOOK for adam_id, _k, _t in world.assigned("district") | world.assigned("highschool")
    )
    until = dict(world.db().execute("SELECT target_id, usable_until FROM licenses WHERE adam_id = ?", (SKETCHBOOK,)))
    assert until == {"IPAD0001": to_iso(GRACE), "MAC00001": None, "alice": to_iso(GRACE)}


def test_revoke_batches_follow_max_revoke_serial_numbers(world: World) -> None:
    serials = [f"CART{n:03d}" for n in range(101)]
    for serial in serials:
        world.seed.state.external_assign("district", PLANETARIUM, "serialNumber", serial)
    world.sync()
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, s) for s in serials], reason="device wiped", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert [(c.kind, c.targets) for c in result.calls] == [("revoke", 100), ("revoke", 1)]
    assert result.count("revoked") == 101
    assert not any(target.startswith("CART") for _a, _k, target in world.assigned("district"))


def test_a_refused_call_leaves_licenses_live_and_says_why(world: World) -> None:
    world.seed.state.revoke_token("district")
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, "IPAD0001")], reason="device retired", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert {(o.result, o.event_id) for o in result.outcomes} == {("failed", None)}
    assert "9625" in (result.outcomes[0].detail or "")
    assert result.failed_targets() == {"device:IPAD0001"}
    assert not result.ok
    states = {row[0] for row in world.db().execute("SELECT state FROM licenses WHERE target_id = 'IPAD0001'")}
    assert states == {"active"}


def test_an_event_apple_has_not_finished_leaves_licenses_revoking(world: World) -> None:
    world.seed.state.event_delay = 10**9
    world.rt.event_deadline_seconds = 0
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, "IPAD0001")], reason="device retired", now=NOW)
    result = execute_revocation(world.rt, plan)
    assert {o.result for o in result.outcomes} == {"pending"}
    event_id = result.calls[0].event_id
    rows = set(world.db().execute("SELECT state, event_id FROM licenses WHERE target_id = 'IPAD0001'").fetchall())
    assert rows == {("revoking", event_id)}


def test_failure_follows_the_error_hierarchy(world: World) -> None:
    from abctl.errors import AppleAPIError, AppleUnavailableError, ExitCode, TokenError
    from abctl.services.revocation.execute import RevocationResult

    world.seed.state.revoke_token("district")
    plan = plan_for_targets(world.store, [(TargetKind.DEVICE, "IPAD0001")], reason="device retired", now=NOW)
    refused = execute_revocation(world.rt, plan)
    error = refused.failure(hint="retry")
    assert isinstance(error, TokenError) and error.exit_code is ExitCode.CONFIG  # 9625: a token problem, exit 3
    assert error.message.startswith("2 license(s) could not be revoked: ")
    unreachable = RevocationResult(plan, refused.outcomes, refused.calls, (AppleUnavailableError("timed out"),))
    assert isinstance(unreachable.failure(hint="retry"), AppleUnavailableError)  # exit 6
    refused_call = RevocationResult(plan, refused.outcomes, refused.calls, (AppleAPIError("9602 Invalid argument"),))
    assert str(refused_call.failure(hint="retry")) == "2 license(s) could not be revoked: 9602 Invalid argument"
    assert RevocationResult(plan, (), ()).failure(hint="retry") is None


def test_plan_for_account_takes_only_that_accounts_licenses(world: World) -> None:
    from abctl.services.revocation.plan import plan_for_account

    account = world.store.get_account("highschool")
    plan = plan_for_account(world.store, account.id, reason="token deleted", now=NOW)
    assert rows(plan) == [("highschool", SKETCHBOOK, "user", "alice", "revoke", True, to_iso(GRACE), None)]
    assert plan.targets == (("user", "alice"),)
    result = execute_revocation(world.rt, plan)
    assert [(c.account, c.kind, c.targets) for c in result.calls] == [("highschool", "revoke", 1)]
    assert (MATH, "clientUserId", "alice") in world.assigned("district")  # other accounts keep alice's licenses
