"""The content lookup's facts per adamId (store/app_details.py): written whole, read back through a second handle,
stale after a day, found by bundle id."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from abctl.models.apple import AppMetadata
from abctl.store import Store

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
QUEST = AppMetadata(
    "1000000003", "Math Quest", "software", ("iOS",), "com.example.mathquest", "2.4.1", 4.99, "$4.99", "USD",
    52_428_800, "https://img.example/{w}x{h}bb.{f}", "https://apps.apple.com/x",
)  # fmt: skip


def test_details_round_trip_and_go_stale_after_a_day(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    with Store.open(path) as store:
        store.store_app_details({QUEST.adam_id: QUEST}, now=NOW)
    with Store.open(path) as again:  # a second handle reads what the first committed
        details = again.app_details(["1000000003", "404"])
        assert list(details) == ["1000000003"]
        got = details["1000000003"]
        assert (got.name, got.bundle_id, got.version, got.price, got.price_formatted, got.size_bytes) == (
            "Math Quest", "com.example.mathquest", "2.4.1", 4.99, "$4.99", 52_428_800)  # fmt: skip
        assert (got.platforms, got.store_url, got.fetched_at) == (("iOS",), "https://apps.apple.com/x", NOW)
        assert again.adam_ids_to_look_up(["404", "1000000003"], fetched_before=NOW) == ["404"]
        assert again.adam_ids_to_look_up(["1000000003"], fetched_before=NOW + timedelta(days=1)) == ["1000000003"]
        assert again.adam_ids_by_bundle_id("COM.example.MathQuest") == ["1000000003"]
        assert again.adam_ids_by_bundle_id("com.example.other") == []


def test_a_new_answer_replaces_every_field(tmp_path: Path) -> None:
    with Store.open(tmp_path / "abctl.db") as store:
        store.store_app_details({QUEST.adam_id: QUEST}, now=NOW)
        store.store_app_details({QUEST.adam_id: AppMetadata(QUEST.adam_id, "Math Quest 2")}, now=NOW)
        got = store.app_details([QUEST.adam_id])[QUEST.adam_id]
        assert (got.name, got.version, got.price, got.bundle_id) == ("Math Quest 2", None, None, None)
