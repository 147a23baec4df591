"""`AppsBooksClient`: typed calls to every v2 endpoint abctl uses, within Apple's limits.

Reads page in parallel (at most 5 in flight), every request of one token passes one rate limiter
(`maxRequestPerSecond`), failures are retried a bounded number of times with backoff and jitter, and every
response is checked for `errorNumber` whatever its HTTP status. Writes are single calls that return an eventId;
callers batch them (abctl.apple.batching) so each call can be committed to the ledger first.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from abctl import __version__
from abctl.apple import wire
from abctl.apple.batching import AssetBatch, RevokeBatch
from abctl.apple.error_map import apple_error, request_was_sent, transport_error
from abctl.apple.ratelimit import RateLimiter
from abctl.errors import (
    AbctlError,
    AppleAPIError,
    AppleUnavailableError,
    LimitExceededError,
    VersionChangedError,
)
from abctl.models import (
    AppleUser,
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
MAX_PAGES_IN_FLIGHT = 5
SERVICE_CONFIG_TTL = 300.0
MAX_ATTEMPTS = 6
MAX_TOTAL_WAIT = 180.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
# Requests Apple certainly did not act on: safe to send again even for writes.
_NOT_ACCEPTED = {9646, 9729}
_RETRY_NUMBERS = {9603, 9644, 9646, 9729}

T = TypeVar("T")


class AppsBooksClient:
    """One token's conversation with Apple (or a sandbox standing in for it)."""

    def __init__(
        self,
        token: SToken,
        *,
        base_url: str = APPLE_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[str], None] | None = None,
        timeout: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._trace = trace
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            headers={"Authorization": f"Bearer {token.secret}", "User-Agent": f"abctl/{__version__}"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=MAX_PAGES_IN_FLIGHT + 1),
        )
        # A window slightly over one second absorbs jitter between when a request leaves and when Apple counts it.
        self._limiter = RateLimiter(15, clock=clock, sleep=sleep, window=1.1)
        self._config: ServiceConfig | None = None
        self._config_at = 0.0
        self._config_lock = threading.Lock()
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"AppsBooksClient(base_url={str(self._http.base_url)!r})"

    def __enter__(self) -> AppsBooksClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- configuration ---------------------------------------------------------------------------------------

    def service_config(self) -> ServiceConfig:
        """Limits, URLs and error texts; cached, re-read at least every 5 minutes (Apple's guidance)."""
        with self._config_lock:
            if self._config is None or self._clock() - self._config_at >= SERVICE_CONFIG_TTL:
                data = self._request("GET", "service/config", known={})
                self._config = wire.service_config(data)
                self._config_at = self._clock()
                self._limiter.set_rate(self._config.limits.max_request_per_second)
            return self._config

    def client_config(self) -> ClientConfig:
        return wire.client_config(self._call("GET", "client/config"))

    def claim_location(self, mdm_info: MdmInfo) -> ClientConfig:
        """Set this installation as the location's MDM (mdmInfo only; notification settings are left alone)."""
        return wire.client_config(self._call("POST", "client/config", body=wire.mdm_info_body(mdm_info), write=True))

    # -- paginated reads -------------------------------------------------------------------------------------

    def list_assets(self, **filters: str | bool | int) -> Listing[Asset]:
        params = {key: _param(value) for key, value in filters.items()}
        return self._walk("assets", params, "assets", wire.asset)

    def list_assignments(
        self,
        *,
        since_version_id: str | None = None,
        adam_id: str | None = None,
        serial_number: str | None = None,
        client_user_id: str | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Listing[Assignment]:
        params = _drop_none(
            sinceVersionId=since_version_id, adamId=adam_id, serialNumber=serial_number, clientUserId=client_user_id
        )
        return self._walk("assignments", params, "assignments", wire.assignment, on_page)

    def list_users(
        self,
        *,
        since_version_id: str | None = None,
        client_user_id: str | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Listing[AppleUser]:
        params = _drop_none(sinceVersionId=since_version_id, clientUserId=client_user_id)
        return self._walk("users", params, "users", wire.user, on_page)

    def _walk(
        self,
        path: str,
        params: Mapping[str, str],
        key: str,
        parse: Callable[[Mapping[str, Any]], T],
        on_page: Callable[[int, int], None] | None = None,
    ) -> Listing[T]:
        """Every page of a collection; restart once if its versionId changes mid-walk, then fail."""
        for attempt in (1, 2):
            pages = self._walk_once(path, params, on_page)
            versions = {page.get("versionId") for page in pages}
            if len(versions) <= 1:
                items = tuple(parse(item) for page in pages for item in page.get(key) or ())
                return Listing(items=items, version_id=pages[0].get("versionId"), pages=len(pages))
            if attempt == 2:
                raise VersionChangedError(
                    f"Apple's {path} changed twice while abctl was reading them",
                    hint="another system is writing to this location; run the sync again in a moment",
                )
        raise AssertionError("unreachable")

    def _walk_once(
        self, path: str, params: Mapping[str, str], on_page: Callable[[int, int], None] | None
    ) -> list[dict[str, Any]]:
        first = self._call("GET", path, params=params)
        pages = {0: first}
        total = int(first.get("totalPages") or 1)
        if on_page:
            on_page(1, total)
        next_index = first.get("nextPageIndex")
        with ThreadPoolExecutor(max_workers=MAX_PAGES_IN_FLIGHT) as pool:
            while next_index is not None:
                wanted = list(range(int(next_index), max(total, int(next_index) + 1)))
                fetched = pool.map(lambda i: self._call("GET", path, params={**params, "pageIndex": str(i)}), wanted)
                for index, page in zip(wanted, fetched, strict=True):
                    pages[index] = page
                    if on_page:
                        on_page(len(pages), max(total, len(pages)))
                last = pages[max(pages)]
                # totalPages can grow while the walk runs (apple-api.md 3.2): go on until no nextPageIndex.
                next_index = last.get("nextPageIndex")
                total = max(total, int(last.get("totalPages") or total))
        return [pages[index] for index in sorted(pages)]

    # -- writes: one call each, returning Apple's eventId --------------------------------------------------------

    def associate(self, batch: AssetBatch) -> str:
        body = wire.manage_assets_body(batch.assets, batch.serial_numbers, batch.client_user_ids)
        return self._event_id(self._call("POST", "assets/associate", body=body, write=True))

    def disassociate(self, batch: AssetBatch) -> str:
        body = wire.manage_assets_body(batch.assets, batch.serial_numbers, batch.client_user_ids)
        return self._event_id(self._call("POST", "assets/disassociate", body=body, write=True))

    def revoke(self, batch: RevokeBatch) -> str:
        body = wire.revoke_body(
            batch.targets if batch.target_kind == "device" else (), batch.targets if batch.target_kind == "user" else ()
        )
        return self._event_id(self._call("POST", "assets/revoke", body=body, write=True))

    def create_users(self, users: Sequence[Mapping[str, str | None]]) -> str:
        return self._event_id(self._call("POST", "users/create", body=wire.users_body(users), write=True))

    def update_users(self, users: Sequence[Mapping[str, str | None]]) -> str:
        return self._event_id(self._call("POST", "users/update", body=wire.users_body(users), write=True))

    def retire_users(self, client_user_ids: Sequence[str]) -> str:
        body = wire.users_body([{"client_user_id": user} for user in client_user_ids])
        return self._event_id(self._call("POST", "users/retire", body=body, write=True))

    @staticmethod
    def _event_id(data: Mapping[str, Any]) -> str:
        event_id = data.get("eventId")
        if not event_id:
            raise AppleAPIError("Apple accepted a write but returned no eventId", hint="run: abctl sync")
        return str(event_id)

    # -- events ----------------------------------------------------------------------------------------------

    def event_status(self, event_id: str) -> EventStatus:
        return wire.event_status(event_id, self._call("GET", "status", params={"eventId": event_id}))

    def wait_for_event(
        self,
        event_id: str,
        *,
        poll_interval: float,
        deadline_seconds: float,
        on_poll: Callable[[EventStatus], None] | None = None,
    ) -> EventStatus:
        """Poll until the event settles or the deadline passes; returns the last status (PENDING if it did not)."""
        started = self._clock()
        # Bounded by polls too, so a zero interval (tests, the sandbox) cannot spin for the whole deadline.
        max_polls = max(1, int(deadline_seconds / max(poll_interval, 0.5)))
        for _ in range(max_polls):
            status = self.event_status(event_id)
            if on_poll:
                on_poll(status)
            if status.is_settled or self._clock() - started + poll_interval > deadline_seconds:
                return status
            self._sleep(poll_interval)
        return status

    # -- content metadata (names) ----------------------------------------------------------------------------

    def content_metadata(
        self, adam_ids: Sequence[str], *, platform: str | None = None, country: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """Names and platforms from Apple's content lookup; {} when it cannot be reached (names are optional)."""
        url = self.service_config().urls.get("contentMetadataLookup")
        if not url or not adam_ids:
            return {}
        params = {"version": "2", "p": "mdm-lockup", "caller": "MDM", "platform": platform or "volumestore",
                  "cc": (country or "us").lower(), "l": "en", "id": ",".join(adam_ids)}  # fmt: skip
        try:
            request = self._http.build_request("GET", url, params=params)
            del request.headers["Authorization"]  # the lookup is another service: the sToken stays with the API
            response = self._http.send(request)
            results = response.json().get("results") or {}
        except (httpx.HTTPError, ValueError, AttributeError):
            return {}
        return {str(key): value for key, value in results.items() if isinstance(value, dict)}

    # -- the one request loop ----------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        write: bool = False,
    ) -> dict[str, Any]:
        known = self.service_config().error_codes
        try:
            return self._request(method, path, params=params, body=body, write=write, known=known)
        except LimitExceededError:
            with self._config_lock:
                self._config = None  # 9700-9705/9714: limits may have changed; re-read before the next call
            raise

    def _request(
        self,
        method: str,
        path: str,
        *,
        known: dict[int, str],
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        write: bool = False,
    ) -> dict[str, Any]:
        waited = 0.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._limiter.acquire()
            started = self._clock()
            try:
                response = self._http.request(method, path, params=params, json=body)
            except httpx.HTTPError as error:
                self._log(method, path, params, f"{error.__class__.__name__}", started)
                sent = request_was_sent(error)
                if (write and sent) or attempt == MAX_ATTEMPTS:
                    raise transport_error(error, is_write=write, sent=sent) from None
                waited += self._backoff(attempt, None, waited)
                continue
            self.requests_sent += 1
            self._log(method, path, params, str(response.status_code), started)
            data = _json(response)
            number = data.get("errorNumber") if isinstance(data, dict) else None
            if number is None and response.status_code < 400 and isinstance(data, dict):
                return data
            failure = self._error_for(response, data, known)
            retry = self._should_retry(response.status_code, number, write)
            if not retry or attempt == MAX_ATTEMPTS or waited >= MAX_TOTAL_WAIT:
                raise failure
            waited += self._backoff(attempt, _retry_after(response), waited)
        raise AssertionError("unreachable")

    @staticmethod
    def _should_retry(status: int, number: Any, write: bool) -> bool:
        if number in _NOT_ACCEPTED or status in (429, 503):
            return True
        if write:
            return False
        return number in _RETRY_NUMBERS or status >= 500

    def _error_for(self, response: httpx.Response, data: Any, known: dict[int, str]) -> AbctlError:
        if isinstance(data, dict) and data.get("errorNumber") is not None:
            try:
                number = int(data["errorNumber"])
            except (TypeError, ValueError):
                number = 0
            error = apple_error(number, str(data.get("errorMessage", "")), response.status_code, known=known)
            if response.status_code == 429 and not isinstance(error, AppleUnavailableError):
                return AppleUnavailableError(error.message, hint=error.hint, status_code=429, error_number=number)
            return error
        if response.status_code >= 500 or response.status_code == 429:
            return AppleUnavailableError(
                f"Apple answered HTTP {response.status_code}", hint="Apple is busy or down; try again later",
                status_code=response.status_code,
            )  # fmt: skip
        return AppleAPIError(
            f"Apple answered HTTP {response.status_code} without an error number",
            hint="check --api-url; run again with --debug to see the request",
            status_code=response.status_code,
        )

    def _backoff(self, attempt: int, retry_after: float | None, waited: float) -> float:
        if retry_after is not None:
            delay = retry_after
        else:
            delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) * (0.5 + self._rng.random() / 2)
        delay = max(0.0, min(delay, MAX_TOTAL_WAIT - waited))
        self._sleep(delay)
        return delay

    def _log(self, method: str, path: str, params: Mapping[str, str] | None, outcome: str, started: float) -> None:
        if self._trace is None:
            return
        url = self._http.build_request(method, path, params=params).url
        elapsed = (self._clock() - started) * 1000
        self._trace(f"{method} {url} -> {outcome} ({elapsed:.0f} ms)")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _param(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _drop_none(**params: str | None) -> dict[str, str]:
    return {key: value for key, value in params.items() if value is not None}
