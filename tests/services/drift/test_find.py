"""Finding drift against the in-process sandbox: one drifted license per reason, the settlement each suggests,
the filters, first-seen dates, and licenses that look odd but are not drift (a Mac next to its owner's user
license, an active device of the account's space)."""

from pathlib import Path

import pytest
from tests.services.inventory_world import NOW, World, make_world

from abctl.domain.drift import DriftReason
from abctl.sandbox.state import SandboxUser
from abctl.services.drift.find import AccountTally, account_tally, drift_counts, find_drift, resolve_scope

PLANETARIUM, SKETCH, MATH = "1000000001", "1000000002", "1000000003"
DEVICES = [  # serial, space, platform, owner
    ("IPAD0001", "default", "ipados", "carol"), ("MAC00001", "default", "macos", "bob"),
    ("LABPAD01", "lab", "ipados", None), ("WIPED001", "default", "ipados", None),
    ("UNENROL01", "default", "ios", None), ("RETIRED01", "default", "ipados", None),
    ("OLDPAD001", "default", "ipados", None), ("OLDPAD002", "default", "ipados", None),
    ("OLDPAD003", "default", "ipados", None), ("GONEPAD01", "default", "ipados", None),
]  # fmt: skip
USERS = ["carol", "bob", "dave", "erin", "frank"]


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = make_world(tmp_path, accounts=("district",))
    store, apple = w.store, w.seed.state
    store.insert_space("lab")
    with store.transaction():
        store.upsert_users([(user, "default", None, None) for user in USERS], now=NOW)
        store.upsert_devices([(s, space, p, owner, False) for s, space, p, owner in DEVICES], now=NOW)
    store.set_device_state(["WIPED001"], "wiped", now=NOW)
    store.set_device_state(["UNENROL01"], "unenrolled", now=NOW)
    store.set_device_state(["RETIRED01"], "retired", now=NOW)
    store.set_user_state(["dave"], "deleted", now=NOW)
    store.set_user_state(["erin"], "retired", now=NOW)
    district = store.get_account("district")
    store.set_policy(district.id, MATH, fcfs_groups=None, reserve=[], disallow=["frank"], now=NOW)
    loc = apple.location("district")
    loc.users["stranger"] = SandboxUser("stranger", "Associated", "s@example.org", None, "inv", "h", loc.bump())
    for adam_id, kind, target in [
        (PLANETARIUM, "serialNumber", "GHOST0001"), (MATH, "clientUserId", "stranger"),
        (MATH, "clientUserId", "nobody"), (PLANETARIUM, "serialNumber", "WIPED001"),
        (PLANETARIUM, "serialNumber", "UNENROL01"), (PLANETARIUM, "serialNumber", "RETIRED01"),
        (MATH, "clientUserId", "dave"), (MATH, "clientUserId", "erin"), (PLANETARIUM, "serialNumber", "LABPAD01"),
        (MATH, "clientUserId", "frank"), (SKETCH, "serialNumber", "IPAD0001"), (SKETCH, "clientUserId", "carol"),
        (SKETCH, "serialNumber", "MAC00001"), (SKETCH, "clientUserId", "bob"),
        (PLANETARIUM, "serialNumber", "GONEPAD01"),
    ]:  # fmt: skip
        apple.external_assign("district", adam_id, kind, target)
    w.sync()
    apple.external_unassign("district", PLANETARIUM, "serialNumber", "GONEPAD01")
    from abctl.services.accounts.sync import sync_accounts

    assert all(r.ok for r in sync_accounts(w.rt, [district], full=True))
    w.db().execute("UPDATE assets SET assigned = assigned + 2 WHERE adam_id = ?", (SKETCH,))
    w.db().conn.commit()
    return w


