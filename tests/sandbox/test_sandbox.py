"""The sandbox behaves as Apple's API does: shapes, limits, errors, async events, counts, deltas, faults."""

import json
import urllib.request

import httpx
import pytest
from tests.sandbox.conftest import Clock, client_for

from abctl.apple.batching import AssetBatch, RevokeBatch
from abctl.apple.client import AppsBooksClient
from abctl.errors import (
    AppleAPIError,
    AppleUnavailableError,
    LimitExceededError,
    StaleVersionError,
    TokenError,
    UnknownUserError,
)
from abctl.models.apple import EventState
from abctl.models.enums import TargetKind
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.options import SandboxOptions
from abctl.sandbox.seeds import Seed
from abctl.sandbox.server import serve

PLANETARIUM = ("1000000001", "STDQ")
BOOK = ("1000000005", "STDQ")


def raw(app: SandboxApp, method: str, path: str, *, token: str | None = None, body: object = None,
        content_type: str = "application/json") -> tuple[int, dict]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox.test") as http:
        content = json.dumps(body).encode() if body is not None else None
        response = http.request(method, path, content=content, headers={**headers, "Content-Type": content_type})
        return response.status_code, response.json()


def test_counts_move_with_associate_and_disassociate(district: AppsBooksClient) -> None:
    before = {a.adam_id: a for a in district.list_assets().items}["1000000001"]
    assert (before.total, before.assigned, before.available) == (40, 3, 37)
    event = district.associate(AssetBatch((PLANETARIUM,), TargetKind.DEVICE, ("A", "B", "OLDPAD001")))
    status = district.wait_for_event(event, poll_interval=0, deadline_seconds=1)
    assert (status.state, status.num_requested, status.num_completed) == (EventState.COMPLETE, 3, 3)
    after = {a.adam_id: a for a in district.list_assets().items}["1000000001"]
    assert (after.assigned, after.available) == (5, 35)  # the existing pair used no seat
    district.wait_for_event(district.disassociate(AssetBatch((PLANETARIUM,), TargetKind.DEVICE, ("A",))),
                            poll_interval=0, deadline_seconds=1)  # fmt: skip
    assert {a.adam_id: a for a in district.list_assets().items}["1000000001"].assigned == 4


def test_seats_running_out_mid_event_fail_with_9709(district: AppsBooksClient) -> None:
    quiz = ("1000000012", "STDQ")  # 2 seats in the district
    event = district.associate(AssetBatch((quiz,), TargetKind.DEVICE, ("A", "B", "C")))
    status = district.event_status(event)
    assert (status.state, status.num_completed) == (EventState.FAILED, 2)
    assert [(f.error_number, f.serial_numbers, f.adam_ids) for f in status.failures] == [
        (9709, ("C",), ("1000000012",))
    ]


def test_unknown_users_fail_with_9609_and_books_refuse_serials(district: AppsBooksClient, seed: Seed) -> None:
    with pytest.raises(UnknownUserError) as refused:  # Apple's synchronous form (the default)
        district.associate(AssetBatch((BOOK,), TargetKind.USER, ("ghost",)))
    assert (refused.value.status_code, refused.value.client_user_ids) == (400, ("ghost",))
    with client_for(SandboxApp(seed.state, options=SandboxOptions(unknown_users="async")), seed.tokens[0].text) as c:
        status = c.event_status(c.associate(AssetBatch((BOOK,), TargetKind.USER, ("ghost",))))
    assert [(f.error_number, f.client_user_ids) for f in status.failures] == [(9609, ("ghost",))]
    with pytest.raises(AppleAPIError) as caught:
        district.associate(AssetBatch((BOOK,), TargetKind.DEVICE, ("A",)))
    assert caught.value.error_number == 9707


def test_revoke_removes_only_revocable_assets(district: AppsBooksClient, seed: Seed) -> None:
    district.wait_for_event(district.create_users([{"client_user_id": "u1", "managed_apple_id": "u1@x"}]),
                            poll_interval=0, deadline_seconds=1)  # fmt: skip
    district.associate(AssetBatch((PLANETARIUM, BOOK), TargetKind.USER, ("u1",)))
    district.revoke(RevokeBatch(TargetKind.USER, ("u1",)))
    left = {(a.adam_id, a.target_id) for a in district.list_assignments(client_user_id="u1").items}
    assert left == {("1000000005", "u1")}


def test_size_limits_are_enforced_synchronously(district: AppsBooksClient, app: SandboxApp, seed: Seed) -> None:
    token = seed.tokens[0].text
    too_many = {"assets": [{"adamId": str(i)} for i in range(26)], "serialNumbers": ["A"]}
    assert raw(app, "POST", "/mdm/v2/assets/associate", token=token, body=too_many)[1]["errorNumber"] == 9700
    serials = {"assets": [{"adamId": "1"}], "serialNumbers": [str(i) for i in range(1001)]}
    assert raw(app, "POST", "/mdm/v2/assets/associate", token=token, body=serials)[1]["errorNumber"] == 9702
    dup = {"assets": [{"adamId": "1"}], "serialNumbers": ["A", "A"]}
    assert raw(app, "POST", "/mdm/v2/assets/associate", token=token, body=dup)[1]["errorNumber"] == 9705
    revoke = {"serialNumbers": [str(i) for i in range(101)]}
    assert raw(app, "POST", "/mdm/v2/assets/revoke", token=token, body=revoke)[1]["errorNumber"] == 9702
    users = {"users": [{"clientUserId": str(i)} for i in range(101)]}
    assert raw(app, "POST", "/mdm/v2/users/create", token=token, body=users)[1]["errorNumber"] == 9714
    assert raw(app, "POST", "/mdm/v2/assets/associate", token=token, body={"assets": [{"adamId": "1"}]})[1][
        "errorNumber"] == 9719  # fmt: skip
    status, body = raw(app, "POST", "/mdm/v2/assets/associate", token=token, body={}, content_type="text/plain")
    assert (status, body["errorNumber"]) == (415, 9727)
    assert raw(app, "GET", "/mdm/v2/assets/associate", token=token)[1]["errorNumber"] == 9726
    with pytest.raises(LimitExceededError):
        district.associate(AssetBatch(tuple((str(i), "STDQ") for i in range(26)), TargetKind.DEVICE, ("A",)))


