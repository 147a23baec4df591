"""Bad input, generated: the only outcomes are success or a one-line `Error:` with a hint and a defined exit
code; never a traceback, and nothing changes in the database."""

import base64
import json
from pathlib import Path

import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Cli

from abctl.apple.stoken import parse_stoken
from abctl.errors import TokenError

fields = st.dictionaries(
    st.sampled_from(["token", "expDate", "orgName", "x"]),
    st.one_of(st.text(max_size=30), st.integers(), st.none()),
    max_size=4,
)
token_texts = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda raw: base64.b64encode(raw).decode()),
    fields.map(lambda d: base64.b64encode(json.dumps(d).encode()).decode()),
)


@given(token_texts)
def test_token_parsing_either_succeeds_or_raises_token_error(text: str) -> None:
    try:
        token = parse_stoken(text, now=None)
    except TokenError as error:
        assert error.exit_code == 3 and error.hint and "\n" not in error.message
        if len(text.strip()) >= 16:  # long enough to mean something: the content never reaches the message
            assert text.strip()[:16] not in error.message
    else:
        assert token.secret == "".join(text.split())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=token_texts)
def test_tokens_add_with_any_file_is_a_clean_error(cli: Cli, tmp_path: Path, db_path: Path, text: str) -> None:
    cli("spaces", "list")
    before = sqlite_utils.Database(db_path).execute("SELECT count(*) FROM accounts").fetchone()
    path = tmp_path / "bad.vpptoken"
    path.write_text(text)
    result = cli("--api-url", "http://127.0.0.1:9/mdm/v2/", "tokens", "add", "acct", "--file", str(path))
    assert result.exit_code in {3, 6}, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ") and lines[1].startswith("Hint: ") and len(lines) == 2
    assert result.stdout == ""
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM accounts").fetchone() == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=80).filter(lambda s: not s.startswith("-")))
def test_space_names_are_accepted_or_refused_cleanly(cli: Cli, db_path: Path, name: str) -> None:
    result = cli("spaces", "add", name)
    if result.exit_code == 0:
        assert name in [r["name"] for r in sqlite_utils.Database(db_path)["spaces"].rows]
        assert cli("spaces", "remove", name).exit_code == 0
    else:
        assert result.exit_code in {2, 3}
        assert result.stderr.startswith("Error: ") or "Usage:" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
