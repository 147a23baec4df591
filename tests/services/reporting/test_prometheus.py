"""Prometheus text exposition of usage, checked by a strict parser of the format written here."""

import re

import pytest

from abctl.services.reporting.prometheus import escape_label_value, usage_exposition
from abctl.services.reporting.usage import UsageRow

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
LABEL_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}

Series = tuple[str, tuple[tuple[str, str], ...]]


def _parse_labels(text: str, at: int, line: str) -> tuple[dict[str, str], int]:
    """Labels from `{` at `at` to the matching `}`; returns them and the index after `}`."""
    assert text[at] == "{"
    labels: dict[str, str] = {}
    i = at + 1
    while True:
        if text[i : i + 1] == "}":
            return labels, i + 1
        match = LABEL_NAME.match(text, i)
        assert match, f"bad label name in {line!r}"
        name = match.group()
        assert not name.startswith("__"), f"reserved label {name} in {line!r}"
        assert name not in labels, f"duplicate label {name} in {line!r}"
        i = match.end()
        assert text[i : i + 2] == '="', f'expected =" after {name} in {line!r}'
        i += 2
        value: list[str] = []
        while i < len(text) and text[i] != '"':
            char = text[i]
            assert char != "\n", f"raw line feed in {line!r}"
            if char == "\\":
                escaped = text[i + 1 : i + 2]
                assert escaped in LABEL_ESCAPES, f"bad escape \\{escaped} in {line!r}"
                value.append(LABEL_ESCAPES[escaped])
                i += 2
            else:
                value.append(char)
                i += 1
        assert i < len(text), f"unterminated label value in {line!r}"
        labels[name] = "".join(value)
        i += 1
        if text[i : i + 1] == ",":
            i += 1
        else:
            assert text[i : i + 1] == "}", f"expected , or }} in {line!r}"


def parse_exposition(text: str) -> dict[Series, float]:
    """Strict reading of the text format: names, HELP/TYPE before samples, grouped families, labels, values."""
    assert text.endswith("\n"), "the exposition must end with a line feed"
    helps: set[str] = set()
    types: dict[str, str] = {}
    finished: set[str] = set()
    current: str | None = None
    samples: dict[Series, float] = {}
    for line in text[:-1].split("\n"):
        assert line, "no empty lines"
        if line.startswith(("# HELP ", "# TYPE ")):
            keyword, rest = line[2:6], line[7:]
            name, _, tail = rest.partition(" ")
            assert METRIC_NAME.fullmatch(name), f"bad metric name {name!r}"
            assert name not in finished and name != current, f"{keyword} for {name} after its samples"
            if keyword == "HELP":
                assert name not in helps, f"second HELP for {name}"
                assert re.fullmatch(r"(?:[^\\\n]|\\\\|\\n)*", tail), f"bad HELP escaping {tail!r}"
                helps.add(name)
            else:
                assert name not in types, f"second TYPE for {name}"
                assert tail in TYPES, f"bad type {tail!r}"
                types[name] = tail
            continue
        assert not line.startswith("#"), f"unexpected comment {line!r}"
        match = METRIC_NAME.match(line)
        assert match, f"bad sample line {line!r}"
        name = match.group()
        assert name in helps and name in types, f"sample of {name} before its HELP and TYPE"
        if name != current:
            assert name not in finished, f"samples of {name} are not grouped together"
            if current is not None:
                finished.add(current)
            current = name
        labels: dict[str, str] = {}
        i = match.end()
        if line[i : i + 1] == "{":
            labels, i = _parse_labels(line, i, line)
        assert line[i : i + 1] == " ", f"expected one space before the value in {line!r}"
        parts = line[i + 1 :].split(" ")
        assert 1 <= len(parts) <= 2 and all(parts), f"bad value part in {line!r}"
        assert re.fullmatch(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|Inf|NaN)", parts[0]), f"bad value {line!r}"
        value = float(parts[0])
        if len(parts) == 2:
            assert re.fullmatch(r"-?\d+", parts[1]), f"bad timestamp in {line!r}"
        series = (name, tuple(sorted(labels.items())))
        assert series not in samples, f"duplicate series {series}"
        samples[series] = value
    return samples


