"""Pages handed over while the walk goes on: every page of the kept version once, on one thread of their own, a
restart announced after the abandoned walk's pages, a failing callback failing the walk."""

import re
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, SERVICE_CONFIG, page

from abctl.apple.client import AppsBooksClient
from abctl.apple.pagination import read_pages
from abctl.models.apple import Assignment
from abctl.models.enums import TargetKind

ASSIGNMENTS = re.compile(re.escape(BASE) + r"assignments.*")


class Recorder:
    """A RecordSink that remembers what it got, and on which thread."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self.threads: set[str] = set()
        self.records: list[Assignment] = []

    def add(self, records: Sequence[Assignment]) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.extend(record.target_id for record in records)
        self.records.extend(records)

    def restart(self) -> None:
        self.events.append("restart")


def test_every_page_reaches_the_sink_once_on_its_own_thread(
    client: AppsBooksClient, httpx_mock: HTTPXMock
) -> None:  # fmt: skip
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True)
    httpx_mock.add_callback(
        lambda request: httpx.Response(200, json=page(int(request.url.params.get("pageIndex", "0")), 12)),
        url=ASSIGNMENTS,
        is_reusable=True,
    )
    sink = Recorder()
    listing = client.list_assignments(sink=sink)
    assert sorted(sink.events, key=lambda e: int(str(e)[1:])) == [f"S{i}" for i in range(12)]
    # The sink has them all: the listing keeps none (a 100,000-record read is not held twice) and counts them.
    assert (listing.items, listing.handed_over, listing.count, listing.pages) == ((), 12, 12, 12)
    assert sink.records[0] == Assignment("1", "STDQ", TargetKind.DEVICE, "S0")
    assert len(sink.threads) == 1 and sink.threads.pop().startswith("abctl-ingest")


def test_without_a_sink_the_listing_keeps_every_record(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True)
    httpx_mock.add_callback(
        lambda request: httpx.Response(200, json=page(int(request.url.params.get("pageIndex", "0")), 12)),
        url=ASSIGNMENTS,
        is_reusable=True,
    )
    listing = client.list_assignments()
    assert [a.target_id for a in listing.items] == [f"S{i}" for i in range(12)]
    assert (listing.handed_over, listing.count) == (0, 12)


def test_a_restart_comes_after_the_abandoned_walks_pages() -> None:
    versions = iter(["a", "b", "c", "c"])  # page 1 of the first walk has another version: walk again

    def fetch(index: int | None) -> dict[str, Any]:
        return page(index or 0, 2, next(versions))

    seen: list[object] = []

    def store(handed: Any) -> None:
        seen.append((handed["versionId"], handed["currentPageIndex"]))

    pages = read_pages(fetch, what="assignments", on_data=store, on_restart=lambda: seen.append("restart"))
    assert [p["versionId"] for p in pages] == ["c", "c"]
    assert seen == [("a", 0), "restart", ("c", 0), ("c", 1)]  # page 1 of version b was never handed over


def test_a_failing_callback_fails_the_walk() -> None:
    fetched: list[int] = []

    def fetch(index: int | None) -> dict[str, Any]:
        fetched.append(index or 0)
        return page(index or 0, 40)

    def store(_page: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        read_pages(fetch, what="assignments", on_data=store)
    assert len(fetched) < 40  # it stopped asking for pages once the store had failed


def test_without_callbacks_no_thread_is_started() -> None:
    before = threading.active_count()
    pages = read_pages(lambda index: page(index or 0, 1), what="assets")
    assert (len(pages), threading.active_count()) == (1, before)


def test_the_walk_waits_for_room_when_storing_falls_behind() -> None:
    """While the first page's storing is held up, the walk reads at most PAGES_WAITING pages ahead (plus those in
    flight) instead of every page: memory stays bounded whatever the database's speed."""
    from abctl.apple.pagination import MAX_PAGES_IN_FLIGHT, PAGES_WAITING

    fetched: list[int] = []
    stored: list[int] = []
    storing_may_go = threading.Event()

    def fetch(index: int | None) -> dict[str, Any]:
        fetched.append(index or 0)
        return page(index or 0, 60)

    def store(handed: Any) -> None:
        storing_may_go.wait(10)
        stored.append(handed["currentPageIndex"])

    walk = threading.Thread(target=lambda: read_pages(fetch, what="assignments", on_data=store))
    walk.start()
    deadline = time.monotonic() + 10
    while len(fetched) <= PAGES_WAITING and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # time enough to read all 60 pages, were nothing holding the walk back
    assert PAGES_WAITING < len(fetched) <= 1 + PAGES_WAITING + MAX_PAGES_IN_FLIGHT
    storing_may_go.set()
    walk.join(10)
    assert sorted(stored) == list(range(60)) and sorted(fetched) == list(range(60))
