"""Page walks: parallel but at most five in flight, growing page counts, versionId changes, 9650, 9721."""

import re
import threading
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, SERVICE_CONFIG, page

from abctl.apple.client import AppsBooksClient
from abctl.apple.pagination import read_pages
from abctl.errors import AppleUnavailableError, PageOutOfRangeError, StaleVersionError, VersionChangedError

ASSIGNMENTS = re.compile(re.escape(BASE) + r"assignments.*")


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def _index(request: httpx.Request) -> int:
    return int(request.url.params.get("pageIndex", "0"))


def test_pages_in_parallel_never_more_than_five_in_flight(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    in_flight = peak = 0
    lock = threading.Lock()
    five_waiting = threading.Barrier(5, timeout=5)

    def respond(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        if 1 <= _index(request) <= 5:
            five_waiting.wait()  # pages 1-5 are all in flight together, or this times out
        threading.Event().wait(0.005)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json=page(_index(request), 23))

    httpx_mock.add_callback(respond, url=ASSIGNMENTS, is_reusable=True)
    progress: list[tuple[int, int]] = []
    listing = client.list_assignments(on_page=lambda done, total: progress.append((done, total)))
    assert [a.target_id for a in listing.items] == [f"S{i}" for i in range(23)]
    assert (listing.pages, peak) == (23, 5)
    assert progress[0] == (1, 23) and progress[-1] == (23, 23) and len(progress) == 23
    sent = [str(r.url) for r in httpx_mock.get_requests(url=ASSIGNMENTS)]
    assert sent[0] == BASE + "assignments"  # the first page is asked for without pageIndex
    assert sorted(sent[1:]) == sorted(f"{BASE}assignments?pageIndex={i}" for i in range(1, 23))


def test_the_walk_goes_on_while_total_pages_grows(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        index = _index(request)
        total = 2 if index == 0 else 4  # Apple's page count grew after the first page
        return httpx.Response(200, json=page(index, total))

    httpx_mock.add_callback(respond, url=ASSIGNMENTS, is_reusable=True)
    assert [a.target_id for a in client.list_assignments().items] == ["S0", "S1", "S2", "S3"]


def test_next_page_index_is_followed_beyond_total_pages() -> None:
    pages: dict[int, dict[str, Any]] = {i: page(i, 3) for i in range(3)}
    pages[0]["totalPages"] = 1  # a stale count: nextPageIndex is what tells there is more
    walked = read_pages(lambda index: pages[index or 0], what="assignments")
    assert [p["currentPageIndex"] for p in walked] == [0, 1, 2]


def test_a_version_change_restarts_once_then_fails(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    versions = iter(["a", "b", "c", "c", "d", "e", "f", "g"])

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page(_index(request), 2, next(versions)))

    httpx_mock.add_callback(respond, url=ASSIGNMENTS, is_reusable=True)
    listing = client.list_assignments()
    assert (listing.version_id, listing.pages) == ("c", 2)  # a/b differ -> restart -> c/c
    with pytest.raises(VersionChangedError) as caught:
        client.list_assignments()  # d/e differ, restart, f/g differ again
    assert caught.value.message == "Apple's assignments changed twice while abctl was reading them"
    assert caught.value.exit_code == 5
    assert len(httpx_mock.get_requests(url=ASSIGNMENTS)) == 8


def test_the_first_pages_version_is_kept(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "users", json=page(0, 2, "first", "users", [{"clientUserId": "a"}]))
    httpx_mock.add_response(url=BASE + "users?pageIndex=1", json=page(1, 2, "first", "users", [{"clientUserId": "b"}]))
    assert client.list_users().version_id == "first"


def test_a_page_that_vanished_9650_restarts_the_walk(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assignments", json=page(0, 3, "a"))
    httpx_mock.add_response(url=BASE + "assignments?pageIndex=1", json=page(1, 3, "a"))
    httpx_mock.add_response(url=BASE + "assignments?pageIndex=2", status_code=400,
                            json={"errorNumber": 9650, "errorMessage": "Page index out of range"})  # fmt: skip
    httpx_mock.add_response(url=BASE + "assignments", json=page(0, 2, "b"))
    httpx_mock.add_response(url=BASE + "assignments?pageIndex=1", json=page(1, 2, "b"))
    assert client.list_assignments().version_id == "b"


def test_9650_on_the_first_page_is_an_error(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets", status_code=400, json={"errorNumber": 9650})
    with pytest.raises(PageOutOfRangeError):
        client.list_assets()


def test_9721_asks_for_a_full_read(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "users?sinceVersionId=old", status_code=400,
                            json={"errorNumber": 9721, "errorMessage": "Invalid versionId"})  # fmt: skip
    with pytest.raises(StaleVersionError) as caught:
        client.list_users(since_version_id="old")
    assert (caught.value.error_number, caught.value.status_code) == (9721, 400)
    assert caught.value.hint == "run a full sync: abctl sync --full"


def test_a_failing_page_fails_the_walk_after_the_others_land(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if _index(request) == 3:
            return httpx.Response(503, json={"errorNumber": 9729})
        return httpx.Response(200, json=page(_index(request), 9))

    httpx_mock.add_callback(respond, url=ASSIGNMENTS, is_reusable=True)
    with pytest.raises(AppleUnavailableError):
        client.list_assignments()
    indexes = [_index(r) for r in httpx_mock.get_requests(url=ASSIGNMENTS)]
    assert indexes.count(3) == 6  # retried to its bound, then the walk stops submitting pages


def test_a_single_page_collection_is_one_request(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assignments", json=page(0, 1, "v"))
    listing = client.list_assignments()
    assert (listing.pages, len(listing.items)) == (1, 1)
