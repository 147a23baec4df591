"""Notifications from `abctl sandbox serve` to a receiver on 127.0.0.1 (apple-api.md 5): each type arrives with
Apple's envelope and the configured bearer, events complete without anyone polling `status`, big events are
split at 100 elements, failed deliveries are retried with the same notificationId.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sandbox.apple_wire import Apple, Receiver, Sandbox, mint

TYPES = ["ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED"]
ENVELOPE = {"notification", "notificationId", "notificationType", "uId"}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    # Events take 0.3 s and nobody polls: the sandbox must finish them on its own, as Apple does.
    running = Sandbox(tmp_path_factory.mktemp("notify"), "--seed", "empty", "--event-delay", "0.3",
                      "--notify-retry-delay", "0.1")  # fmt: skip
    yield running
    running.stop()


def location(sandbox: Sandbox, tmp_path: Path, name: str, receiver: Receiver, secret: str = "n0tif-s3cret") -> Apple:
    apple = Apple(sandbox.api, mint(tmp_path, name))
    answer = apple.post("client/config", {"notificationUrl": receiver.url, "notificationAuthToken": secret,
                                          "notificationTypes": TYPES})  # fmt: skip
    assert answer.status == 200, answer.body
    sandbox.admin("add-asset", {"location": name, "adamId": "4000000001", "name": "Notified App", "total": 200,
                                "productType": "App", "deviceAssignable": True, "platforms": ["iOS"]})  # fmt: skip
    return apple


def test_asset_management_arrives_without_polling(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    apple = location(sandbox, tmp_path, "notifyassets", receiver)
    event = apple.post("assets/associate", {"assets": [{"adamId": "4000000001", "pricingParam": "STDQ"}],
                                            "serialNumbers": ["SER1", "SER2"]}).body["eventId"]  # fmt: skip
    got = receiver.wait_for("ASSET_MANAGEMENT")[0]
    assert set(got.body) == ENVELOPE and got.authorization == "Bearer n0tif-s3cret"
    assert got.body["uId"] == apple.get("client/config").body["uId"]
    assert got.body["notification"] == {
        "assignments": [{"adamId": "4000000001", "pricingParam": "STDQ", "serialNumber": "SER1"},
                        {"adamId": "4000000001", "pricingParam": "STDQ", "serialNumber": "SER2"}],
        "eventId": event, "result": "SUCCESS", "type": "ASSOCIATE"}  # fmt: skip
    revoke = apple.post("assets/revoke", {"serialNumbers": ["SER1"]}).body["eventId"]
    done = receiver.wait_for("ASSET_MANAGEMENT", 2)[1].body["notification"]
    assert (done["eventId"], done["type"], done["result"]) == (revoke, "REVOKE", "SUCCESS")
    assert done["assignments"] == [{"adamId": "4000000001", "pricingParam": "STDQ", "serialNumber": "SER1"}]


def test_a_failed_association_says_failure_with_the_error(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    apple = location(sandbox, tmp_path, "notifyfail", receiver)
    sandbox.admin("set-total", {"location": "notifyfail", "adamId": "4000000001", "total": 1})
    event = apple.post("assets/associate", {"assets": [{"adamId": "4000000001"}],
                                            "serialNumbers": ["A1", "A2"]}).body["eventId"]  # fmt: skip
    notes = [r.body["notification"] for r in receiver.wait_for("ASSET_MANAGEMENT", 2)]
    by_result = {n["result"]: n for n in notes}
    assert by_result["SUCCESS"]["assignments"] == [{"adamId": "4000000001", "pricingParam": "STDQ",
                                                    "serialNumber": "A1"}]  # fmt: skip
    failure = by_result["FAILURE"]
    assert (failure["eventId"], failure["error"]["errorNumber"]) == (event, 9709)
    assert failure["assignments"] == [{"adamId": "4000000001", "pricingParam": "STDQ", "serialNumber": "A2"}]


def test_events_are_split_at_100_elements(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    apple = location(sandbox, tmp_path, "notifybig", receiver)
    serials = [f"BIG{i:03d}" for i in range(150)]
    apple.post("assets/associate", {"assets": [{"adamId": "4000000001"}], "serialNumbers": serials})
    notes = [r.body for r in receiver.wait_for("ASSET_MANAGEMENT", 2)]
    assert sorted(len(n["notification"]["assignments"]) for n in notes) == [50, 100]
    assert len({n["notificationId"] for n in notes}) == 2
    assert sorted(a["serialNumber"] for n in notes for a in n["notification"]["assignments"]) == serials


def test_user_management_and_user_associated(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    apple = location(sandbox, tmp_path, "notifyusers", receiver)
    event = apple.post("users/create", {"users": [{"clientUserId": "eve", "email": "eve@example.org"}]}).body["eventId"]
    note = receiver.wait_for("USER_MANAGEMENT")[0].body["notification"]
    assert (note["eventId"], note["type"], note["result"]) == (event, "CREATE", "SUCCESS")
    assert [(u["clientUserId"], u["status"], u["email"]) for u in note["users"]] == [
        ("eve", "Registered", "eve@example.org")
    ]
    sandbox.admin("associate-user", {"location": "notifyusers", "clientUserId": "eve"})
    associated = receiver.wait_for("USER_ASSOCIATED")[0].body["notification"]["associatedUsers"]
    assert [(u["clientUserId"], u["status"]) for u in associated] == [("eve", "Associated")] and associated[0]["idHash"]


def test_asset_count_when_counts_change_from_outside(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    location(sandbox, tmp_path, "notifycount", receiver)
    sandbox.admin("set-total", {"location": "notifycount", "adamId": "4000000001", "total": 188})
    bought, note = receiver.wait_for("ASSET_COUNT", 2)  # the purchase of 200 (add-asset), then -12
    assert bought.body["notification"] == {"adamId": "4000000001", "countDelta": 200, "pricingParam": "STDQ"}
    assert note.body["notification"] == {"adamId": "4000000001", "countDelta": -12, "pricingParam": "STDQ"}
    assert note.authorization == "Bearer n0tif-s3cret"


def test_only_subscribed_types_are_sent(sandbox: Sandbox, tmp_path: Path, receiver: Receiver) -> None:
    apple = Apple(sandbox.api, mint(tmp_path, "notifyfew"))
    apple.post("client/config", {"notificationUrl": receiver.url, "notificationAuthToken": "t",
                                 "notificationTypes": ["ASSET_COUNT"]})  # fmt: skip
    sandbox.admin("add-asset", {"location": "notifyfew", "adamId": "4000000002", "name": "X", "total": 3})
    event = apple.post("users/create", {"users": [{"clientUserId": "zoe"}]}).body["eventId"]
    receiver.wait_for("ASSET_COUNT")
    assert apple.wait(event)["eventStatus"] == "COMPLETE"  # the event finished ...
    assert receiver.of_type("USER_MANAGEMENT") == []  # ... and was not announced


def test_a_failed_delivery_is_retried_with_the_same_id(sandbox: Sandbox, tmp_path: Path) -> None:
    receiver = Receiver(fail_first=0)
    try:
        location(sandbox, tmp_path, "notifyretry", receiver)
        receiver.wait_for("ASSET_COUNT")  # the purchase's, delivered at once
        receiver.fail_first = 2
        sandbox.admin("set-total", {"location": "notifyretry", "adamId": "4000000001", "total": 201})
        attempts = receiver.wait_for("ASSET_COUNT", 4)[1:]  # after the purchase's: two failures, then delivered
        assert len(attempts) == 3 and len({a.body["notificationId"] for a in attempts}) == 1
        assert attempts[0].body["notification"]["countDelta"] == 1
        recent = sandbox.admin("stats").body["notifications"]["recent"]
        last = next(r for r in reversed(recent) if r["notificationId"] == attempts[0].body["notificationId"])
        assert (last["notificationType"], last["delivered"]) == ("ASSET_COUNT", True)
    finally:
        receiver.close()
