"""Parameter values converted without pydantic (abctl.cli.coercion): the values, and the plain messages."""

from pathlib import Path

import pytest
from tests.conftest import Cli

from abctl.cli.coercion import _boolean, _number


@pytest.mark.parametrize(
    ("kind", "value", "low", "high", "clamp", "expected"),
    [(int, "7", 1, None, False, 7), (int, 3, None, None, False, 3), (float, "2.5", 0, None, False, 2.5),
     (int, "0", 1, 10, True, 1), (int, "99", 1, 10, True, 10), (float, "60", 0, None, False, 60.0)],
)  # fmt: skip
def test_numbers(kind: type, value: object, low: int | None, high: int | None, clamp: bool, expected: object) -> None:
    assert _number(kind, value, low, high, clamp) == expected
    assert type(_number(kind, value, low, high, clamp)) is kind


@pytest.mark.parametrize(
    ("kind", "value", "low", "high", "message"),
    [(int, "abc", None, None, "'abc' is not a whole number"), (float, "x", 0, None, "'x' is not a number"),
     (int, "0", 1, None, "0 is too small: it must be at least 1"),
     (int, "99999", 0, 3650, "99999 is too large: it must be at most 3650")],
)  # fmt: skip
def test_bad_numbers(kind: type, value: object, low: int | None, high: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        _number(kind, value, low, high, False)


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("yes", True), ("1", True), ("off", False), ("", False)])
def test_booleans(value: object, expected: bool) -> None:
    assert _boolean(value) is expected


def test_a_bad_value_is_a_usage_error_in_words(cli: Cli) -> None:
    result = cli("tokens", "check", "--expiring-within", "99999")
    assert result.exit_code == 2
    assert "Invalid value for '--expiring-within': 99999 is too large: it must be at most 3650" in result.stderr
    result = cli("spaces", "list", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'table'," in result.stderr


def test_paths_enums_lists_and_env_values_arrive_converted(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCTL_LOCK_TIMEOUT", "2.5")
    db = tmp_path / "x" / "abctl.db"
    cli.expect("spaces", "add", "lab", "--db", str(db))
    assert db.exists()
    result = cli("spaces", "list", "--db", str(tmp_path))  # a folder where a file is wanted
    assert result.exit_code == 2
