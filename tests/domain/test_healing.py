"""Which apps an incremental sync reads again, or whether one full read is cheaper (domain.healing)."""

import pytest

from abctl.domain.healing import HealPlan, heal_plan, pages
from abctl.models.apple import Asset


def asset(adam_id: str, assigned: int, pricing: str = "STDQ") -> Asset:
    return Asset(adam_id, pricing, "App", 10_000, assigned, 10_000 - assigned, 0, True, True, ("iOS",))


@pytest.mark.parametrize(
    ("assets", "local", "expected"),
    [
        ([asset("1", 500), asset("2", 500)], {("1", "STDQ"): 500, ("2", "STDQ"): 500}, HealPlan()),
        # one app lost licenses: read it alone (1 page) rather than everything (1 page: a tie reads per app)
        ([asset("1", 450), asset("2", 500)], {("1", "STDQ"): 500, ("2", "STDQ"): 500}, HealPlan(("1",), False, 1, 1)),
        # an app missing locally counts as 0 there
        ([asset("1", 3)], {}, HealPlan(("1",), False, 1, 1)),
        # both pricings of one app: one read by adamId covers them (1,500 records: 2 pages)
        ([asset("1", 700), asset("1", 800, "PLUS"), asset("2", 2_000)],
         {("1", "STDQ"): 690, ("1", "PLUS"): 800, ("2", "STDQ"): 2_000}, HealPlan(("1",), False, 2, 4)),
        # removals spread over 3 small apps of 100,000: 3 pages one by one, 100 pages in full
        ([asset(str(n), 500) for n in range(200)], {(str(n), "STDQ"): 500 + (n < 3) for n in range(200)},
         HealPlan(("0", "1", "2"), False, 3, 100)),
        # ... over all 200: 200 pages one by one, 90 in full: read fully
        ([asset(str(n), 450) for n in range(200)], {(str(n), "STDQ"): 500 for n in range(200)},
         HealPlan(tuple(str(n) for n in range(200)), True, 200, 90)),
    ],
    ids=["in-step", "one-app", "unknown-locally", "two-pricings", "few-apps", "spread-over-all"],
)  # fmt: skip
def test_heal_plan(assets: list[Asset], local: dict[tuple[str, str], int], expected: HealPlan) -> None:
    assert heal_plan(assets, local) == expected


@pytest.mark.parametrize(("records", "expected"), [(0, 1), (1, 1), (1_000, 1), (1_001, 2), (100_000, 100)])
def test_pages(records: int, expected: int) -> None:
    assert pages(records) == expected