@pytest.mark.parametrize("header,number,status", [(None, 9601, 401), ("Basic abc", 9722, 401),
                                                  ("Bearer bm90LWpzb24=", 9622, 401),
                                                      ("Bearer not a token", 9722, 401)])  # fmt: skip
def test_bad_authorization(app: SandboxApp, header: str | None, number: int, status: int) -> None:
    headers = {"Authorization": header} if header else {}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox.test") as http:
        response = http.get("/mdm/v2/client/config", headers=headers)
    assert (response.status_code, response.json()["errorNumber"]) == (status, number)


def test_revoked_expired_and_claimed_tokens(app: SandboxApp, seed: Seed) -> None:
    from datetime import UTC, datetime, timedelta

    from abctl.sandbox.tokens import mint_token

    seed.state.revoke_token("highschool")
    with pytest.raises(TokenError) as caught:
        client_for(app, seed.tokens[1].text).client_config()
    assert caught.value.status == "revoked"
    expired = mint_token(seed.state.location("research").token_id, org_name="Springfield Schools",
                         expires_at=datetime.now(UTC) - timedelta(days=1))  # fmt: skip
    seed.state.location("research").expires_at = datetime.now(UTC) - timedelta(days=1)
    with pytest.raises(TokenError) as caught:
        client_for(app, expired).client_config()
    assert caught.value.status == "expired"
    seed.state.claim("district", "other-mdm-id", "Jamf Pro")
    info = client_for(app, seed.tokens[0].text).client_config().mdm_info
    assert info is not None and (info.id, info.name) == ("other-mdm-id", "Jamf Pro")


def test_pagination_and_deltas(district: AppsBooksClient, seed: Seed) -> None:
    seed.state.page_sizes["assignments"] = 2
    for serial in ("N1", "N2", "N3"):
        seed.state.external_assign("district", "1000000002", "serialNumber", serial)
    full = district.list_assignments()
    assert full.pages == 3 and len(full.items) == 6
    assert district.list_assignments(since_version_id=full.version_id).items == ()
    seed.state.external_assign("district", "1000000002", "serialNumber", "N4")
    delta = district.list_assignments(since_version_id=full.version_id)
    assert [a.target_id for a in delta.items] == ["N4"]
    with pytest.raises(StaleVersionError):
        district.list_assignments(since_version_id="bogus-1")


def test_page_index_out_of_range(app: SandboxApp, seed: Seed) -> None:
    assert raw(app, "GET", "/mdm/v2/assets?pageIndex=5", token=seed.tokens[0].text)[1]["errorNumber"] == 9650


def test_events_complete_after_the_delay(app: SandboxApp, seed: Seed, clock: Clock) -> None:
    seed.state.event_delay = 10
    client = client_for(app, seed.tokens[0].text)
    event = client.associate(AssetBatch((PLANETARIUM,), TargetKind.DEVICE, ("X",)))
    assert client.event_status(event).state is EventState.PENDING
    clock.now = 11
    assert client.event_status(event).state is EventState.COMPLETE
    with pytest.raises(AppleAPIError) as caught:
        client.event_status("nope")
    assert caught.value.error_number == 9708


def test_rate_limit_answers_9646_with_429(app: SandboxApp, seed: Seed) -> None:
    seed.state.max_request_per_second = 3
    statuses = [raw(app, "GET", "/mdm/v2/client/config", token=seed.tokens[0].text)[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert seed.state.stats()["throttled"] == 2


def test_seeded_faults_are_reproducible() -> None:
    def sequence() -> list[str | None]:
        spec = FaultSpec.parse("429=0.2,503=0.1,drop=0.1,err200=0.1,seed=42")
        return [spec.pick() for _ in range(200)]

    first = sequence()
    assert first == sequence()
    assert {"429", "503", "drop", "err200", None} <= set(first)


def test_fault_spec_errors() -> None:
    from abctl.errors import InputError

    with pytest.raises(InputError, match="unknown fault `nope`"):
        FaultSpec.parse("nope=1")
    with pytest.raises(InputError, match="between 0 and 1"):
        FaultSpec.parse("429=2")


def test_err200_and_retries_through_the_client(app: SandboxApp, seed: Seed) -> None:
    app.faults = FaultSpec.parse("err200=1,seed=1")
    with pytest.raises(AppleUnavailableError):
        client_for(app, seed.tokens[0].text).client_config()


def test_loopback_server_with_dropped_connections(app: SandboxApp, seed: Seed) -> None:
    with serve(app) as running:
        with urllib.request.urlopen(running.url + "/mdm/v2/service/config") as response:
            assert json.load(response)["limits"]["maxAssets"] == 25
        client = AppsBooksClient(__import__("abctl.apple.stoken", fromlist=["x"]).parse_stoken(
            seed.tokens[0].text, now=None), base_url=running.api_url, sleep=lambda s: None)  # fmt: skip
        assert client.client_config().location_name == "District Office"
        app.faults = FaultSpec.parse("drop=1")
        with pytest.raises(AppleUnavailableError):
            client.client_config()
        client.close()
