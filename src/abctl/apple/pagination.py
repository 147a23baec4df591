"""Reading a paginated collection (assets, assignments, users) the way apple-api.md 3.2 asks.

The first page, then the rest with at most five in flight; follow `nextPageIndex` until the last page truly says
there is no next one (`totalPages` can grow mid-walk). The first page's `versionId` is the listing's version; a
later page with another version (or a page that vanished: 9650) means the data changed while it was read, so the
walk restarts once, then gives up with VersionChangedError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from abctl.errors import PageOutOfRangeError, VersionChangedError

MAX_PAGES_IN_FLIGHT = 5

Page = Mapping[str, Any]
FetchPage = Callable[[int | None], Page]  # None: the first page, asked for without pageIndex
OnPage = Callable[[int, int], None]


class _Changed(Exception):
    """The collection changed during one walk."""


def read_pages(fetch: FetchPage, *, what: str, on_page: OnPage | None = None) -> list[Page]:
    """Every page of one consistent version of a collection, in page order."""
    for _attempt in (1, 2):
        try:
            return _walk_once(fetch, on_page)
        except _Changed:
            continue
    raise VersionChangedError(
        f"Apple's {what} changed twice while abctl was reading them",
        hint="another system is writing to this location; run the command again in a moment",
    )


def _walk_once(fetch: FetchPage, on_page: OnPage | None) -> list[Page]:
    first = fetch(None)
    version = first.get("versionId")
    pages: dict[int, Page] = {0: first}
    next_index = _int(first.get("nextPageIndex"))
    total = max(_int(first.get("totalPages")) or 1, (next_index or 0) + 1 if next_index is not None else 1)
    if on_page:
        on_page(1, total)
    if next_index is None:
        return [first]
    in_flight: dict[Future[Page], int] = {}
    failure: Exception | None = None
    changed = False
    with ThreadPoolExecutor(max_workers=MAX_PAGES_IN_FLIGHT, thread_name_prefix="abctl-page") as pool:
        while True:
            while not (failure or changed) and len(in_flight) < MAX_PAGES_IN_FLIGHT and next_index < total:
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
                following = _int(page.get("nextPageIndex"))
                total = max(total, _int(page.get("totalPages")) or 0, following + 1 if following is not None else 0)
                if on_page:
                    on_page(len(pages), total)
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
