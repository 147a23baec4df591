"""`-o json` listings are written by the C encoder one object at a time (abctl.output.json_text): the text must be
exactly what `json.dumps(rows, indent=2, ensure_ascii=False)` writes."""

import json
import random
from datetime import UTC, datetime

import pytest

from abctl.models.enums import TargetKind
from abctl.output.json_text import json_listing, json_rows
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
