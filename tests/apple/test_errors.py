"""Every errorNumber of apple-api.md section 4, bare HTTP failures, and every httpx exception class, mapped."""

import inspect

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, SERVICE_CONFIG

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.apple.error_codes import AUTH_ERRORS, ERRORS
from abctl.apple.error_map import HTTPX_EXCEPTIONS, request_was_sent, transport_error
from abctl.errors import (
    AbctlError,
    AppleAPIError,
    AppleUnavailableError,
    AssetNotDeviceAssignableError,
    AssetNotRevocableError,
    EventNotFoundError,
    InvalidRequestError,
    LimitExceededError,
    NotEnoughLicensesError,
    PageOutOfRangeError,
    PermissionDeniedError,
    ServiceMovedError,
    StaleVersionError,
    TokenError,
    UnknownUserError,
    UserAlreadyExistsError,
    WriteOutcomeUnknownError,
)
from abctl.failure_words import in_words
from abctl.models.enums import TargetKind

# The tables of apple-api.md 4.2 (synchronous), 4.3 (asynchronous) and 4.4 (legacy v1 numbers still seen).
DOCUMENTED = [9601, 9602, 9603, 9609, 9621, 9623, 9625, 9634, 9637, 9646, 9647, 9650, *range(9700, 9709), *range(
    9710, 9716), *range(9717, 9730), 9635, 9641, 9644, 9709, 9716, 9600, 9604, 9605, 9607, 9610, 9611, 9616, 9617,
    9618, 9619, 9620, 9622, 9624, 9626, 9627, 9628, 9630, 9631, 9632, 9636, 9643]  # fmt: skip
EXPECTED: dict[int, type[AbctlError]] = {
    9601: TokenError, 9621: TokenError, 9622: TokenError, 9625: TokenError, 9722: TokenError,
    **dict.fromkeys([9700, 9701, 9702, 9703, 9704, 9705, 9714], LimitExceededError),
    9709: NotEnoughLicensesError, 9609: UnknownUserError, 9716: UserAlreadyExistsError, 9721: StaleVersionError,
    9706: AssetNotRevocableError, 9707: AssetNotDeviceAssignableError, 9708: EventNotFoundError,
    9650: PageOutOfRangeError, 9637: PermissionDeniedError, 9647: PermissionDeniedError, 9634: ServiceMovedError,
    **dict.fromkeys([9603, 9644, 9646, 9729], AppleUnavailableError),
    **dict.fromkeys([9600, 9602, 9710, 9711, 9712, 9713, 9715, 9717, 9718, 9719, 9720, 9723, 9724, 9725, 9726, 9727,
                     9728], InvalidRequestError),
}  # fmt: skip


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def test_every_documented_number_has_a_typed_error_and_a_meaning() -> None:
    for number in DOCUMENTED:
        assert number in AUTH_ERRORS or ERRORS[number][1], number


@pytest.mark.parametrize("number", DOCUMENTED)
def test_each_number_raises_its_class(client: AppsBooksClient, httpx_mock: HTTPXMock, number: int) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=400, json={"errorNumber": number},
                            is_reusable=True)  # fmt: skip
    with pytest.raises(AbctlError) as caught:
        client.client_config()
    error = caught.value
    assert type(error) is EXPECTED.get(number, type(error))
    assert isinstance(error, TokenError | AppleAPIError) and error.hint
    assert getattr(error, "error_number", None) == number
    if isinstance(error, AppleAPIError):  # service/config's errorCodes text first, then abctl's own words
        known = {code["errorNumber"]: code["errorMessage"] for code in SERVICE_CONFIG["errorCodes"]}
        assert error.message == f"Apple error {number}: {known.get(number, ERRORS[number][1])}"


@pytest.mark.parametrize(
    "number,status,message,hint",
    [
        (9601, "login_required", "Apple requires a login for this token (Apple error 9601): log into the Apps and Books"
         " service", "Log into the Apps and Books service"),
        (9621, "expired", "the sToken has expired (Apple error 9621): generate a new token",
         "Generate a new token online using your organization's account"),
        (9622, "invalid", "Apple rejected the sToken as invalid (Apple error 9622): upload a valid sToken",
         "Upload a valid Apps and Books sToken"),
        (9625, "revoked", "Apple has revoked the sToken (Apple error 9625): upload a valid sToken",
         "Upload a valid Apps and Books sToken"),
        (9722, "invalid", "Apple rejected the authorization header (Apple error 9722): upload a valid sToken",
         "Upload a valid Apps and Books sToken"),
    ],
)  # fmt: skip
def test_auth_errors_carry_status_and_the_r18_action(
    client: AppsBooksClient, httpx_mock: HTTPXMock, number: int, status: str, message: str, hint: str
) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=401, json={"errorNumber": number})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    assert (caught.value.status, caught.value.error_number, caught.value.exit_code) == (status, number, 3)
    assert caught.value.message == message
    # The Apple layer does not know the account: the hint names the command that does; services fill the name in.
    assert caught.value.hint == f"{hint}; `abctl tokens check` names the account and the command to run"
    assert (
        caught.value.for_account("district").hint
        == f"{hint}, then run: abctl tokens update district --file NEW.vpptoken"
    )


