"""Failures in words (issue 16.13): what `in_words` says for each kind of error, never a Python class name."""

import httpx
import pytest

from abctl.failure_words import in_words

CASES = [
    (FileNotFoundError(2, "No such file or directory", "/srv/x.csv"), "no such file or directory"),
    (PermissionError(13, "Permission denied", "/srv/x.csv"), "permission denied"),
    (IsADirectoryError(21, "Is a directory", "/srv"), "is a directory"),
    (OSError("disk on fire"), "the operating system refused"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "it is not UTF-8 text"),
    (KeyError("adamId"), "the field `adamId` is missing"),
    (TypeError("'NoneType' object is not subscriptable"),
     "a value has the wrong type or form ('NoneType' object is not subscriptable)"),
    (ValueError(), "a value has the wrong type or form"),
    (httpx.ConnectError("refused"), "could not connect"),
    (httpx.ConnectTimeout("dns"), "connecting timed out"),
    (httpx.ReadTimeout("slow"), "the answer took longer than the timeout"),
    (httpx.RemoteProtocolError("eof"), "the server broke off the answer"),
    (httpx.InvalidURL("x"), "the URL is not valid"),
    (RuntimeError("stopped"), "stopped"),
    (RuntimeError(), "it failed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("error", "words"), CASES, ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else ""
)
def test_in_words(error: BaseException, words: str) -> None:
    assert in_words(error) == words
    assert type(error).__name__ not in in_words(error, path=True)


def test_the_path_of_an_operating_system_error_on_request() -> None:
    error = FileNotFoundError(2, "No such file or directory", "/srv/x.csv")
    assert in_words(error, path=True) == "no such file or directory: /srv/x.csv"
