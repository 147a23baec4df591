"""`assign --from FILE`: one target per line, read by services.licensing.plan.read_target_file."""

import pytest

from abctl.errors import InputError
from abctl.models.enums import TargetKind
from abctl.services.licensing.plan import read_target_file

DEVICE, USER = TargetKind.DEVICE, TargetKind.USER


def test_targets_in_file_order_serials_in_capitals_comments_and_blanks_skipped() -> None:
    text = "device:ipad0001\n  device: IPad0002  \n\n# a comment\n   # indented\nuser: carol \ndevice :X1\n"
    with pytest.raises(InputError) as bad:
        read_target_file(text)
    assert str(bad.value) == "bad target on line(s) 7"  # `device ` is not a kind
    assert read_target_file(text.replace("device :X1", "user:dave:x")) == [
        (DEVICE, "IPAD0001"), (DEVICE, "IPAD0002"), (USER, "carol"), (USER, "dave:x")
    ]  # fmt: skip


def test_every_bad_line_is_named() -> None:
    with pytest.raises(InputError) as bad:
        read_target_file("device:\ndevice:   \nphone:1\nuser:\ndevice:OK\nD123\n")
    assert str(bad.value) == "bad target on line(s) 1, 2, 3, 4, 6"
    assert bad.value.hint == "write one device:SERIAL or user:ID per line"