def test_an_error_number_with_http_200_is_an_error(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", json={"errorNumber": 9625, "errorMessage": "revoked"})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    assert caught.value.status == "revoked"


def test_apples_own_message_is_kept(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=BASE + "assets/associate",
        method="POST",
        status_code=400,
        json={
            "errorNumber": 9709,
            "errorMessage": "There aren't enough assets available to complete this association.",
        },
    )
    with pytest.raises(NotEnoughLicensesError) as caught:
        client.associate(AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S",)))
    error = caught.value
    assert error.message == "Apple error 9709: There aren't enough assets available to complete this association."
    assert (error.status_code, error.error_number, error.exit_code) == (400, 9709, 5)


@pytest.mark.parametrize(
    "body,message",
    [
        ({"errorNumber": 9990, "errorMessage": "Brand new"}, "Apple error 9990: Brand new"),
        ({"errorNumber": 9999}, "Apple error 9999: Something new from Apple"),  # text from service/config errorCodes
        ({"errorNumber": 9998}, "Apple error 9998"),
    ],
)
def test_unknown_numbers_keep_number_and_message(
    client: AppsBooksClient, httpx_mock: HTTPXMock, body: dict[str, object], message: str
) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=400, json=body)
    with pytest.raises(AppleAPIError) as caught:
        client.client_config()
    assert type(caught.value) is AppleAPIError
    assert (caught.value.message, caught.value.error_number) == (message, body["errorNumber"])


@pytest.mark.parametrize(
    "status,body,kind,message",
    [
        (404, "<html>not here</html>", AppleAPIError, "Apple answered HTTP 404 without an error number"),
        (401, "", TokenError, "Apple refused the sToken (HTTP 401 without an error number): upload a valid sToken"),
        (502, "<html>bad gateway</html>", AppleUnavailableError, "Apple answered HTTP 502"),
        (403, '["not", "an object"]', AppleAPIError, "Apple answered HTTP 403 without an error number"),
    ],
)
def test_error_bodies_that_are_not_json(
    client: AppsBooksClient, httpx_mock: HTTPXMock, status: int, body: str, kind: type[AbctlError], message: str
) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=status, text=body, is_reusable=True)
    with pytest.raises(kind) as caught:
        client.client_config()
    assert caught.value.message == message


@pytest.mark.parametrize("number", [9702, 9714, 9634])
def test_limit_and_moved_errors_make_the_client_reread_service_config(
    client: AppsBooksClient, httpx_mock: HTTPXMock, number: int
) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=400, json={"errorNumber": number})
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    with pytest.raises((LimitExceededError, ServiceMovedError)):
        client.client_config()
    client.client_config()
    assert len(httpx_mock.get_requests(url=BASE + "service/config")) == 2


def _httpx_exceptions() -> list[type[Exception]]:
    found = [c for _, c in inspect.getmembers(httpx, inspect.isclass) if issubclass(c, BaseException)]
    return sorted(found, key=lambda c: c.__name__)


def _instance(kind: type[Exception]) -> Exception:
    request = httpx.Request("GET", "https://x/")
    if issubclass(kind, httpx.HTTPStatusError):
        return kind("boom", request=request, response=httpx.Response(500, request=request))
    if issubclass(kind, httpx.StreamError) and kind is not httpx.StreamError:
        return kind()
    return kind("boom")


def test_the_mapped_classes_cover_every_httpx_exception() -> None:
    assert len(_httpx_exceptions()) >= 28
    assert all(issubclass(kind, HTTPX_EXCEPTIONS) for kind in _httpx_exceptions())


@pytest.mark.parametrize("kind", _httpx_exceptions(), ids=lambda c: c.__name__)
def test_every_httpx_exception_on_a_read_becomes_an_abctl_error(
    client: AppsBooksClient, httpx_mock: HTTPXMock, kind: type[Exception]
) -> None:
    httpx_mock.add_exception(_instance(kind), url=BASE + "client/config", is_reusable=True)
    with pytest.raises(AbctlError) as caught:
        client.client_config()
    assert caught.value.hint and f"({in_words(_instance(kind))})" in caught.value.message
    assert kind.__name__ not in caught.value.message  # in words, not the class's name
    assert not isinstance(caught.value, WriteOutcomeUnknownError)


@pytest.mark.parametrize("kind", _httpx_exceptions(), ids=lambda c: c.__name__)
def test_every_httpx_exception_on_a_write_becomes_an_abctl_error(
    client: AppsBooksClient, httpx_mock: HTTPXMock, kind: type[Exception]
) -> None:
    httpx_mock.add_exception(_instance(kind), url=BASE + "users/retire", is_reusable=True)
    with pytest.raises(AbctlError) as caught:
        client.retire_users(["u1"])
    sent = request_was_sent(_instance(kind))
    assert isinstance(caught.value, WriteOutcomeUnknownError) is sent
    assert len(httpx_mock.get_requests(url=BASE + "users/retire")) == (1 if sent else 6)


def test_connect_failures_never_left_the_machine() -> None:
    assert not request_was_sent(httpx.ConnectError("refused"))
    assert not request_was_sent(httpx.ConnectTimeout("slow dns"))
    assert request_was_sent(httpx.ReadTimeout("slow answer"))
    assert request_was_sent(httpx.RemoteProtocolError("dropped"))
    assert transport_error(httpx.ReadTimeout("x"), is_write=False, sent=True).exit_code == 6
    assert transport_error(httpx.InvalidURL("x"), is_write=False, sent=False).exit_code == 1
