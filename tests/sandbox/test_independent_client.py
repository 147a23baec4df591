"""An independent client (tests/sandbox/apple_wire.py: plain urllib, written from apple-api.md alone) against
`abctl sandbox serve` over real loopback HTTP: every endpoint, every filter, every documented error, and the
notifications a receiver on 127.0.0.1 gets, with Apple's envelope and bearer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sandbox.apple_wire import Apple, Receiver, Sandbox, http, mint

PLANETARIUM, BOOK, QUIZ, MUSIC = "1000000001", "1000000005", "1000000012", "1000000010"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    running = Sandbox(tmp_path_factory.mktemp("sandbox"), "--seed", "demo", "--event-delay", "0")
    yield running
    running.stop()


@pytest.fixture
def fresh(sandbox: Sandbox, tmp_path: Path, request: pytest.FixtureRequest) -> Apple:
    """A new, empty location of its own (a minted token) with two apps and a book: tests may change it freely."""
    name = "t" + str(abs(hash(request.node.name)))[:10]
    apple = Apple(sandbox.api, mint(tmp_path, name))
    assert apple.get("client/config").status == 200  # creates the location
    for adam_id, kind, total, device in (("3000000001", "App", 5, True), ("3000000002", "App", 50, False),
                                         ("3000000003", "Book", 3, False)):  # fmt: skip
        answer = sandbox.admin("add-asset", {"location": name, "adamId": adam_id, "name": f"Fresh {adam_id}",
                                             "productType": kind, "total": total, "deviceAssignable": device,
                                             "revocable": kind == "App", "platforms": ["iOS"]})  # fmt: skip
        assert answer.status == 200, answer.body
    apple.name = name  # type: ignore[attr-defined]
    return apple


def district(sandbox: Sandbox) -> Apple:
    return Apple(sandbox.api, sandbox.token("district"))


def create_users(apple: Apple, *users: dict[str, str]) -> dict[str, object]:
    answer = apple.post("users/create", {"users": list(users)})
    assert answer.status == 200, answer.body
    return apple.wait(answer.body["eventId"])


# -- tokens and authentication (apple-api.md 1.1, 1.2, 10) ------------------------------------------------------


def test_token_files_are_apple_s_bytes_and_work_sent_byte_for_byte(sandbox: Sandbox) -> None:
    raw = (sandbox.folder / "tokens" / "district.vpptoken").read_bytes()
    assert not raw.endswith(b"\n") and raw.strip() == raw
    decoded = json.loads(base64.b64decode(raw))
    assert set(decoded) == {"token", "expDate", "orgName"}
    answer = http("GET", sandbox.api + "client/config", headers={"Authorization": "Bearer " + raw.decode()})
    assert (answer.status, answer.body["locationName"]) == (200, "District Office")


def test_minted_token_files_have_no_trailing_newline(tmp_path: Path) -> None:
    assert not mint(tmp_path, "nonewline").endswith("\n")


def test_no_header_is_9601_a_header_not_bearer_token_is_9722(sandbox: Sandbox) -> None:
    token = sandbox.token("district")
    assert http("GET", sandbox.api + "assets").body["errorNumber"] == 9601
    for header in (f"Basic {token}", f"Bearer {token} extra", "Bearer", token):
        answer = http("GET", sandbox.api + "assets", headers={"Authorization": header})
        assert (answer.status, answer.error) == (401, 9722), header
    assert (
        "Bearer {sToken}"
        in http("GET", sandbox.api + "assets", headers={"Authorization": "Basic x"}).body["errorMessage"]
    )


def test_well_formed_but_unknown_or_damaged_tokens_are_9622(sandbox: Sandbox) -> None:
    token = sandbox.token("district")
    damaged = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    unknown = base64.b64encode(json.dumps({"token": "nobody", "expDate": "2031-01-01T00:00:00+0000",
                                           "orgName": "X"}).encode()).decode()  # fmt: skip
    for bad in (damaged, unknown, "bm90IGEgdG9rZW4=", "abc"):
        answer = http("GET", sandbox.api + "client/config", headers={"Authorization": f"Bearer {bad}"})
        assert (answer.status, answer.error) == (401, 9622), bad


def test_expired_revoked_and_replaced_tokens(sandbox: Sandbox, tmp_path: Path) -> None:
    expired = mint(tmp_path, "oldtoken", "--expires", "2020-01-01")
    assert Apple(sandbox.api, expired).get("assets").error == 9621
    revoked = mint(tmp_path, "gone", "--state", "revoked")
    assert Apple(sandbox.api, revoked).get("assets").error == 9625
    first = mint(tmp_path, "rotated")
    assert Apple(sandbox.api, first).get("assets").status == 200
    assert sandbox.admin("rotate-token", {"location": "rotated"}).status == 200
    assert Apple(sandbox.api, first).get("assets").error == 9622  # replaced elsewhere: Apple's "invalid token"


# -- service/config and client/config (2.1, 2.2) ------------------------------------------------------------------


def test_service_config_needs_no_token_and_lists_limits_urls_types_and_every_error(sandbox: Sandbox) -> None:
    answer = Apple(sandbox.api).get("service/config")
    assert answer.status == 200
    body = answer.body
    assert body["limits"]["maxAssets"] == 25 and body["limits"]["maxRequestPerSecond"] == 15
    assert set(body["urls"]) >= {"invitationEmail", "clientConfig", "createUsers", "getAssignments", "revokeAssets",
                                 "contentMetadataLookup", "getUsers", "eventStatus", "associateAssets",
                                 "disassociateAssets", "updateUsers", "getAssets", "retireUsers"}  # fmt: skip
    assert "%25inviteCode%25" in body["urls"]["invitationEmail"]
    codes = {item["errorNumber"]: item["errorMessage"] for item in body["errorCodes"]}
    documented = {9601, 9602, 9603, 9609, 9621, 9622, 9623, 9625, 9634, 9635, 9637, 9641, 9644, 9646, 9647, 9650,
                  *range(9700, 9730)}  # fmt: skip
    assert documented <= set(codes)
    assert codes[9602] == "Invalid argument" and codes[9609] == "Registered user not found"
    assert all(message and message != "Error" for message in codes.values())
    assert body["notificationTypes"] == ["ASSET_COUNT", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED"]


def test_client_config_reports_the_location(sandbox: Sandbox) -> None:
    body = district(sandbox).get("client/config").body
    assert {k: body[k] for k in ("countryISO2ACode", "defaultPlatform", "locationName", "websiteURL")} == {
        "countryISO2ACode": "US", "defaultPlatform": "volumestore", "locationName": "District Office",
        "websiteURL": "https://school.apple.com"}  # fmt: skip
    assert body["tokenExpirationDate"].endswith("+0000") and body["uId"].isdigit()


def test_mdm_info_is_kept_and_checked(fresh: Apple) -> None:
    info = {"id": "mdm-1", "name": "Other MDM", "metadata": "v1"}
    assert fresh.post("client/config", {"mdmInfo": info}).body["mdmInfo"] == info
    assert fresh.get("assets").body["mdmInfo"] == info  # every response carries it once set
    for bad, number in (({"id": "x", "name": "y"}, 9723), ({**info, "id": "i" * 101}, 9724),
                        ({**info, "name": "n" * 101}, 9725), ({**info, "metadata": "m" * 256}, 9713)):  # fmt: skip
        answer = fresh.post("client/config", {"mdmInfo": bad})
        assert (answer.status, answer.error) == (400, number)
    assert fresh.get("client/config").body["mdmInfo"] == info


def test_notification_settings_are_kept_returned_and_tested(fresh: Apple, receiver: Receiver) -> None:
    types = ["ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED"]
    answer = fresh.post("client/config", {"notificationUrl": receiver.url, "notificationAuthToken": "SUp3rS3Cr3t",
                                          "notificationTypes": types})  # fmt: skip
    assert answer.status == 200, answer.body
    test = receiver.wait_for("TEST_NOTIFICATION")[0]
    assert test.authorization == "Bearer SUp3rS3Cr3t" and test.path == "/mdm/notify"
    assert test.body["notification"] == {} and test.body["uId"] == answer.body["uId"] and test.body["notificationId"]
    again = fresh.get("client/config").body
    assert (again["notificationUrl"], again["notificationAuthToken"]) == (receiver.url, "SUp3rS3Cr3t")
    assert again["subscribedNotificationTypes"] == types


def test_notification_settings_errors_change_nothing(fresh: Apple, receiver: Receiver) -> None:
    url = receiver.url
    cases = [({"notificationUrl": url}, 9710), ({"notificationAuthToken": "t"}, 9710),
             ({"notificationUrl": url + "/" + "p" * 512, "notificationAuthToken": "t"}, 9711),
             ({"notificationUrl": url, "notificationAuthToken": "t" * 513}, 9711),
             ({"notificationUrl": "ftp://127.0.0.1/x", "notificationAuthToken": "t"}, 9712),
             ({"notificationUrl": "http://example.com/notify", "notificationAuthToken": "t"}, 9712),
             ({"notificationUrl": url + "?q=1", "notificationAuthToken": "t"}, 9712),
             ({"notificationUrl": "http://127.0.0.1:9/nobody", "notificationAuthToken": "t"}, 9728),
        ({"notificationUrl": "https://mdm.example.com/notify", "notificationAuthToken": "t"}, 9728),  # loopback only
             ({"notificationUrl": url, "notificationAuthToken": "t", "notificationTypes": ["NOPE"]}, 9602)]  # fmt: skip
    for body, number in cases:
        answer = fresh.post("client/config", body)
        assert (answer.status, answer.error) == (400, number), body
    config = fresh.get("client/config").body
    assert "notificationUrl" not in config and config["subscribedNotificationTypes"] == []


def test_client_config_method_and_content_type(fresh: Apple) -> None:
    answer = fresh.post("client/config", {"mdmInfo": {"id": "a", "name": "b", "metadata": "c"}},
                        content_type="text/plain")  # fmt: skip
    assert (answer.status, answer.error) == (415, 9727)
    deleted = http("DELETE", fresh.api + "client/config", headers={"Authorization": f"Bearer {fresh.token}"})
    assert (deleted.status, deleted.error) == (405, 9726)
    assert fresh.post("assets", {}).error == 9726 and fresh.get("assets/associate").error == 9726
    broken = http(
        "POST",
        fresh.api + "client/config",
        data=b"{not json",
        headers={"Authorization": f"Bearer {fresh.token}", "Content-Type": "application/json"},
    )
    assert (broken.status, broken.error) == (400, 9602)


# -- assets (2.3) ----------------------------------------------------------------------------------------------


def test_assets_every_filter(sandbox: Sandbox) -> None:
    apple = district(sandbox)
    everything, _ = apple.walk("assets", "assets")
    ids = lambda **f: sorted(a["adamId"] for a in apple.walk("assets", "assets", **f)[0])  # noqa: E731
    assert ids() == sorted(a["adamId"] for a in everything) and len(everything) == 8
    assert ids(productType="Book") == [BOOK]
    assert BOOK not in ids(productType="App")
    assert ids(pricingParam="PLUS") == []
    assert ids(revocable=False) == [BOOK]
    assert ids(deviceAssignable=False) == [BOOK, MUSIC]
    assert ids(adamId=QUIZ) == [QUIZ]
    assert ids(maxAvailableCount=5) == [MUSIC, QUIZ]
    assert ids(minAvailableCount=20) == ["1000000001", "1000000002", BOOK]
    assert ids(minAssignedCount=1) == [PLANETARIUM] and ids(maxAssignedCount=0) == sorted(set(ids()) - {PLANETARIUM})
    record = next(a for a in everything if a["adamId"] == PLANETARIUM)
    assert record == {"adamId": PLANETARIUM, "assignedCount": 3, "availableCount": 37, "deviceAssignable": True,
                      "pricingParam": "STDQ", "productType": "App", "retiredCount": 0, "revocable": True,
                      "supportedPlatforms": ["iOS"], "totalCount": 40}  # fmt: skip


def test_assets_unlimited_filter(sandbox: Sandbox, fresh: Apple) -> None:
    sandbox.admin(
        "add-asset",
        {
            "location": fresh.name,
            "adamId": "3000000009",
            "name": "Free Forever",  # type: ignore[attr-defined]
            "productType": "App",
            "unlimited": True,
            "platforms": ["iOS"],
        },
    )
    omitted = {a["adamId"]: a for a in fresh.get("assets").body["assets"]}
    assert omitted["3000000009"]["totalCount"] == 2147483647
    excluded = fresh.get("assets", unlimited=False).body
    assert "3000000009" not in {a["adamId"] for a in excluded["assets"]} and "unlimitedAssets" not in excluded
    apart = fresh.get("assets", unlimited=True).body
    assert "3000000009" not in {a["adamId"] for a in apart["assets"]}
    assert [set(u) for u in apart["unlimitedAssets"]] == [{"adamId", "assignedCount", "deviceAssignable",
                                                           "pricingParam", "productType", "revocable",
                                                           "supportedPlatforms"}]  # fmt: skip


def test_pages_follow_next_page_index_and_9650_past_the_end(sandbox: Sandbox, fresh: Apple) -> None:
    sandbox.admin("page-size", {"endpoint": "assets", "size": 2})
    try:
        first = fresh.get("assets").body
        assert (first["currentPageIndex"], first["nextPageIndex"], first["size"], first["totalPages"]) == (0, 1, 2, 2)
        last = fresh.get("assets", pageIndex=1).body
        assert "nextPageIndex" not in last and last["size"] == 1
        for index in (2, -1, "x"):
            answer = fresh.get("assets", pageIndex=index)
            assert (answer.status, answer.error) == (400, 9650)
    finally:
        sandbox.admin("page-size", {"endpoint": "assets", "size": 500})


# -- associate, disassociate, revoke, status (2.4, 2.5, 2.9) ---------------------------------------------------


def test_associate_disassociate_revoke_and_status(fresh: Apple) -> None:
    asset = {"adamId": "3000000001", "pricingParam": "STDQ"}
    answer = fresh.post("assets/associate", {"assets": [asset], "serialNumbers": ["S1", "S2"]})
    assert answer.status == 200 and set(answer.body) >= {"eventId", "tokenExpirationDate", "uId"}
    status = fresh.wait(answer.body["eventId"])
    assert {k: status[k] for k in ("eventStatus", "eventType", "numRequested", "numCompleted")} == {
        "eventStatus": "COMPLETE",
        "eventType": "ASSOCIATE",
        "numRequested": 2,
        "numCompleted": 2,
    }
    counts = fresh.get("assets", adamId="3000000001").body["assets"][0]
    assert (counts["assignedCount"], counts["availableCount"]) == (2, 3)
    done = fresh.wait(fresh.post("assets/disassociate", {"assets": [asset], "serialNumbers": ["S1"]}).body["eventId"])
    assert (done["eventType"], done["eventStatus"]) == ("DISASSOCIATE", "COMPLETE")
    revoked = fresh.wait(fresh.post("assets/revoke", {"serialNumbers": ["S2"]}).body["eventId"])
    assert (revoked["eventType"], revoked["eventStatus"]) == ("REVOKE", "COMPLETE")
    assert fresh.get("assignments").body["assignments"] == []
    missing = fresh.get("status", eventId="no-such-event")
    assert (missing.status, missing.error) == (400, 9708)


def test_out_of_seats_fails_asynchronously_with_9709(fresh: Apple) -> None:
    event = fresh.post("assets/associate", {"assets": [{"adamId": "3000000001"}],
                                            "serialNumbers": [f"S{i}" for i in range(7)]}).body["eventId"]  # fmt: skip
    status = fresh.wait(event)
    assert (status["eventStatus"], status["numRequested"], status["numCompleted"]) == ("FAILED", 7, 5)
    assert status["failures"] == [
        {
            "errorNumber": 9709,
            "errorMessage": status["failures"][0]["errorMessage"],
            "errorInfo": {"serialNumbers": ["S5", "S6"], "assets": [{"adamId": "3000000001", "pricingParam": "STDQ"}]},
        }
    ]


def test_unknown_users_are_a_synchronous_9609_naming_them(fresh: Apple) -> None:
    create_users(fresh, {"clientUserId": "known", "managedAppleId": "known@example.org"})
    for path in ("assets/associate", "assets/disassociate"):
        answer = fresh.post(path, {"assets": [{"adamId": "3000000002"}], "clientUserIds": ["known", "ghost", "nope"]})
        assert (answer.status, answer.error) == (400, 9609), path
        assert answer.body["errorInfo"] == {"clientUserIds": ["ghost", "nope"]}
    assert fresh.get("assignments").body["assignments"] == []  # nothing was queued


def test_write_request_errors(fresh: Apple) -> None:
    asset = {"adamId": "3000000001", "pricingParam": "STDQ"}
    cases = [
        ("assets/associate", {"serialNumbers": ["S"]}, 9718),
        ("assets/associate", {"assets": [asset]}, 9719),
        ("assets/associate", {"assets": [asset, asset], "serialNumbers": ["S"]}, 9703),
        ("assets/associate", {"assets": [asset], "clientUserIds": ["u", "u"]}, 9704),
        ("assets/associate", {"assets": [asset], "serialNumbers": ["S", "S"]}, 9705),
        ("assets/associate", {"assets": [{"adamId": str(i)} for i in range(26)], "serialNumbers": ["S"]}, 9700),
        ("assets/associate", {"assets": [asset], "clientUserIds": [f"u{i}" for i in range(1001)]}, 9701),
        ("assets/associate", {"assets": [asset], "serialNumbers": [f"S{i}" for i in range(1001)]}, 9702),
        ("assets/associate", {"assets": [{"adamId": "3000000002"}], "serialNumbers": ["S"]}, 9707),
        ("assets/disassociate", {"assets": [{"adamId": "3000000003"}], "serialNumbers": ["S"]}, 9707),
        ("assets/revoke", {"serialNumbers": [f"S{i}" for i in range(101)]}, 9702),
        ("assets/revoke", {"clientUserIds": [f"u{i}" for i in range(101)]}, 9701),
        ("assets/revoke", {}, 9719),
        ("users/create", {"users": []}, 9720),
        ("users/create", {"users": [{"clientUserId": f"u{i}"} for i in range(101)]}, 9714),
        ("users/create", {"users": [{"clientUserId": "a"}, {"clientUserId": "a"}]}, 9715),
        ("users/create", {"users": [{"clientUserId": "a", "email": "not-an-email"}]}, 9717),
        ("users/retire", {}, 9720),
    ]
    for path, body, number in cases:
        answer = fresh.post(path, body)
        assert (answer.status, answer.error) == (400, number), (path, body)
    assert fresh.get("assignments").body["assignments"] == [] and fresh.get("users").body["users"] == []


def test_disassociating_a_book_is_9706(fresh: Apple) -> None:
    create_users(fresh, {"clientUserId": "reader", "managedAppleId": "reader@example.org"})
    answer = fresh.post("assets/disassociate", {"assets": [{"adamId": "3000000003"}], "clientUserIds": ["reader"]})
    assert (answer.status, answer.error) == (400, 9706)


# -- assignments (2.6) and users (2.7, 2.8) -------------------------------------------------------------------


def test_assignments_every_filter_and_deltas(fresh: Apple) -> None:
    create_users(
        fresh,
        {"clientUserId": "ann", "managedAppleId": "ann@example.org"},
        {"clientUserId": "ben", "managedAppleId": "ben@example.org"},
    )
    app_a, app_b = {"adamId": "3000000001"}, {"adamId": "3000000002"}
    fresh.wait(fresh.post("assets/associate", {"assets": [app_a], "serialNumbers": ["S1", "S2"]}).body["eventId"])
    fresh.wait(fresh.post("assets/associate", {"assets": [app_b], "clientUserIds": ["ann", "ben"]}).body["eventId"])
    everything, version = fresh.walk("assignments", "assignments")
    assert len(everything) == 4 and all(len(a) == 3 for a in everything)
    pick = lambda **f: sorted(str(sorted(a.items())) for a in fresh.walk("assignments", "assignments", **f)[0])  # noqa: E731
    assert len(pick(adamId="3000000001")) == 2 and len(pick(adamId="3000000002")) == 2
    assert pick(serialNumber="S2") == [str(sorted({"adamId": "3000000001", "pricingParam": "STDQ",
                                                   "serialNumber": "S2"}.items()))]  # fmt: skip
    assert len(pick(clientUserId="ann")) == 1 and pick(pricingParam="PLUS") == []
    fresh.wait(fresh.post("users/retire", {"users": [{"clientUserId": "ben"}]}).body["eventId"])
    active = fresh.walk("assignments", "assignments", excludeInactiveUsers=True)[0]
    assert {a.get("clientUserId") for a in active} == {None, "ann"}
    with_state = fresh.get("assignments", includeUserState=True, adamId="3000000002").body["assignments"]
    assert sorted((a["clientUserId"], a["userState"]) for a in with_state) == [
        ("ann", "Associated"),
        ("ben", "Retired"),
    ]
    fresh.wait(fresh.post("assets/associate", {"assets": [app_a], "serialNumbers": ["S3"]}).body["eventId"])
    delta = fresh.get("assignments", sinceVersionId=version).body
    assert delta["assignments"] == [{"adamId": "3000000001", "pricingParam": "STDQ", "serialNumber": "S3"}]
    assert delta["versionId"] != version
    stale = fresh.get("assignments", sinceVersionId="bogus")
    assert (stale.status, stale.error) == (400, 9721)


def test_users_every_filter_and_lifecycle(fresh: Apple) -> None:
    status = create_users(fresh, {"clientUserId": "ann", "email": "ann@example.org", "managedAppleId": "ann@mx.org"},
                          {"clientUserId": "ben", "email": "ben@example.org"},
                          {"clientUserId": "cat", "email": "cat@example.org"})  # fmt: skip
    assert (status["eventType"], status["eventStatus"], status["numCompleted"]) == ("CREATE", "COMPLETE", 3)
    users, version = fresh.walk("users", "users")
    by_id = {u["clientUserId"]: u for u in users}
    assert by_id["ann"]["status"] == "Associated" and "idHash" in by_id["ann"]
    assert by_id["ben"]["status"] == "Registered" and by_id["ben"]["inviteCode"] and "idHash" not in by_id["ben"]
    assert "managedAppleId" not in by_id["ann"]  # request-only
    ids = lambda **f: sorted(u["clientUserId"] for u in fresh.walk("users", "users", **f)[0])  # noqa: E731
    assert ids(clientUserId="ben") == ["ben"] and ids(clientUserId="zed") == []
    assert ids(email="cat@example.org") == ["cat"]
    assert ids(managedAppleId="ann@mx.org") == ["ann"] and ids(managedAppleId="nobody@mx.org") == []
    fresh.wait(fresh.post("users/retire", {"users": [{"clientUserId": "cat"}]}).body["eventId"])
    assert ids(activeOnly=True) == ["ann", "ben"] and ids(retiredOnly=True) == ["cat"]
    assert ids(includeRetired=0) == ["ann", "ben"] and ids(includeRetired=1) == ["ann", "ben", "cat"]
    updated = fresh.wait(fresh.post("users/update", {"users": [{"clientUserId": "ben", "email": "b@example.org"}]})
                         .body["eventId"])  # fmt: skip
    assert updated["eventType"] == "UPDATE"
    delta = fresh.get("users", sinceVersionId=version).body["users"]
    assert sorted(u["clientUserId"] for u in delta) == ["ben", "cat"]
    again = fresh.wait(fresh.post("users/create", {"users": [{"clientUserId": "ann"}]}).body["eventId"])
    assert [f["errorNumber"] for f in again["failures"]] == [9716]
    assert fresh.get("users", sinceVersionId="bogus").error == 9721


def test_the_invite_url_associates_the_user(sandbox: Sandbox, fresh: Apple, receiver: Receiver) -> None:
    fresh.post("client/config", {"notificationUrl": receiver.url, "notificationAuthToken": "tok",
                                 "notificationTypes": ["USER_ASSOCIATED"]})  # fmt: skip
    create_users(fresh, {"clientUserId": "dora", "email": "dora@example.org"})
    user = fresh.get("users", clientUserId="dora").body["users"][0]
    template = Apple(sandbox.api).get("service/config").body["urls"]["invitationEmail"]
    page = http("GET", template.replace("%25inviteCode%25", user["inviteCode"]))
    assert page.status == 200
    after = fresh.get("users", clientUserId="dora").body["users"][0]
    assert after["status"] == "Associated" and after["idHash"]
    got = receiver.wait_for("USER_ASSOCIATED")[0]
    assert got.authorization == "Bearer tok"
    assert got.body["notification"] == {"associatedUsers": [after]}
    assert http("GET", template.replace("%25inviteCode%25", "no-such-code")).status == 404


# -- the content lookup (2.11) -----------------------------------------------------------------------------------


def test_lookup_returns_what_apple_s_lookup_returns(sandbox: Sandbox) -> None:
    url = Apple(sandbox.api).get("service/config").body["urls"]["contentMetadataLookup"]
    answer = http("GET", f"{url}?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en"
                         f"&id={PLANETARIUM},{BOOK},999")  # fmt: skip
    results = answer.body["results"]
    assert set(results) == {PLANETARIUM, BOOK}
    app = results[PLANETARIUM]
    assert app["name"] == "Pocket Planetarium" and app["bundleId"].startswith("com.example.")
    assert app["kind"] == "software" and app["platforms"] == ["iOS"]
    assert set(app["artwork"]) == {"url", "width", "height"} and "{w}x{h}" in app["artwork"]["url"]
    assert app["url"].startswith("https://apps.apple.com/")
    offer = app["offers"][0]
    assert isinstance(offer["price"], float) and offer["priceFormatted"]
    assert offer["version"]["display"].count(".") == 2 and offer["assets"][0]["size"] > 1_000_000
    assert results[BOOK]["kind"] == "ebook" and "bundleId" not in results[BOOK]


# -- faults ----------------------------------------------------------------------------------------------------


def test_faults_500_with_retry_after_and_any_error_with_http_200(sandbox: Sandbox) -> None:
    apple = district(sandbox)
    try:
        sandbox.admin("faults", {"spec": "500=1,retry_after=7"})
        answer = apple.get("assets")
        assert (answer.status, answer.headers.get("Retry-After"), answer.error) == (500, "7", 9603)
        for number in (9646, 9621, 9622, 9625, 9603):
            sandbox.admin("faults", {"spec": f"err200={number}"})
            answer = apple.get("assets")
            assert (answer.status, answer.error) == (200, number)
        for number, status in ((9634, 410), (9637, 403), (9647, 403), (9623, 400), (9729, 503)):
            sandbox.admin("faults", {"spec": f"error={number}"})
            answer = apple.get("assets")
            assert (answer.status, answer.error) == (status, number)
        sandbox.admin("faults", {"spec": "429=1"})
        assert (apple.get("assets").status, apple.get("assets").error) == (429, 9646)
        sandbox.admin("faults", {"spec": "503=1"})
        answer = apple.get("assets")
        assert (answer.status, answer.error, answer.headers.get("Retry-After")) == (503, 9729, "1")
    finally:
        sandbox.admin("faults", {"spec": ""})
    assert apple.get("assets").status == 200
