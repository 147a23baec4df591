"""The renderer: the same rows in every format, stdout for data only, stderr for messages."""

import io
import json
from datetime import UTC, datetime

import pytest

from abctl.output import Column, Format, Renderer

COLUMNS = [Column("name", "Name"), Column("total", "Total", "right"), Column("seen_at", "Seen"), Column("ok", "OK")]
ROWS = [
    {"name": "Keynote", "total": 1500, "seen_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "ok": True},
    {"name": "Pages, Pro", "total": 3, "seen_at": None, "ok": False},
]


def render(fmt: Format, rows: list[dict[str, object]] = ROWS) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    Renderer(fmt=fmt, stdout=out, stderr=err, no_color=True).rows(rows, COLUMNS, title="Apps")
    return out.getvalue(), err.getvalue()


def test_json_keeps_types_and_iso_dates() -> None:
    out, err = render(Format.JSON)
    assert json.loads(out) == [
        {"name": "Keynote", "total": 1500, "seen_at": "2026-01-02T03:04:05Z", "ok": True},
        {"name": "Pages, Pro", "total": 3, "seen_at": None, "ok": False},
    ]
    assert err == ""


def test_jsonl_and_csv_use_the_same_keys() -> None:
    out, _ = render(Format.JSONL)
    assert [list(json.loads(line)) for line in out.splitlines()] == [["name", "total", "seen_at", "ok"]] * 2
    out, _ = render(Format.CSV)
    assert out == ('name,total,seen_at,ok\nKeynote,1500,2026-01-02T03:04:05Z,true\n"Pages, Pro",3,,false\n')


def test_table_is_plain_text_with_formatted_numbers() -> None:
    out, err = render(Format.TABLE)
    assert "Keynote" in out and "1,500" in out and "yes" in out
    assert "\x1b[" not in out
    assert err == ""


@pytest.mark.parametrize(
    "fmt,expected", [(Format.JSON, "[]\n"), (Format.JSONL, ""), (Format.CSV, "name,total,seen_at,ok\n")]
)
def test_empty_listings(fmt: Format, expected: str) -> None:
    assert render(fmt, [])[0] == expected


def test_empty_table_says_so_on_stderr() -> None:
    out, err = render(Format.TABLE, [])
    assert out == ""
    assert err == "No apps.\n"


def test_messages_go_to_stderr_and_quiet_silences_them() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = Renderer(stdout=out, stderr=err, no_color=True)
    renderer.info("hello")
    renderer.warn("careful")
    renderer.error("broke", "fix it")
    assert out.getvalue() == ""
    assert err.getvalue() == "hello\nWarning: careful\nError: broke\nHint: fix it\n"
    quiet_err = io.StringIO()
    quiet = Renderer(stdout=out, stderr=quiet_err, quiet=True, no_color=True)
    quiet.info("hidden")
    quiet.warn("shown")
    assert quiet_err.getvalue() == "Warning: shown\n"


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    err = io.StringIO()
    renderer = Renderer(stderr=err, no_color=True)
    with renderer.progress("Syncing") as advance:
        advance(1, 2)
    assert err.getvalue() == ""


def test_record_as_json_object() -> None:
    out = io.StringIO()
    Renderer(fmt=Format.JSON, stdout=out).record(ROWS[0], COLUMNS)
    assert json.loads(out.getvalue())["total"] == 1500


def test_long_tables_are_aligned_plain_text() -> None:
    rows = [{"name": f"App {i}", "total": i, "seen_at": None, "ok": i % 2 == 0} for i in range(600)]
    out, _ = render(Format.TABLE, rows)
    lines = out.splitlines()
    assert lines[0] == "Apps"
    assert lines[1] == "Name     Total  Seen  OK"
    assert lines[2] == "-" * len(lines[1])
    assert lines[3] == "App 0        0        yes"
    assert lines[-1] == "App 599    599        no"
