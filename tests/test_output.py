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
    assert lines[1] == "Name     Total  OK"  # Seen is empty in every row: the default table leaves it out
    assert lines[2] == "-------  -----  ---"
    assert lines[3] == "App 0        0  yes"
    assert lines[-1] == "App 599    599  no"


def draw(rows: list[dict[str, object]], view: list[Column], width: int | None, **kw: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    renderer = Renderer(stdout=out, stderr=err, no_color=True, width=width, **kw)  # type: ignore[arg-type]
    renderer.rows(rows, view, title="Apps")
    return out.getvalue(), err.getvalue()


WIDE_ROWS: list[dict[str, object]] = [
    {"name": "Pocket Planetarium", "adam_id": "1000000001", "serial": "DMPX00112233", "why": "no free seat in any "
     "account that may serve it", "event_id": "0df0af2e-ff36-4fe9-9cae-0c81efcc8320", "at": datetime(2026, 12, 1,
     7, 31, 12, tzinfo=UTC)},
]  # fmt: skip
WIDE_COLUMNS = [
    Column("name", "App"), Column("adam_id", "Adam ID"), Column("serial", "Serial"), Column("why", "Why", wrap=True),
    Column("event_id", "Apple event", drop=1), Column("at", "When", drop=2),
]  # fmt: skip


def test_identifiers_stay_whole_free_text_wraps_and_lower_priority_columns_go_first() -> None:
    out, err = draw(WIDE_ROWS, WIDE_COLUMNS, 80)
    assert out == (
        "Apps\n"
        "App                 Adam ID     Serial        Why\n"
        "------------------  ----------  ------------  ----------------------------------\n"
        "Pocket Planetarium  1000000001  DMPX00112233  no free seat in any account that\n"
        "                                              may serve it\n"
    )
    assert err == "2 columns hidden; -o wide shows them\n"
    assert "…" not in out and all(len(line) <= 80 for line in out.splitlines())


def test_when_there_is_room_everything_is_on_one_line_with_times_in_utc() -> None:
    out, err = draw(WIDE_ROWS, WIDE_COLUMNS, 160)
    assert out.splitlines() == [
        "Apps (times in UTC)",
        "App                 Adam ID     Serial        Why                                            Apple event"
        "                           When",
        "------------------  ----------  ------------  ---------------------------------------------  -----------"
        "-------------------------  ----------------",
        "Pocket Planetarium  1000000001  DMPX00112233  no free seat in any account that may serve it  0df0af2e-ff3"
        "6-4fe9-9cae-0c81efcc8320  2026-12-01 07:31",
    ]
    assert err == ""


def test_only_essential_columns_left_run_past_the_terminal_rather_than_cut() -> None:
    out, err = draw(WIDE_ROWS, WIDE_COLUMNS[:3], 20)
    assert out.splitlines()[3] == "Pocket Planetarium  1000000001  DMPX00112233"
    assert err == ""


def test_headers_wrap_between_words_before_a_value_is_touched() -> None:
    columns = [Column("a", "Assignments read", "right"), Column("b", "Gone from Apple", "right"),
               Column("t", "Text", wrap=True)]  # fmt: skip
    out, _ = draw([{"a": 41, "b": 0, "t": "x " * 20}], columns, 40)
    assert out.splitlines()[1:5] == [
        "Assignments   Gone  Text",
        "       read   from",
        "             Apple",
        "-----------  -----  --------------------",
    ]


def test_lists_wrap_between_items_never_inside_one() -> None:
    columns = [Column("name", "Name"), Column("accounts", "Accounts"), Column("note", "Note", wrap=True)]
    rows: list[dict[str, object]] = [{"name": "Code Garden", "accounts": ["district", "high school"], "note": "a b"}]
    out, _ = draw(rows, columns, 30)
    assert out.splitlines()[3:] == ["Code Garden  district,    a b", "             high school"]


def test_wide_draws_every_column_on_one_line_per_row() -> None:
    columns = [*WIDE_COLUMNS, Column("extra", "Extra", in_table=False)]
    out, err = draw([{**WIDE_ROWS[0], "extra": "x"}], columns, 80, fmt=Format.WIDE)
    assert out.splitlines()[1].split() == ["App", "Adam", "ID", "Serial", "Why", "Apple", "event", "When", "Extra"]
    assert out.splitlines()[3].endswith("2026-12-01 07:31  x")
    assert err == ""


def test_people_only_columns_stay_out_of_scripts() -> None:
    columns = [Column("done", "Done", machine=False), Column("n", "N", in_table=False)]
    assert json.loads(draw([{"done": "1/2", "n": 2}], columns, 80, fmt=Format.JSON)[0]) == [{"n": 2}]
    assert draw([{"done": "1/2", "n": 2}], columns, 80)[0].splitlines()[3] == "1/2"
    assert draw([{"done": "1/2", "n": 2}], columns, 80, fmt=Format.WIDE)[0].splitlines()[3] == "2"


@pytest.mark.parametrize("fmt", list(Format))
def test_columns_select_and_order_in_every_format(fmt: Format) -> None:
    out, _ = draw(WIDE_ROWS, WIDE_COLUMNS, 80, fmt=fmt, columns=["serial", "name"])
    if fmt in (Format.TABLE, Format.WIDE):
        assert out.splitlines()[1:] == ["Serial        App", "------------  ------------------",
                                        "DMPX00112233  Pocket Planetarium"]  # fmt: skip
    elif fmt is Format.CSV:
        assert out == "serial,name\nDMPX00112233,Pocket Planetarium\n"
    else:
        first = json.loads(out)[0] if fmt is Format.JSON else json.loads(out.splitlines()[0])
        assert list(first) == ["serial", "name"]


def test_unknown_column_is_refused_with_a_did_you_mean() -> None:
    from abctl.errors import InputError

    renderer = Renderer(stdout=io.StringIO(), columns=["serail"])
    with pytest.raises(InputError) as raised:
        renderer.check_columns(WIDE_COLUMNS)
    assert raised.value.exit_code == 2
    assert raised.value.message == "unknown column `serail`"
    assert raised.value.hint == "did you mean `serial`? columns here: adam_id, at, event_id, name, serial, why"


def test_a_quiet_outcome_prints_nothing_while_data_still_prints() -> None:
    out, err = io.StringIO(), io.StringIO()
    renderer = Renderer(stdout=out, stderr=err, quiet=True, no_color=True, width=80)
    renderer.rows(ROWS, COLUMNS, title="Sync", outcome=True)
    assert (out.getvalue(), err.getvalue()) == ("", "")
    renderer.rows(ROWS, COLUMNS, title="Apps")
    assert out.getvalue().startswith("Apps (times in UTC)\nName")


def test_a_long_result_is_counted_and_wide_lists_every_row() -> None:
    rows: list[dict[str, object]] = [
        {"name": f"App {i % 3}", "account": "district", "result": "refused" if i % 10 == 9 else "assigned",
         "target": f"DEV{i:05d}"} for i in range(1000)
    ]  # fmt: skip
    columns = [Column("name", "App"), Column("target", "Target"), Column("account", "Account"),
               Column("result", "Result")]  # fmt: skip
    keys = ("name", "account", "result")
    out, err = io.StringIO(), io.StringIO()
    Renderer(stdout=out, stderr=err, width=80, no_color=True).rows(rows, columns, title="Assign", summary=keys)
    assert out.getvalue().splitlines() == [
        "Assign: 1,000 rows, counted",
        "App    Account   Result    Rows",
        "-----  --------  --------  ----",
        "App 0  district  assigned   300",
        "App 1  district  assigned   300",
        "App 2  district  assigned   300",
        "App 0  district  refused     34",
        "App 1  district  refused     33",
        "App 2  district  refused     33",
    ]
    assert err.getvalue() == "1,000 rows in 6 group(s); -o wide, json or csv lists every row.\n"
    for fmt in (Format.WIDE, Format.CSV):
        full = io.StringIO()
        Renderer(fmt=fmt, stdout=full, width=80).rows(rows, columns, title="Assign", summary=keys)
        assert len(full.getvalue().splitlines()) == 1000 + (1 if fmt is Format.CSV else 3)
        assert "DEV00999" in full.getvalue()
    small = io.StringIO()
    Renderer(stdout=small, width=80).rows(rows[:300], columns, title="Assign", summary=keys)
    assert len(small.getvalue().splitlines()) == 303  # a few hundred rows are still listed


def test_a_summary_counts_rows_without_a_key_as_empty_and_by_one_key_alone() -> None:
    from abctl.output.tables import summarise

    columns = [Column("name", "App"), Column("account", "Account")]
    rows: list[dict[str, object]] = [{"name": "A", "account": "x"}, {"name": "B"}, {"name": "A", "account": "x"},
                                     {"name": "B", "account": None}, {"name": "A", "account": 3}]  # fmt: skip
    grouped, counted = summarise(rows, columns, ("name", "account"))
    assert grouped == [{"name": "A", "account": "x", "count": 2}, {"name": "B", "account": "", "count": 2},
                       {"name": "A", "account": "3", "count": 1}]  # fmt: skip
    assert [(c.key, c.header, c.justify) for c in counted] == [("name", "App", "left"), ("account", "Account", "left"),
                                                             ("count", "Rows", "right")]  # fmt: skip
    assert summarise(rows, columns, ("name",))[0] == [{"name": "A", "count": 3}, {"name": "B", "count": 2}]


def test_shared_rows_are_counted_by_their_shared_rows_as_row_by_row() -> None:
    from abctl.output.json_text import SharedRows
    from abctl.output.tables import summarise

    columns = [Column("name", "App"), Column("target", "Target"), Column("result", "Result")]
    bases = [{"name": "A", "result": "assigned"}, {"name": "B", "result": "refused"}, {"name": "A", "result": 7}]
    which = [1, 0, 0, 2, 1, 0, 2]
    shared = SharedRows("target", bases, which, [f"T{i}" for i in range(len(which))])
    counted = summarise(shared, columns, ("name", "result"))
    assert counted == summarise(list(shared), columns, ("name", "result"))
    assert counted[0] == [{"name": "B", "result": "refused", "count": 2}, {"name": "A", "result": "assigned",
                          "count": 3}, {"name": "A", "result": "7", "count": 2}]  # fmt: skip
    by_target = summarise(shared, columns, ("target",))[0]  # the row's own key: counted row by row
    assert by_target == [{"target": f"T{i}", "count": 1} for i in range(len(which))]


def test_timestamps_read_as_minutes_in_tables_and_iso_in_scripts() -> None:
    row = {"at": "2026-12-01T07:31:40Z", "until": datetime(2026, 12, 31, 23, 0, tzinfo=UTC)}
    columns = [Column("at", "At"), Column("until", "Until", date_only=True)]
    out, _ = draw([row], columns, 80)
    assert out.splitlines()[0] == "Apps (times in UTC)"
    assert out.splitlines()[3] == "2026-12-01 07:31  2026-12-31"
    assert json.loads(draw([row], columns, 80, fmt=Format.JSON)[0]) == [
        {"at": "2026-12-01T07:31:40Z", "until": "2026-12-31T23:00:00Z"}
    ]


def test_a_record_keeps_identifiers_whole_and_wraps_text() -> None:
    out = io.StringIO()
    columns = [Column("url", "Invite URL"), Column("note", "Note", wrap=True)]
    url = "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount?inviteCode=ab12"
    Renderer(stdout=out, width=40).record({"url": url, "note": "one two three four five six seven"}, columns)
    assert out.getvalue().splitlines() == [
        f"Invite URL  {url}",
        "Note        one two three four five six",
        "            seven",
    ]


def test_rich_is_not_imported_to_print_a_plain_table() -> None:
    import subprocess
    import sys

    code = (
        "import io, sys\n"
        "from abctl.output import Column, Renderer\n"
        "Renderer(stdout=io.StringIO(), width=80).rows([{'a': 1}], [Column('a', 'A')], title='T')\n"
        "assert 'rich' not in sys.modules, 'rich imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_floats_show_one_decimal_or_two_where_they_matter() -> None:
    from abctl.output import human_value

    assert [human_value(v) for v in (90.0, 97.5, 0.99, 38.61, 1050.0)] == ["90.0", "97.5", "0.99", "38.61", "1050.0"]