def row(account: str, adam_id: str, name: str, total: int, assigned: int, level: str | None) -> UsageRow:
    return UsageRow(
        space="default",
        account=account,
        adam_id=adam_id,
        name=name,
        pricing_param="STDQ",
        total=total,
        assigned=assigned,
        available=total - assigned,
        retired=0,
        percent_used=None if not total else assigned * 100 / total,
        level=level,
        forecast_days=None,
    )


ROWS = [
    row("edu", "361309726", "Pages", 10, 9, "alert"),
    row("ops", "361309726", "Pages", 10, 5, "info"),
    row("*", "361309726", "Pages", 20, 14, "warn"),
    row("edu", "1", 'Odd "name" \\ with\nline', 4, 3, "warn"),
    row("edu", "2", "Idle", 0, 0, None),
]


def test_exposition_is_exact() -> None:
    labels = 'space="default",account="edu",adam_id="361309726",name="Pages",pricing_param="STDQ"'
    text = usage_exposition(ROWS[:1])
    assert text == (
        "# HELP abctl_license_total Licenses purchased for the asset in the account.\n"
        "# TYPE abctl_license_total gauge\n"
        f"abctl_license_total{{{labels}}} 10\n"
        "# HELP abctl_license_assigned Licenses assigned (redeemed) in the account.\n"
        "# TYPE abctl_license_assigned gauge\n"
        f"abctl_license_assigned{{{labels}}} 9\n"
        "# HELP abctl_license_available Licenses free to assign in the account.\n"
        "# TYPE abctl_license_available gauge\n"
        f"abctl_license_available{{{labels}}} 1\n"
        "# HELP abctl_license_level Usage notification level: 0 none, 1 info, 2 warn, 3 alert.\n"
        "# TYPE abctl_license_level gauge\n"
        f"abctl_license_level{{{labels}}} 3\n"
    )


def test_exposition_parses_strictly_with_escaped_labels_and_no_total_rows() -> None:
    samples = parse_exposition(usage_exposition(ROWS))
    assert len(samples) == 4 * 4
    odd = (("account", "edu"), ("adam_id", "1"), ("name", 'Odd "name" \\ with\nline'))
    odd_labels = (*odd, ("pricing_param", "STDQ"), ("space", "default"))
    assert samples[("abctl_license_level", odd_labels)] == 2.0
    idle = (("account", "edu"), ("adam_id", "2"), ("name", "Idle"), ("pricing_param", "STDQ"), ("space", "default"))
    assert samples[("abctl_license_level", idle)] == 0.0
    assert samples[("abctl_license_total", idle)] == 0.0
    assert not any(dict(labels)["account"] == "*" for _, labels in samples)


def test_empty_usage_still_declares_the_families() -> None:
    text = usage_exposition([])
    assert parse_exposition(text) == {}
    assert text.count("# TYPE ") == 4


def test_escape_label_value() -> None:
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


@pytest.mark.parametrize(
    "bad",
    [
        'x{a="1"} 1\n',  # sample before HELP/TYPE
        '# HELP x h\n# TYPE x gauge\nx{a="1} 1\n',  # unterminated value
        '# HELP x h\n# TYPE x gauge\nx{a="\\t"} 1\n',  # bad escape
        '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n',  # duplicate series
        "# HELP x h\n# TYPE x gauge\nx 1,5\n",  # bad float
        "# HELP x h\n# TYPE x gauge\nx 1",  # no final line feed
        "# HELP x h\n# TYPE x gauge\n# HELP y h\n# TYPE y gauge\ny 1\nx 1\ny 2\n",  # families interleaved
        "# HELP 1x h\n# TYPE 1x gauge\n",  # bad metric name
        "# HELP x h\n# TYPE x meter\n",  # bad type
    ],
)
def test_the_strict_parser_rejects_broken_text(bad: str) -> None:
    with pytest.raises(AssertionError):
        parse_exposition(bad)
