"""`-o json` listings are written by the C encoder one object at a time (abctl.output.json_text): the text must be
exactly what `json.dumps(rows, indent=2, ensure_ascii=False)` writes."""

import json
import random
from datetime import UTC, datetime

import pytest

from abctl.models.enums import TargetKind
from abctl.output.json_text import SharedRows, json_listing, json_rows
from abctl.output.values import machine_value

VALUES = [None, True, False, 0, -7, 10**20, 1.5, -0.0, 1e-7, "", "plain", 'quote " and \\ back', "line\nbreak\ttab",
          "ünïcödé ☃ 😀", "\x00\x1f control", "2026-12-01T10:00:00Z"]  # fmt: skip


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{}],
        [{"a": 1}, {}],
        [{"a": [1, "x"]}],  # nested: the standard way
        [{"a": {"b": None}}],
        [{"name": "Pocket Planetarium", "adam_id": "1000000001", "count": 3, "share": 0.25, "event_id": None}],
    ],
)
def test_the_same_text_as_the_indenting_encoder(rows: list[dict[str, object]]) -> None:
    assert json_listing(rows) == json.dumps(rows, indent=2, ensure_ascii=False)


def test_a_thousand_rows_of_every_kind_of_value() -> None:
    pick = random.Random(19).choice
    rows = [{f"key_{k}": pick(VALUES) for k in range(6)} for _ in range(1_000)]
    text = json_listing(rows)
    assert text == json.dumps(rows, indent=2, ensure_ascii=False)
    assert json.loads(text) == rows


def test_rows_carry_their_keys_as_json_does_enums_times_and_lists_converted() -> None:
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    rows = [{"a": "x", "b": 1, "extra": "dropped"}, {"a": TargetKind.DEVICE, "b": moment}, {"b": ("p", "q")}]
    expected = [{key: machine_value(row.get(key)) for key in ("b", "a")} for row in rows]
    assert json_rows(rows, ["b", "a"]) == json.dumps(expected, indent=2, ensure_ascii=False)
    assert json_rows(rows[:2], ["b", "a"]) == json.dumps(expected[:2], indent=2, ensure_ascii=False)
    assert json_rows(rows, []) == json.dumps([{}, {}, {}], indent=2) and json_rows([], ["a"]) == "[]"


def shared(bases: list[dict[str, object]], which: list[int], values: list[object]) -> SharedRows:
    return SharedRows("target", bases, which, values)


def test_shared_rows_read_as_every_row_and_write_what_json_rows_writes_of_them() -> None:
    pick = random.Random(3).choice
    keys = ["name", "target", "count", "share", "note", "event_id"]
    bases = [{key: pick(VALUES) for key in keys if key != "target"} for _ in range(7)]
    bases[0]["target"] = "ignored: each row's own value wins"
    which = [pick(range(7)) for _ in range(500)]
    for values in ([f"D{n:04d} {pick(VALUES)}" for n in range(500)], [f"D{n:04d}ü" for n in range(500)]):
        rows = shared(bases, which, list(values))  # ids that need escaping, and ids json writes as they are
        expected = [{**bases[w], "target": v} for w, v in zip(which, values, strict=True)]
        assert list(rows) == expected and rows[3] == expected[3] and rows[-2:] == expected[-2:] and len(rows) == 500
        for chosen in (keys, ["target"], ["note", "target", "name"], ["count", "name"], ["target", "missing"]):
            text = rows.json(chosen)  # the shared rows' own writing, not json_rows' general way
            plain = [{k: row.get(k) for k in chosen} for row in expected]
            assert text == json_rows(rows, chosen) and text == json.dumps(plain, indent=2, ensure_ascii=False)
    assert rows[0] is not rows[0] and next(iter(rows)) is not next(iter(rows))  # new dicts: a caller may change one


def test_shared_rows_of_other_values_are_written_as_json_carries_them() -> None:
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    bases: list[dict[str, object]] = [{"kind": TargetKind.DEVICE, "at": moment}, {"kind": "user", "at": None}]
    for values in ([None, 7, "x", True], [TargetKind.USER, "x", None, 1.5], [["a", "b"], "x", "y", "z"]):
        rows = shared(bases, [0, 1, 1, 0], values)
        expected = [{key: machine_value(row.get(key)) for key in ("kind", "target", "at")} for row in rows]
        assert json_rows(rows, ["kind", "target", "at"]) == json.dumps(expected, indent=2, ensure_ascii=False)
        assert (rows.json(["kind", "target", "at"]) is None) is (values[0] is not None)  # not plain: the general way
    assert json_rows(shared(bases, [0, 1], [[1], 2]), ["kind"]) == json.dumps(
        [{"kind": "device"}, {"kind": "user"}], indent=2
    )  # a value not shown may be anything
    nested = shared([{"tags": ["a"]}], [0, 0], ["x", "y"])
    assert json_rows(nested, ["target", "tags"]) == json.dumps(
        [{"target": "x", "tags": ["a"]}, {"target": "y", "tags": ["a"]}], indent=2, ensure_ascii=False
    )
    assert json_rows(shared(bases, [], []), ["kind"]) == "[]"
    assert json_rows(shared(bases, [0], ["x"]), []) == "[\n  {}\n]"
    with pytest.raises(ValueError, match="one base per value"):
        shared(bases, [0], [])
