"""Import files: CSV and JSON records with their line numbers, and every bad row reported at once."""

import pytest

from abctl.errors import ExitCode, InputError
from abctl.services.inventory.import_files import parse_records
from abctl.services.inventory.import_rows import DeviceRow, Known, UserRow, device_rows, user_rows
from abctl.services.inventory.imports import (
    DEVICE_FIELDS,
    USER_FIELDS,
    ImportProblemsError,
    check_flag,
    check_group_name,
    check_platform,
)

KNOWN = Known(
    spaces=frozenset({"default", "lab"}),
    users={"alice": ("default", "active"), "gone": ("default", "deleted"), "larry": ("lab", "active")},
    devices={"OLD1": ("default", "ios"), "LAB1": ("lab", "macos")},
)


def devices(text: str, source: str = "devices.csv") -> list[DeviceRow]:
    records = parse_records(text, source, DEVICE_FIELDS)
    return device_rows(records, default_space="default", known=KNOWN, source=source)


def users(text: str, source: str = "users.csv") -> list[UserRow]:
    records = parse_records(text, source, USER_FIELDS)
    return user_rows(records, default_space="default", known=KNOWN, source=source)


def problems(error: pytest.ExceptionInfo[ImportProblemsError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_csv_rows_keep_their_line_numbers_and_defaults() -> None:
    text = "serial,platform,owner,shared_ipad\nA1,iOS,alice,\n\nP1,ipados,,yes\nM1,macOS,,\n"
    assert devices(text) == [
        DeviceRow(2, "A1", "ios", "alice", "default", None),
        DeviceRow(4, "P1", "ipados", None, "default", True),
        DeviceRow(5, "M1", "macos", None, "default", None),
    ]


def test_one_bad_platform_and_one_duplicate_name_both_lines() -> None:
    text = "serial,platform\nA1,ios\nA2,android\nA3,macos\nA1,ios\n"
    with pytest.raises(ImportProblemsError) as error:
        devices(text)
    assert problems(error) == [
        "line 3: platform `android` is not one of ios, ipados, macos, tvos, visionos",
        "line 5: serial `A1` repeats line 2",
    ]
    assert error.value.exit_code is ExitCode.USAGE
    assert error.value.message == (
        "line 3: platform `android` is not one of ios, ipados, macos, tvos, visionos (2 bad lines in devices.csv;"
        " nothing was imported)"
    )
    assert error.value.hint == (
        "fix these lines and import the file again:\n"
        "  line 3: platform `android` is not one of ios, ipados, macos, tvos, visionos\n"
        "  line 5: serial `A1` repeats line 2"
    )


def test_every_reason_of_a_row_and_database_conflicts() -> None:
    text = (
        "serial,platform,owner,space,shared_ipad\n"
        "bad serial!,ios,nobody,,\n"
        "OLD1,macos,,lab,\n"
        "S1,ios,,,maybe\n"
        "S2,ios,,,true\n"
        "S3,ipados,alice,,true\n"
        "S4,ios,larry,,\n"
        "S5,ios,gone,nowhere,\n"
    )
    with pytest.raises(ImportProblemsError) as error:
        devices(text)
    assert problems(error) == [
        "line 2: serial `bad serial!` is not valid; owner `nobody` is not a user; add it first (abctl users add or"
        " users import)",
        "line 3: device `OLD1` is in space `default`; move it with: abctl move-space OLD1 --to lab; device `OLD1` has"
        " platform ios, not macos",
        "line 4: shared_ipad `maybe` is not true or false",
        "line 5: only an iPad (platform ipados) can be a shared iPad",
        "line 6: a shared iPad has no owner",
        "line 7: owner `larry` is in space `lab`, not `default`",
        "line 8: no space named `nowhere`; owner `gone` is not a user; add it first (abctl users add or users import)",
    ]


def test_header_problems_are_line_1() -> None:
    with pytest.raises(ImportProblemsError) as error:
        devices("serial,os,colour\nA1,ios,red\n")
    assert problems(error) == ["line 1: column `platform` is missing; unknown column `os`; unknown column `colour`"]
    with pytest.raises(ImportProblemsError) as error:
        devices("")
    assert problems(error) == ["line 1: column `serial` is missing; column `platform` is missing"]


def test_missing_values_and_extra_cells() -> None:
    with pytest.raises(ImportProblemsError) as error:
        devices("serial,platform\n,ios\nA2,\nA3,ios,extra\n")
    assert problems(error) == [
        "line 2: serial is missing",
        "line 3: platform is missing",
        "line 4: 3 values for 2 columns",
    ]
    with pytest.raises(ImportProblemsError) as error:
        devices("serial,platform\n,ios\nA2,\n")
    assert problems(error) == ["line 2: serial is missing", "line 3: platform is missing"]


def test_quoted_cells_spanning_lines_keep_later_line_numbers_right() -> None:
    text = 'client_user_id,email,groups\n"alice",a@example.org,"teachers;\nstaff"\nbob,not-an-email,\n'
    with pytest.raises(ImportProblemsError) as error:
        users(text)
    assert problems(error) == ["line 4: email `not-an-email` is not an email address"]


def test_json_objects_are_numbered_by_the_line_they_start_on() -> None:
    text = (
        '[\n  {"serial": "J1", "platform": "ios"},\n  {"serial": "J2",\n   "platform": "beos"},\n'
        '  {"serial": "J1", "platform": "ios", "shared_ipad": false}\n]\n'
    )
    with pytest.raises(ImportProblemsError) as error:
        devices(text, "devices.json")
    assert problems(error) == [
        "line 3: platform `beos` is not one of ios, ipados, macos, tvos, visionos",
        "line 5: serial `J1` repeats line 2",
    ]
    rows = devices('[{"serial": "J1", "platform": "ios", "shared_ipad": false, "owner": null}]', "d.json")
    assert rows == [DeviceRow(1, "J1", "ios", None, "default", False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"serial": "J1"}', "line 1: expected a JSON array of objects"),
        ('[\n{"serial": "J1", "platform": "ios"}\n{"serial": "J2"}]', "line 3: expected `,` or `]`"),
        ('[\n  "J1",\n  {"serial": "J2", "platform": "ios", "colour": 1}\n]', "line 2: expected an object"),
        ("[\n  {oops}\n]", "line 2: not valid JSON: Expecting property name enclosed in double quotes"),
    ],
)
def test_bad_json_shapes(text: str, expected: str) -> None:
    with pytest.raises(ImportProblemsError) as error:
        devices(text, "devices.json")
    assert problems(error)[0] == expected


def test_unknown_json_key_is_reported() -> None:
    with pytest.raises(ImportProblemsError) as error:
        devices('[{"serial": "J2", "platform": "ios", "colour": 1}]', "devices.json")
    assert problems(error) == ["line 1: unknown column `colour`"]


def test_format_follows_the_file_name_then_the_first_character() -> None:
    assert devices('[{"serial": "J1", "platform": "ios"}]', "stdin")[0].serial == "J1"
    assert devices("serial,platform\nC1,ios\n", "stdin")[0].serial == "C1"


def test_user_rows_groups_spaces_and_conflicts() -> None:
    text = (
        "client_user_id,email,managed_apple_id,groups,space\n"
        "bob,bob@example.org,,teachers; staff;teachers,\n"
        "carol,,carol@appleid.example.org,,lab\n"
        "gone,,,,lab\n"
    )
    assert users(text) == [
        UserRow(2, "bob", "bob@example.org", None, ("teachers", "staff"), "default"),
        UserRow(3, "carol", None, "carol@appleid.example.org", (), "lab"),
        UserRow(4, "gone", None, None, (), "lab"),
    ]
    bad = "client_user_id,managed_apple_id,groups\nalice,,\nlarry,,All Users\nbo b,x,a;b\nbob,,\nbob,,\n"
    with pytest.raises(ImportProblemsError) as error:
        users(bad)
    assert problems(error) == [
        "line 3: `All Users` is implicit: every user is in it; user `larry` is in space `lab`",
        "line 4: user id `bo b` is not valid; managed Apple ID `x` is not an email address",
        "line 6: user `bob` repeats line 5",
    ]


def test_json_user_groups_may_be_a_list() -> None:
    rows = users('[{"client_user_id": "dan", "groups": ["a", "b"]}]', "users.json")
    assert rows == [UserRow(1, "dan", None, None, ("a", "b"), "default")]


def test_field_checks() -> None:
    assert check_platform(" iPadOS ") == "ipados"
    assert check_flag("Y", "x") is True
    assert check_flag(None, "x") is False
    assert check_group_name(" Math teachers ") == "Math teachers"
    for bad in ("a;b", "", "x" * 65):
        with pytest.raises(InputError):
            check_group_name(bad)
