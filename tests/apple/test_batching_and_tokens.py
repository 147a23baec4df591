"""Batching at the exact edges of Apple's limits; sToken parsing errors; httpx exception mapping."""

import inspect
from datetime import UTC, datetime

import httpx
import pytest
from tests.apple.conftest import token_text

from abctl.apple.batching import associate_batches, revoke_batches, user_batches
from abctl.apple.error_map import request_was_sent, transport_error
from abctl.apple.stoken import parse_stoken
from abctl.errors import AbctlError, TokenError
from abctl.models import Limits, TargetKind

LIMITS = Limits()


@pytest.mark.parametrize("apps,serials,calls", [(25, 1000, 1), (26, 1000, 2), (25, 1001, 2), (26, 1001, 4),
                                                (1, 2500, 3), (30, 1000, 2)])  # fmt: skip
def test_associate_batches_use_the_fewest_calls(apps: int, serials: int, calls: int) -> None:
    assets = [(str(i), "STDQ") for i in range(apps)]
    batches = associate_batches(assets, serial_numbers=[f"S{i}" for i in range(serials)], limits=LIMITS)
    assert len(batches) == calls
    assert all(len(b.assets) <= 25 and len(b.targets) <= 1000 for b in batches)
    pairs = {(a, t) for b in batches for a in b.assets for t in b.targets}
    assert len(pairs) == apps * serials


def test_one_kind_of_target_per_call_and_duplicates_removed() -> None:
    batches = associate_batches([("1", "STDQ"), ("1", "STDQ")], serial_numbers=["A", "A", "B"],
                                client_user_ids=["u"], limits=LIMITS)  # fmt: skip
    assert [(b.target_kind, b.assets, b.targets) for b in batches] == [
        (TargetKind.DEVICE, (("1", "STDQ"),), ("A", "B")),
        (TargetKind.USER, (("1", "STDQ"),), ("u",)),
    ]


@pytest.mark.parametrize("count,calls", [(100, 1), (101, 2)])
def test_revoke_and_user_batches(count: int, calls: int) -> None:
    assert len(revoke_batches(serial_numbers=[str(i) for i in range(count)], limits=LIMITS)) == calls
    assert len(revoke_batches(client_user_ids=[str(i) for i in range(count)], limits=LIMITS)) == calls
    assert len(user_batches(list(range(count)), LIMITS)) == calls


NOW = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "the sToken file is empty"),
        ("not base64!!", "the sToken file is not base64 text"),
        ("aGVsbG8=", "the sToken file does not decode to JSON"),
        ("eyJ0b2tlbiI6ICJ4In0=", "the sToken file lacks expDate, orgName"),
        (token_text(exp="2020-01-01T00:00:00+0000"), "the sToken for `ORG12345` expired on 2020-01-01"),
    ],
)
def test_bad_token_files(text: str, message: str) -> None:
    with pytest.raises(TokenError) as caught:
        parse_stoken(text, now=NOW)
    assert caught.value.message == message
    assert caught.value.exit_code == 3 and caught.value.hint


def test_token_whitespace_is_stripped_and_secret_hidden() -> None:
    text = token_text()
    token = parse_stoken("  " + text[:10] + "\n" + text[10:] + "\n", now=NOW)
    assert token.secret == text
    assert token.org_name == "ORG12345"
    assert text not in repr(token)


def _httpx_errors() -> list[type[httpx.HTTPError]]:
    found = [c for _, c in inspect.getmembers(httpx, inspect.isclass) if issubclass(c, httpx.HTTPError)]
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("kind", _httpx_errors(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("is_write", [False, True])
def test_every_httpx_exception_maps_to_an_abctl_error(kind: type[httpx.HTTPError], is_write: bool) -> None:
    request = httpx.Request("GET", "https://x/")
    if issubclass(kind, httpx.HTTPStatusError):
        error: httpx.HTTPError = kind("boom", request=request, response=httpx.Response(500, request=request))
    elif issubclass(kind, httpx.RequestError):
        error = kind("boom", request=request)
    else:
        error = kind("boom")
    mapped = transport_error(error, is_write=is_write, sent=request_was_sent(error))
    assert isinstance(mapped, AbctlError)
    assert mapped.hint
