"""Writes send Apple's request shapes and return the eventId; event status and waiting for an event."""

import json

import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, SERVICE_CONFIG, FakeTime

from abctl.apple.batching import AssetBatch, RevokeBatch
from abctl.apple.client import AppsBooksClient
from abctl.errors import EventNotFoundError, WriteOutcomeUnknownError
from abctl.models.apple import EventFailure, EventState, EventStatus
from abctl.models.enums import TargetKind

# apple-api.md 2.9, Apple's failed example (A-MA).
FAILED_STATUS = {
    "eventStatus": "FAILED", "eventType": "ASSOCIATE", "numCompleted": 14, "numRequested": 16,
    "failures": [{"errorInfo": {"clientUserIds": ["client-4"]}, "errorNumber": 9609,
                  "errorMessage": "Registered user not found"}],
    "tokenExpirationDate": "2030-11-08T22:33:22+0000", "uId": "2049025000431439",
}  # fmt: skip
PENDING = {"eventStatus": "PENDING", "eventType": "ASSOCIATE", "numCompleted": 0, "numRequested": 4000}


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def _bodies(httpx_mock: HTTPXMock) -> dict[str, object]:
    return {r.url.path.removeprefix("/mdm/v2/"): json.loads(r.content) for r in httpx_mock.get_requests(method="POST")}


def test_associate_sends_the_cross_product_and_returns_the_event_id(
    client: AppsBooksClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=BASE + "assets/associate", method="POST", json={
        "eventId": "954910a8-4a8b-4b4c", "tokenExpirationDate": "2030-11-08T22:33:22+0000", "uId": "2049"})  # fmt: skip
    batch = AssetBatch((("361309726", "STDQ"), ("408709785", "PLUS")), TargetKind.USER, ("client-1", "client-4"))
    assert client.associate(batch) == "954910a8-4a8b-4b4c"
    request = httpx_mock.get_requests(method="POST")[0]
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "assets": [{"adamId": "361309726", "pricingParam": "STDQ"}, {"adamId": "408709785", "pricingParam": "PLUS"}],
        "clientUserIds": ["client-1", "client-4"],
    }


def test_every_write_endpoint_sends_apples_shapes(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    for path in ("assets/disassociate", "assets/revoke", "users/create", "users/update", "users/retire"):
        httpx_mock.add_response(url=BASE + path, method="POST", json={"eventId": path, "uId": "1"})
    assert client.disassociate(AssetBatch((("1", "PLUS"),), TargetKind.DEVICE, ("S1",))) == "assets/disassociate"
    assert client.revoke(RevokeBatch(TargetKind.DEVICE, ("S1", "S2"))) == "assets/revoke"
    users = [{"client_user_id": "u1", "email": "u1@x.org", "managed_apple_id": None}]
    assert client.create_users(users) == "users/create"
    assert client.update_users([{"client_user_id": "u1", "managed_apple_id": "u1@x.org"}]) == "users/update"
    assert client.retire_users(["u1", "u2"]) == "users/retire"
    assert _bodies(httpx_mock) == {
        "assets/disassociate": {"assets": [{"adamId": "1", "pricingParam": "PLUS"}], "serialNumbers": ["S1"]},
        "assets/revoke": {"serialNumbers": ["S1", "S2"]},
        "users/create": {"users": [{"clientUserId": "u1", "email": "u1@x.org"}]},
        "users/update": {"users": [{"clientUserId": "u1", "managedAppleId": "u1@x.org"}]},
        "users/retire": {"users": [{"clientUserId": "u1"}, {"clientUserId": "u2"}]},
    }


def test_revoke_by_users(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets/revoke", method="POST", json={"eventId": "e1"})
    client.revoke(RevokeBatch(TargetKind.USER, ("u1",)))
    assert _bodies(httpx_mock) == {"assets/revoke": {"clientUserIds": ["u1"]}}


def test_a_write_answered_without_event_id_is_of_unknown_outcome(
    client: AppsBooksClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=BASE + "users/retire", method="POST", json={"uId": "1"})
    with pytest.raises(WriteOutcomeUnknownError) as caught:
        client.retire_users(["u1"])
    assert caught.value.message == "Apple answered POST users/retire without an eventId"
    assert caught.value.exit_code == 6


def test_event_status_with_partial_failures(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "status?eventId=954910a8", json=FAILED_STATUS)
    status = client.event_status("954910a8")
    assert status == EventStatus(
        event_id="954910a8", state=EventState.FAILED, event_type="ASSOCIATE", num_requested=16, num_completed=14,
        failures=(EventFailure(9609, "Registered user not found", client_user_ids=("client-4",)),),
    )  # fmt: skip
    assert status.is_settled


def test_failures_name_assets_and_serials() -> None:
    from abctl.apple import wire

    failure = wire.failure({"errorNumber": 9709, "errorMessage": "not enough", "errorInfo": {
        "assets": [{"adamId": "1", "pricingParam": "STDQ"}], "serialNumbers": ["S1", "S2"]}})  # fmt: skip
    assert failure == EventFailure(9709, "not enough", serial_numbers=("S1", "S2"), adam_ids=("1",))


def test_unknown_event_is_9708(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "status?eventId=nope", status_code=400,
                            json={"errorNumber": 9708, "errorMessage": "Event not found"})  # fmt: skip
    with pytest.raises(EventNotFoundError):
        client.event_status("nope")


def test_wait_for_event_polls_at_the_interval_until_settled(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    for _ in range(2):
        httpx_mock.add_response(url=BASE + "status?eventId=e1", json=PENDING)
    httpx_mock.add_response(url=BASE + "status?eventId=e1", json=PENDING | {"eventStatus": "COMPLETE",
                                                                           "numCompleted": 4000})  # fmt: skip
    seen: list[EventState] = []
    status = client.wait_for_event("e1", poll_interval=30, deadline_seconds=600, on_poll=lambda s: seen.append(s.state))
    assert status.state is EventState.COMPLETE and status.num_completed == 4000
    assert seen == [EventState.PENDING, EventState.PENDING, EventState.COMPLETE]
    assert fake_time.waits(1) == [30, 30]


def test_wait_for_event_returns_pending_when_the_deadline_passes(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=BASE + "status?eventId=e1", json=PENDING, is_reusable=True)
    status = client.wait_for_event("e1", poll_interval=30, deadline_seconds=100)
    assert status.state is EventState.PENDING
    assert fake_time.waits(1) == [30, 30, 30]  # polls at 0, 30, 60, 90; a fifth would pass the deadline
    assert len(httpx_mock.get_requests(url=BASE + "status?eventId=e1")) == 4


def test_wait_for_event_with_no_interval_is_bounded_by_polls(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "status?eventId=e1", json=PENDING, is_reusable=True)
    assert client.wait_for_event("e1", poll_interval=0, deadline_seconds=2).state is EventState.PENDING
    assert len(httpx_mock.get_requests(url=BASE + "status?eventId=e1")) == 5
