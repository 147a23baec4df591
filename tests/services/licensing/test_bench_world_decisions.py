"""The planning benchmark's world (bench/bench_planning.py) at 10,000 targets decides, for every kind of request,
what it decided before the planning reads and rules were made faster: the same counts per account and reason,
and the same decision, message and license kind for every target in order (a digest recorded at ffe1a74)."""

import hashlib
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from abctl.domain.allocation import RequestKind
from abctl.models.enums import TargetKind
from abctl.services.licensing.plan import plan_apps
from abctl.services.runtime import Runtime
from abctl.store import Store

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_planning.py"
COUNTED = {("acct3", "reserved"): 100, ("acct1", "on_list"): 2_500, ("acct2", "on_list"): 5_000,
           ("None", "no_seat"): 2_400}  # fmt: skip
BEFORE = {
    RequestKind.REQUIRED: (COUNTED, "fb1b82e79a371a201befca0b96eb8fa9a1dd355fc984a26c402b34f6c3f8e6f1"),
    RequestKind.ADMIN: (COUNTED, "fb1b82e79a371a201befca0b96eb8fa9a1dd355fc984a26c402b34f6c3f8e6f1"),
    # the users asked from their own devices: user-based licenses, and nobody is enrolled with Apple
    RequestKind.USER_REQUEST: (
        {("None", "not_enrolled"): 10_000},
        "8e1ca8881ce7a8b1180fadd4cbd79c03878d127b21227513fb37f882686d1c90",
    ),
}


def build(path: Path, targets: int) -> None:
    if str(BENCH.parent) not in sys.path:
        sys.path.insert(0, str(BENCH.parent))  # the script imports its shared timing helper as `_timing`
    spec = importlib.util.spec_from_file_location("bench_planning_world", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(path, targets)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "bench.db"
    build(path, 10_000)
    return path


@pytest.mark.parametrize("request_kind", list(RequestKind))
def test_the_bench_world_decides_as_before(world: Path, request_kind: RequestKind) -> None:
    specs = [(TargetKind.DEVICE, f"D{t:07d}") for t in range(10_000)]
    with Store.open(world) as store:
        rt = Runtime(store=store, clients=lambda account: None)  # type: ignore[arg-type,return-value]
        (plan,) = plan_apps(rt, "default", ["500000001"], specs, request_kind)
    decisions = plan.allocation.decisions
    lines = "".join(f"{d.target.kind}:{d.target.id}:{d.outcome}:{d.reason}:{d.account}:{d.license_kind}:{d.message}\n"
                    for d in decisions)  # fmt: skip
    counted, digest = BEFORE[request_kind]
    assert Counter((str(d.account), str(d.reason)) for d in decisions) == counted
    assert hashlib.sha256(lines.encode()).hexdigest() == digest
