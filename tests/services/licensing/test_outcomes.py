"""An assign's outcomes in runs (services/licensing/outcomes.py): a run of one call's licenses of an app alike but
for their targets expands to one outcome per target, in order, and the result counts them without expanding."""

from abctl.services.licensing.execute import AssignResult
from abctl.services.licensing.outcomes import LicenseRun, TargetOutcome, _runs, expand


def test_runs_of_equal_items_are_found_whether_all_are_equal_or_not() -> None:
    same = [("assigned", "on list")] * 4
    assert _runs(same) == [(0, 4)]
    assert _runs([]) == []
    mixed = [("assigned", "a"), ("assigned", "a"), ("failed", "x"), ("assigned", "a"), ("assigned", "b")]
    assert _runs(mixed) == [(0, 2), (2, 3), (3, 4), (4, 5)]


def test_an_assign_result_counts_its_runs_and_expands_them_in_order() -> None:
    refused = TargetOutcome("1", "device", "S0", None, None, "refused", "no seat")
    run = LicenseRun("2", ("S1", "S2"), (10, 11), "acct", "device", "assigned", "on list", "E1")
    failed = LicenseRun("2", ("S3",), (12,), "acct", "device", "failed", "Apple: no", "E1")
    result = AssignResult("default", (), (refused, run, failed), 1)
    assert result.outcomes == (
        refused,
        TargetOutcome("2", "device", "S1", "acct", "device", "assigned", "on list", "E1"),
        TargetOutcome("2", "device", "S2", "acct", "device", "assigned", "on list", "E1"),
        TargetOutcome("2", "device", "S3", "acct", "device", "failed", "Apple: no", "E1"),
    )
    assert list(expand(result.parts)) == list(result.outcomes)
    assert (result.total, result.count("assigned"), result.refused, result.count("pending")) == (4, 2, 2, 0)
