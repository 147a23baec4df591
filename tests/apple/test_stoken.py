"""sToken files: what is accepted, each way one is refused, and that the secret never shows."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.apple.conftest import INNER_SECRET, token_text

from abctl.apple.stoken import parse_stoken, read_stoken_file, read_stoken_text
from abctl.errors import InputError, TokenError

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_a_good_token_keeps_the_whole_stripped_file_as_the_secret() -> None:
    text = token_text()
    token = parse_stoken("  " + text[:10] + "\n" + text[10:] + "\r\n", now=NOW)
    assert token.secret == text
    assert (token.org_name, token.expires_at) == ("ORG12345", datetime(2030, 11, 8, 22, 33, 22, tzinfo=UTC))
    assert text not in repr(token) and INNER_SECRET not in repr(token)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "the sToken file is empty"),
        ("not base64!!", "the sToken file is not base64 text"),
        ("aGVsbG8=", "the sToken file does not decode to JSON"),
        ("WzEsIDJd", "the sToken file does not hold a JSON object"),
        ("eyJ0b2tlbiI6ICJ4In0=", "the sToken file lacks expDate, orgName"),
        (token_text(exp="next year"), "the sToken expiry date is not in Apple's format"),
        (token_text(exp="2020-01-01T00:00:00+0000"), "the sToken for `ORG12345` expired on 2020-01-01"),
    ],
)
def test_bad_token_files_are_token_errors_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(TokenError) as caught:
        parse_stoken(text, now=NOW)
    assert caught.value.message == message
    assert caught.value.exit_code == 3
    assert caught.value.hint
    assert INNER_SECRET not in f"{caught.value} {caught.value!r} {caught.value.hint}"


def test_expired_token_has_status_expired_and_the_r18_action() -> None:
    with pytest.raises(TokenError) as caught:
        parse_stoken(token_text(exp="2020-01-01T00:00:00+0000"), now=NOW)
    assert caught.value.status == "expired"
    assert caught.value.hint == "generate a new token online using your organization's account, then add it again"


def test_a_stored_token_is_not_refused_for_its_date_without_now() -> None:
    assert parse_stoken(token_text(exp="2020-01-01T00:00:00+0000"), now=None).org_name == "ORG12345"


def test_read_stoken_file_from_a_path_and_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "school.vpptoken"
    path.write_text(token_text(org="School") + "\n")
    assert read_stoken_file(str(path), io.StringIO(), now=NOW).org_name == "School"
    assert read_stoken_file("-", io.StringIO(token_text(org="Piped")), now=NOW).org_name == "Piped"
    assert read_stoken_text("-", io.StringIO("abc")) == "abc"


def test_read_stoken_file_refuses_an_expired_token_by_default(tmp_path: Path) -> None:
    path = tmp_path / "old.vpptoken"
    path.write_text(token_text(exp="2020-01-01T00:00:00+0000"))
    with pytest.raises(TokenError):
        read_stoken_file(str(path), io.StringIO())


def test_an_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_stoken_file(str(tmp_path / "missing.vpptoken"), io.StringIO(), now=NOW)
    missing = tmp_path / "missing.vpptoken"
    assert caught.value.message == f"cannot read the token file `{missing}`: no such file or directory"
    assert caught.value.exit_code == 2


def test_token_files_are_read_with_or_without_a_trailing_newline(tmp_path: Path) -> None:
    text = token_text()
    for name, content in (("apple.vpptoken", text), ("edited.vpptoken", text + "\n"), ("crlf.vpptoken", text + "\r\n")):
        path = tmp_path / name
        path.write_bytes(content.encode())
        assert read_stoken_file(str(path), io.StringIO()).secret == text
