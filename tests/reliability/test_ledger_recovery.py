"""Ledger recovery in-process: writes whose outcome abctl lost are settled from what Apple has, and their licenses
end active, failed or revoked exactly once; pending events are polled and their licenses follow the outcome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.services.inventory_world import World, make_world

from abctl.apple.batching import AssetBatch, RevokeBatch
from abctl.apple.client import AppsBooksClient
from abctl.errors import WriteOutcomeUnknownError
from abctl.models.enums import TargetKind
from abctl.models.ledger import EventKind, LedgerState
from abctl.services.ledger.events import wait_for_events
from abctl.services.ledger.recovery import (
    NEVER_SENT,
    NOT_LANDED,
    RecoveredWrite,
    settle_open_writes,
    settle_stranded_licenses,
)
from abctl.services.ledger.writes import SentWrite, send_write, settle_write
from abctl.store.licenses import NewLicense

APP = "1000000001"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def lost_answer(call: str, batch: object, *, reached: bool) -> Callable[[AppsBooksClient], str]:
    """A send whose answer never came back: the request reached Apple (or not), abctl cannot tell."""

    def send(client: AppsBooksClient) -> str:
        if reached:
            getattr(client, call)(batch)
        raise WriteOutcomeUnknownError("no answer from Apple to a write")

    return send


def pending_associate(world: World, serials: list[str], *, reached: bool) -> tuple[SentWrite, list[int]]:
    account = world.store.get_account("district")
    ids = world.store.insert_pending_licenses(
        [NewLicense(account.id, APP, "STDQ", TargetKind.DEVICE, serial, "admin") for serial in serials],
        now=world.rt.now(),
    )
    batch = AssetBatch(((APP, "STDQ"),), TargetKind.DEVICE, tuple(serials))
    payload = {"assets": [[APP, "STDQ"]], "target_kind": "device", "targets": serials, "license_ids": ids}
    return send_write(world.rt, account, "associate", payload, lost_answer("associate", batch, reached=reached)), ids


def states(world: World, ids: list[int]) -> list[tuple[str, str | None]]:
    return [(item.state, (world.db()["licenses"].get(item.id)["detail"])) for item in world.store.get_licenses(ids)]


def test_an_associate_that_landed_though_its_answer_was_lost_is_complete(world: World) -> None:
    sent, ids = pending_associate(world, ["R1", "R2"], reached=True)
    assert world.store.get_event(sent.ledger_id).state == LedgerState.UNKNOWN
    recovered = settle_open_writes(world.rt)
    assert recovered == [RecoveredWrite(sent.ledger_id, "associate", LedgerState.COMPLETE, "checked on Apple",
                                        "2 of 2 on Apple")]  # fmt: skip
    event = world.store.get_event(sent.ledger_id)
    assert (event.num_requested, event.num_completed, event.failures) == (2, 2, ())
    assert [state for state, _ in states(world, ids)] == ["active", "active"]
    assert settle_open_writes(world.rt) == []  # settled once: a second pass finds nothing open


def test_an_associate_that_partly_landed_fails_only_what_apple_lacks(world: World) -> None:
    sent, ids = pending_associate(world, ["R1", "R2"], reached=False)
    world.seed.state.external_assign("district", APP, "serialNumber", "R2")  # Apple has one of the two
    [recovered] = settle_open_writes(world.rt)
    assert (recovered.state, recovered.detail) == (LedgerState.FAILED, "1 of 2 on Apple")
    [failure] = world.store.get_event(sent.ledger_id).failures
    assert (failure.serial_numbers, failure.adam_ids, failure.error_message) == (("R1",), (APP,), NOT_LANDED)
    assert states(world, ids) == [("failed", NOT_LANDED), ("active", None)]
    world.sync()  # the next sync agrees: nothing found twice, nothing revoked
    live = world.db().execute("SELECT target_id, state FROM licenses WHERE target_id IN ('R1', 'R2')").fetchall()
    assert live == [("R1", "failed"), ("R2", "active")]


def test_sync_settles_an_interrupted_write_before_it_reads(world: World) -> None:
    _sent, ids = pending_associate(world, ["R1"], reached=False)
    world.sync()  # a full read alone would call the license revoked; recovery first calls it failed
    assert states(world, ids) == [("failed", NOT_LANDED)]


def test_a_disassociate_that_landed_revokes_and_one_that_did_not_keeps_the_license(world: World) -> None:
    for serial in ("R1", "R2"):
        world.seed.state.external_assign("district", APP, "serialNumber", serial)
    world.sync()
    account = world.store.get_account("district")
    licenses = {item.target_id: item.id for item in world.store.find_licenses(adam_id=APP) if item.target_id[0] == "R"}
    for serial, reached in (("R1", True), ("R2", False)):
        batch = AssetBatch(((APP, "STDQ"),), TargetKind.DEVICE, (serial,))
        payload = {"license_ids": [licenses[serial]], "assets": [[APP, "STDQ"]], "target_kind": "device",
                   "targets": [serial], "reason": "test"}  # fmt: skip
        send_write(world.rt, account, "disassociate", payload, lost_answer("disassociate", batch, reached=reached))
    assert [r.state for r in settle_open_writes(world.rt)] == [LedgerState.COMPLETE, LedgerState.FAILED]
    assert [state for state, _ in states(world, [licenses["R1"], licenses["R2"]])] == ["revoked", "active"]


def test_a_revoke_that_never_left_keeps_the_licenses_active(world: World) -> None:
    world.seed.state.external_assign("district", APP, "serialNumber", "R1")
    world.sync()
    account = world.store.get_account("district")
    [license_id] = [item.id for item in world.store.find_licenses(target_id="R1")]
    payload = {"license_ids": [license_id], "target_kind": "device", "targets": ["R1"], "reason": "test"}
    batch = RevokeBatch(TargetKind.DEVICE, ("R1",))
    send_write(world.rt, account, "revoke", payload, lost_answer("revoke", batch, reached=False))
    [recovered] = settle_open_writes(world.rt)
    assert recovered.state is LedgerState.FAILED
    assert states(world, [license_id]) == [("active", "found on Apple")]


def test_user_writes_are_checked_against_apples_users(world: World) -> None:
    account = world.store.get_account("district")

    def create(client: AppsBooksClient) -> str:
        client.create_users([{"client_user_id": "newbie", "email": None, "managed_apple_id": None}])
        raise WriteOutcomeUnknownError("no answer")

    def retire_never_sent(client: AppsBooksClient) -> str:
        raise WriteOutcomeUnknownError("no answer")

    send_write(world.rt, account, EventKind.USER_CREATE, {"client_user_ids": ["newbie"]}, create)
    send_write(world.rt, account, EventKind.USER_RETIRE, {"client_user_ids": ["newbie"]}, retire_never_sent)
    assert [(r.kind, r.state) for r in settle_open_writes(world.rt)] == [
        ("user_create", LedgerState.COMPLETE), ("user_retire", LedgerState.FAILED),
    ]  # fmt: skip


def test_events_wait_polls_pending_events_and_moves_their_licenses(world: World) -> None:
    world.seed.state.event_delay = 3600  # Apple has not processed anything yet
    account = world.store.get_account("district")
    ids = world.store.insert_pending_licenses(
        [NewLicense(account.id, APP, "STDQ", TargetKind.DEVICE, "R1", "admin")], now=world.rt.now()
    )
    batch = AssetBatch(((APP, "STDQ"),), TargetKind.DEVICE, ("R1",))
    payload = {"assets": [[APP, "STDQ"]], "target_kind": "device", "targets": ["R1"], "license_ids": ids}
    sent = send_write(world.rt, account, "associate", payload, lambda client: client.associate(batch))
    assert settle_open_writes(world.rt, wait=False)[0].state is LedgerState.PENDING  # asked once: still pending
    world.seed.state.event_delay = 0
    [event] = wait_for_events(world.rt)
    assert (event.id, event.state, event.event_id) == (sent.ledger_id, "complete", sent.event_id)
    assert [state for state, _ in states(world, ids)] == ["active"]


def test_an_apple_error_leaves_the_row_open_for_the_next_run(world: World) -> None:
    _sent, ids = pending_associate(world, ["R1"], reached=False)
    world.seed.state.revoke_token("district")
    [recovered] = settle_open_writes(world.rt)
    assert (recovered.state, recovered.how) == (LedgerState.UNKNOWN, "left open")
    assert "revoked" in recovered.detail
    assert states(world, ids) == [("pending", None)]
    assert settle_open_writes(world.rt, account_ids=[]) == []  # only the accounts asked for


def test_licenses_a_run_left_pending_outside_any_open_row_are_settled(world: World) -> None:
    account = world.store.get_account("district")
    new = [NewLicense(account.id, APP, "STDQ", TargetKind.DEVICE, serial, "admin") for serial in ("R1", "R2")]
    [never_sent] = world.store.insert_pending_licenses(new[:1], now=world.rt.now())  # killed before the intent
    [outcome_recorded] = world.store.insert_pending_licenses(new[1:], now=world.rt.now())
    batch = AssetBatch(((APP, "STDQ"),), TargetKind.DEVICE, ("R2",))
    payload = {"assets": [[APP, "STDQ"]], "target_kind": "device", "targets": ["R2"], "license_ids": [outcome_recorded]}
    sent = send_write(world.rt, account, "associate", payload, lambda client: client.associate(batch))
    settle_write(world.rt, sent)  # the event is recorded complete; the run died before moving its license
    assert settle_stranded_licenses(world.rt, account_ids=[account.id + 1]) == 0  # another account's: untouched
    assert settle_open_writes(world.rt) == []
    assert states(world, [never_sent, outcome_recorded]) == [("failed", NEVER_SENT), ("active", None)]
    assert settle_stranded_licenses(world.rt) == 0
