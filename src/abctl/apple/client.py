"""`AppsBooksClient`: typed calls to every v2 endpoint abctl uses, within Apple's limits.

Every request of one token passes one rate limiter (`maxRequestPerSecond`) and one bounded retry loop
(abctl.apple.requester); listings read their pages in parallel (abctl.apple.pagination). Writes are single calls
that return an eventId: callers batch them (abctl.apple.batching) so each call is committed to the ledger first.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import httpx

from abctl import __version__, interrupt
from abctl.apple import wire
from abctl.apple.batching import AssetBatch, RevokeBatch, unique
from abctl.apple.error_codes import REREAD_CONFIG
from abctl.apple.events import poll_until_settled
from abctl.apple.metadata import lookup_metadata
from abctl.apple.pagination import MAX_PAGES_IN_FLIGHT, OnPage, RecordSink, read_pages
from abctl.apple.ratelimit import RateLimiter
from abctl.apple.requester import Requester
from abctl.apple.retry import RetryPolicy
from abctl.apple.service_config import CodesOf, ServiceConfigCache
from abctl.apple.transport import tls_context
from abctl.errors import AbctlError, AppleAPIError, WriteOutcomeUnknownError
from abctl.models.apple import (
    AppleUser,
    AppMetadata,
    Asset,
    Assignment,
    ClientConfig,
    EventStatus,
    Listing,
    MdmInfo,
    ServiceConfig,
    SToken,
)

APPLE_BASE_URL = "https://vpp.itunes.apple.com/mdm/v2/"
DEFAULT_TIMEOUT = 30.0
_RECORDS = "abctl:records"  # how many records a page had, kept beside them once they are parsed
PAGES_AHEAD = MAX_PAGES_IN_FLIGHT + 2  # asked for at once; `_pages_in_flight` keeps five of them on the wire

T = TypeVar("T")


class AppsBooksClient:
    """One token's conversation with Apple (or a sandbox standing in for it). A context manager."""

    def __init__(
        self,
        token: SToken,
        *,
        base_url: str = APPLE_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = interrupt.sleep,  # every wait (rate, retry, event) ends on Ctrl-C
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[str], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        """`limiter`: the rate budget this token sends through (one of `RateBudgets`, to share an organization's);
        by default one of its own."""
        self._token = token
        self._clock = clock
        self._sleep = sleep
        http = httpx.Client(
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            headers={"Authorization": f"Bearer {token.secret}", "User-Agent": f"abctl/{__version__}"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=MAX_PAGES_IN_FLIGHT + 1),
            verify=tls_context() if transport is None else True,
        )
        limiter = limiter or RateLimiter(15, clock=clock, sleep=sleep)
        self._requester = Requester(
            http, limiter, policy=retry or RetryPolicy(), sleep=sleep, clock=clock, trace=trace,
            rng=rng or random.Random(),
        )  # fmt: skip
        # Apple allows five page reads at once per token: every listing of this client shares the five.
        self._pages_in_flight = threading.BoundedSemaphore(MAX_PAGES_IN_FLIGHT)
        self._configs = ServiceConfigCache(self._requester, clock)
        self._location: ClientConfig | None = None

    def __repr__(self) -> str:
        return f"AppsBooksClient(base_url={str(self._requester.http.base_url)!r}, org={self._token.org_name!r})"

    def __enter__(self) -> AppsBooksClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._requester.http.close()

    @property
    def requests_sent(self) -> int:
        """Requests that got an HTTP answer (any status), retries included."""
        return self._requester.requests_sent

    # -- configuration ---------------------------------------------------------------------------------------

    def service_config(self) -> ServiceConfig:
        """Limits, URLs and error texts; cached, re-read at least every 5 minutes (Apple's guidance)."""
        return self._configs.get()

    def client_config(self) -> ClientConfig:
        """The location behind the token: name, uId, country, expiry, and which MDM claimed it."""
        self._location = wire.read("GET client/config", wire.client_config, self._call("GET", "client/config"))
        return self._location

    def claim_location(self, mdm_info: MdmInfo) -> ClientConfig:
        """Set this installation as the location's MDM (mdmInfo only; notification settings are left alone)."""
        data = self._call("POST", "client/config", body=wire.mdm_info_body(mdm_info), write=True)
        self._location = wire.read("POST client/config", wire.client_config, data)
        return self._location

    # -- paginated reads -------------------------------------------------------------------------------------

    def list_assets(self, *, on_page: OnPage | None = None, **filters: str | bool | int) -> Listing[Asset]:
        """Every asset (Apple's filters as keyword arguments: productType="Book", revocable=True ...)."""
        return self._listing("assets", {key: _param(value) for key, value in filters.items()}, wire.asset, on_page)

    def list_assignments(
        self,
        *,
        since_version_id: str | None = None,
        adam_id: str | None = None,
        serial_number: str | None = None,
        client_user_id: str | None = None,
        on_page: OnPage | None = None,
        sink: RecordSink[Assignment] | None = None,
    ) -> Listing[Assignment]:
        """Every assignment, or only those changed since `since_version_id` (9721 -> StaleVersionError).
        `sink` gets each page's assignments as the page lands, so they can be stored while the walk goes on."""
        params = _drop_none(
            sinceVersionId=since_version_id, adamId=adam_id, serialNumber=serial_number, clientUserId=client_user_id
        )
        return self._listing("assignments", params, wire.assignment, on_page, sink)

    def list_users(
        self,
        *,
        since_version_id: str | None = None,
        client_user_id: str | None = None,
        on_page: OnPage | None = None,
    ) -> Listing[AppleUser]:
        """Every registered user, or only those changed since `since_version_id` (9721 -> StaleVersionError)."""
        params = _drop_none(sinceVersionId=since_version_id, clientUserId=client_user_id)
        return self._listing("users", params, wire.user, on_page)

    def _listing(
        self,
        path: str,
        params: Mapping[str, str],
        parse: Callable[[Any], T],
        on_page: OnPage | None,
        sink: RecordSink[T] | None = None,
    ) -> Listing[T]:
        def fetch(index: int | None) -> dict[str, Any]:
            page_params = params if index is None else {**params, "pageIndex": str(index)}
            data = self._call("GET", path, params=page_params, on_wire=self._pages_in_flight)
            # Parsed on the page's own thread, while the other pages wait for the network or the rate limiter.
            data[path] = wire.page_items(f"GET {path}", (data,), path, parse)
            data[_RECORDS] = len(data[path])
            return data

        def on_data(page: MutableMapping[str, Any]) -> None:
            if sink is not None:
                sink.add(page[path])
                page[path] = ()  # stored by the sink: a 100,000-record read is not also held here

        pages = read_pages(fetch, what=path, on_page=on_page, on_data=on_data if sink else None,
                           on_restart=sink.restart if sink else None, ahead=PAGES_AHEAD)  # fmt: skip
        version = pages[0].get("versionId")
        version_id = str(version) if version is not None else None
        if sink is not None:
            return Listing(items=(), version_id=version_id, pages=len(pages),
                           handed_over=sum(page[_RECORDS] for page in pages))  # fmt: skip
        return Listing(items=tuple(item for page in pages for item in page[path]), version_id=version_id,
                       pages=len(pages))  # fmt: skip

    # -- writes: one call each, returning Apple's eventId --------------------------------------------------------

    def associate(self, batch: AssetBatch) -> str:
        """POST assets/associate for one batch; returns the eventId."""
        body = wire.manage_assets_body(batch.assets, batch.serial_numbers, batch.client_user_ids)
        return self._write("assets/associate", body)

    def disassociate(self, batch: AssetBatch) -> str:
        """POST assets/disassociate for one batch; returns the eventId."""
        body = wire.manage_assets_body(batch.assets, batch.serial_numbers, batch.client_user_ids)
        return self._write("assets/disassociate", body)

    def revoke(self, batch: RevokeBatch) -> str:
        """POST assets/revoke (every revocable asset of the batch's targets); returns the eventId."""
        return self._write("assets/revoke", wire.revoke_body(batch.serial_numbers, batch.client_user_ids))

    def create_users(self, users: Sequence[Mapping[str, str | None]]) -> str:
        """POST users/create; each user a mapping of client_user_id, email, managed_apple_id."""
        return self._write("users/create", wire.users_body(users))

    def update_users(self, users: Sequence[Mapping[str, str | None]]) -> str:
        """POST users/update; same shape as create_users."""
        return self._write("users/update", wire.users_body(users))

    def retire_users(self, client_user_ids: Sequence[str]) -> str:
        """POST users/retire; returns the eventId."""
        return self._write("users/retire", wire.users_body([{"client_user_id": user} for user in client_user_ids]))

    def _write(self, path: str, body: Mapping[str, Any]) -> str:
        event_id = wire.event_id(self._call("POST", path, body=body, write=True))
        if event_id is None:
            # Apple answered without an error, so the write may well be queued: reconcile, do not resend.
            raise WriteOutcomeUnknownError(
                f"Apple answered POST {path} without an eventId", hint="run: abctl sync, then check the result"
            )
        return event_id

    # -- events ----------------------------------------------------------------------------------------------

    def event_status(self, event_id: str) -> EventStatus:
        """GET status for one event (9708 -> EventNotFoundError)."""
        data = self._call("GET", "status", params={"eventId": event_id})
        return wire.read("GET status", lambda raw: wire.event_status(event_id, raw), data)

    def wait_for_event(
        self,
        event_id: str,
        *,
        poll_interval: float,
        deadline_seconds: float,
        on_poll: Callable[[EventStatus], None] | None = None,
    ) -> EventStatus:
        """Poll until the event settles or the deadline passes; returns the last status (PENDING if it did not).

        Apple wants at least 30 s between polls of a PENDING event; the caller chooses `poll_interval`.
        """
        return poll_until_settled(
            lambda: self.event_status(event_id), poll_interval=poll_interval, deadline_seconds=deadline_seconds,
            clock=self._clock, sleep=self._sleep, on_poll=on_poll,
        )  # fmt: skip

    # -- content metadata (names) ----------------------------------------------------------------------------

    def app_metadata(
        self, adam_ids: Sequence[str], *, platform: str | None = None, country: str | None = None
    ) -> dict[str, AppMetadata]:
        """Names (and kind, platforms) from Apple's content lookup. Best effort: any failure leaves ids out.

        `platform` and `country` default to the location's `defaultPlatform` and `countryISO2ACode`.
        """
        ids = [adam_id for adam_id in unique(adam_ids) if adam_id]
        try:
            url = self.service_config().urls.get("contentMetadataLookup")
            if not url or not ids:
                return {}
            if platform is None or country is None:
                location = self._location or self.client_config()
                platform = platform or location.default_platform
                country = country or location.country
        except AbctlError:
            return {}
        return lookup_metadata(self._requester, url, ids, platform=platform, country=country, secret=self._token.secret)

    # -- the one request path --------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        write: bool = False,
        on_wire: AbstractContextManager[object] | None = None,
    ) -> dict[str, Any]:
        # A read goes out while service/config is read beside it (its limits and error texts are needed only once
        # an answer is back, and Apple's documented 15 requests/s hold meanwhile); a write waits for them.
        pending = None if write else self._configs.soon()
        known: Mapping[int, str] = self.service_config().error_codes if pending is None else CodesOf(pending)
        try:
            data = self._requester.send(method, path, params=params, body=body, write=write, known=known,
                                        on_wire=on_wire)  # fmt: skip
        except AppleAPIError as error:
            if error.error_number in REREAD_CONFIG:
                self._configs.forget()  # limits or URLs changed (9700-9705, 9714, 9617, 9634): re-read them
            raise
        if pending is not None:
            pending.result()  # a failed service/config read fails the call, as when it was read first
        return data


def _param(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _drop_none(**params: str | None) -> dict[str, str]:
    return {key: value for key, value in params.items() if value is not None}
