"""Reading a paginated collection (assets, assignments, users) the way apple-api.md 3.2 asks.

The first page, then the rest with at most five in flight; follow `nextPageIndex` until the last page truly says
there is no next one (`totalPages` can grow mid-walk). The first page's `versionId` is the listing's version; a
later page with another version (or a page that vanished: 9650) means the data changed while it was read, so the
walk restarts once, then gives up with VersionChangedError. `on_data` gets each page of the current version as
it lands (in landing order, on a thread of its own) so a caller can store it while the walk goes on; `on_restart`
says that the pages handed over so far belong to an abandoned walk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from abctl import interrupt
from abctl.errors import PageOutOfRangeError, VersionChangedError

MAX_PAGES_IN_FLIGHT = 5
PAGES_WAITING = 16  # read but not stored yet, at most (about 6 MiB of assignments)

Page = MutableMapping[str, Any]  # `on_data` may drop records it has stored
FetchPage = Callable[[int | None], Page]  # None: the first page, asked for without pageIndex
OnPage = Callable[[int, int], None]
OnData = Callable[[Page], None]
T_contra = TypeVar("T_contra", contravariant=True)


class RecordSink(Protocol[T_contra]):
    """Takes a listing's records page by page while the walk goes on (abctl.store's AssignmentIngest is one)."""

    def add(self, records: Sequence[T_contra]) -> None:
        """Records of one page, in the order pages land."""

    def restart(self) -> None:
        """The walk starts over: what was added so far may not all be in the listing that will be returned."""


class _Changed(Exception):
    """The collection changed during one walk."""


def read_pages(
    fetch: FetchPage,
    *,
    what: str,
    on_page: OnPage | None = None,
    on_data: OnData | None = None,
    on_restart: Callable[[], None] | None = None,
    ahead: int = MAX_PAGES_IN_FLIGHT,
) -> list[Page]:
    """Every page of one consistent version of a collection, in page order. `ahead`: pages asked for at once
    (more than five only when `fetch` itself keeps at most five on the wire, so a page being parsed or stored
    does not keep the next one from going out)."""
    handoff = _Handoff(on_data, on_restart)
    try:
        for _attempt in (1, 2):
            try:
                pages = _walk_once(fetch, on_page, handoff, ahead)
                break
            except _Changed:
                handoff.restart()
        else:
            raise VersionChangedError(
                f"Apple's {what} changed twice while abctl was reading them",
                hint="another system is writing to this location; run the command again in a moment",
            )
    finally:
        handoff.close()
    handoff.raise_failure()
    return pages


class _Handoff:
    """Runs `on_data` and `on_restart` in order on one thread of their own, so storing a page never holds up
    asking Apple for the next ones; the walk waits for them only at its end (and stops early if one fails).
    At most PAGES_WAITING pages wait to be stored: when storing falls behind (a busy disk, other accounts' pages
    taking the database lock), the walk waits for room instead of holding every page it read in memory."""

    def __init__(self, on_data: OnData | None, on_restart: Callable[[], None] | None) -> None:
        self._on_data = on_data
        self._on_restart = on_restart
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="abctl-ingest") if on_data else None
        self._futures: list[Future[None]] = []
        self._room = threading.BoundedSemaphore(PAGES_WAITING)

    def data(self, page: Page) -> None:
        if self._pool is not None and self._on_data is not None:
            while not self._room.acquire(timeout=0.1):
                if interrupt.requested() or self.failure() is not None:
                    return  # the walk is stopping: this page will not be stored
            self._futures.append(self._pool.submit(self._store, self._on_data, page))

    def _store(self, on_data: OnData, page: Page) -> None:
        try:
            on_data(page)
        finally:
            self._room.release()

    def restart(self) -> None:
        if self._pool is not None and self._on_restart is not None:
            self._futures.append(self._pool.submit(self._on_restart))

    def failure(self) -> BaseException | None:
        """The first error a callback raised so far, if any."""
        return next((f.exception() for f in self._futures if f.done() and f.exception() is not None), None)

    def close(self) -> None:
        if self._pool is not None:
            # After Ctrl-C the page being stored finishes (each page is one transaction); the queued ones are dropped.
            self._pool.shutdown(wait=True, cancel_futures=interrupt.requested())

    def raise_failure(self) -> None:
        error = self.failure()
        if error is not None:
            raise error


def _walk_once(fetch: FetchPage, on_page: OnPage | None, handoff: _Handoff, ahead: int) -> list[Page]:
    first = fetch(None)
    version = first.get("versionId")
    pages: dict[int, Page] = {0: first}
    handoff.data(first)
    next_index = _int(first.get("nextPageIndex"))
    total = max(_int(first.get("totalPages")) or 1, (next_index or 0) + 1 if next_index is not None else 1)
    if on_page:
        on_page(1, total)
    if next_index is None:
        return [first]
    in_flight: dict[Future[Page], int] = {}
    failure: Exception | None = None
    changed = False
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="abctl-page") as pool:
        while True:
            stop = failure or changed or interrupt.requested()  # Ctrl-C: ask for no more pages
            while not stop and len(in_flight) < ahead and next_index < total:
                in_flight[pool.submit(fetch, next_index)] = next_index
                next_index += 1
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                index = in_flight.pop(future)
                try:
                    page = future.result()
                except PageOutOfRangeError:
                    changed = True  # 9650: the collection shrank under the walk
                    continue
                except Exception as error:  # re-raised once the pages in flight have landed
                    failure = failure or error
                    continue
                pages[index] = page
                changed = changed or page.get("versionId") != version
                if not changed:
                    handoff.data(page)
                following = _int(page.get("nextPageIndex"))
                total = max(total, _int(page.get("totalPages")) or 0, following + 1 if following is not None else 0)
                if on_page:
                    on_page(len(pages), total)
            if failure is None and (stored := handoff.failure()) is not None:
                failure = stored if isinstance(stored, Exception) else RuntimeError(stored)
    interrupt.check()
    if failure is not None:
        raise failure
    if changed:
        raise _Changed
    return [pages[index] for index in sorted(pages)]


def _int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