def test_one_drifted_license_per_reason_with_its_settlement(world: World) -> None:
    items = find_drift(world.store)
    assert [(i.reason, i.adam_id, i.target, i.settlement, i.detail) for i in items] == [
        # grouped by reason, then account, app name (Math Quest before Pocket Planetarium) and target
        ("unknown", MATH, "user:nobody", "revoke", "clientUserId unknown here"),
        ("unknown", MATH, "user:stranger", "adopt", "clientUserId unknown here; registered with `district` on Apple"),
        ("unknown", PLANETARIUM, "device:GHOST0001", "revoke", "serial unknown here"),
        ("retired", MATH, "user:erin", "revoke", "user retired"),
        ("retired", PLANETARIUM, "device:RETIRED01", "revoke", "device retired"),
        ("wiped", PLANETARIUM, "device:WIPED001", "revoke", "device wiped"),
        ("unenrolled", PLANETARIUM, "device:UNENROL01", "revoke", "device unenrolled"),
        ("deleted", MATH, "user:dave", "revoke", "user deleted"),
        ("other-space", PLANETARIUM, "device:LABPAD01", "revoke",
         "device in space `lab`; `district` pays for space `default`"),
        ("disallowed", MATH, "user:frank", "revoke", "user disallowed for this app in `district` (R5)"),
        ("wasted-seat", SKETCH, "device:IPAD0001", "revoke", "owner `carol` holds a user license for this app (R8)"),
        ("gone", PLANETARIUM, "device:GONEPAD01", "forget", "live here, no longer listed by Apple"),
        ("count", SKETCH, "", "resync", "Apple counts 6 assigned, lists 4"),
    ]  # fmt: skip
    assert {i.account for i in items} == {"district"}
    assert all(i.first_seen == NOW for i in items)  # every stamp comes from the fixed clock


def test_drift_counts_agree_with_the_listing_without_building_unknown_licenses(world: World) -> None:
    district = world.store.get_account("district").id
    assert drift_counts(world.store, [district]) == {district: {
        "unknown": 3, "retired": 2, "wiped": 1, "unenrolled": 1, "deleted": 1, "other-space": 1, "disallowed": 1,
        "wasted-seat": 1, "gone": 1, "count": 1,
    }}  # fmt: skip
    known = find_drift(world.store, known_targets_only=True)
    assert DriftReason.UNKNOWN not in {i.reason for i in known} and len(known) == len(find_drift(world.store)) - 3
    assert world.store.unknown_license_counts(account_ids=[district]) == {district: 3}
    assert world.store.unknown_license_counts(account_ids=[]) == {}
    # A sync takes each account's tally as soon as that account is stored, and hands it over.
    tally = account_tally(world.store, district)
    assert (tally.unknown, [(m.adam_id, m.assigned, m.listed) for m in tally.mismatches]) == (3, [("1000000002", 6, 4)])
    assert drift_counts(world.store, [district], tallies={district: tally}) == drift_counts(world.store, [district])
    handed = drift_counts(world.store, [district], tallies={district: AccountTally(7, ())})[district]
    assert (handed["unknown"], "count" in handed) == (7, False)  # what was handed over is what is counted


def test_filters_by_reason_app_and_account(world: World) -> None:
    reasons = {DriftReason.UNKNOWN, DriftReason.GONE}
    assert [i.target for i in find_drift(world.store, reasons=reasons)] == [
        "user:nobody", "user:stranger", "device:GHOST0001", "device:GONEPAD01"]  # fmt: skip
    scope = resolve_scope(world.store, [], app="Math Quest")
    assert (scope.adam_id, scope.app, scope.accounts) == (MATH, "Math Quest", ("district",))
    assert [i.target for i in find_drift(world.store, adam_id=scope.adam_id)] == [
        "user:nobody", "user:stranger", "user:erin", "user:dave", "user:frank"]  # fmt: skip
    assert find_drift(world.store, account_ids=[]) == []


def test_settling_the_target_ends_its_drift(world: World) -> None:
    world.store.upsert_devices([("GHOST0001", "default", "ipados", None, False)], now=NOW)
    world.store.move_device("LABPAD01", "default", now=NOW)
    targets = {i.target for i in find_drift(world.store)}
    assert "device:GHOST0001" not in targets and "device:LABPAD01" not in targets


def test_a_license_that_came_through_a_delegation_is_not_another_spaces(world: World) -> None:
    world.store.add_delegation("lab", PLANETARIUM, now=NOW)  # R21: the district lends the app to the lab
    assert "device:LABPAD01" not in {i.target for i in find_drift(world.store)}
    world.store.delete_delegation("lab", PLANETARIUM)
    assert [i.reason for i in find_drift(world.store) if i.target == "device:LABPAD01"] == ["other-space"]
