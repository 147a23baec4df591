"""A request of devices only (each licensed as a device) reads plain rows (store.device_targets) and builds each
target straight from its row: the targets must be those built from the devices' facts, in the order asked, with
the owners whose user licenses count (R8); an unknown device or one of another space is still named."""

import gc
from pathlib import Path

import pytest

from abctl.domain.allocation import RequestKind, Target
from abctl.errors import NotFoundError
from abctl.models.enums import TargetKind
from abctl.services.licensing.plan import TargetFacts, plan_apps, read_target_file
from abctl.services.runtime import Runtime
from abctl.store import Store

STAMP = "2026-01-01T00:00:00Z"
DEVICE = TargetKind.DEVICE


def build(path: Path) -> None:
    """1,200 devices of `default` (platforms, owners, shared iPads, states and groups mixed) and one in `lab`."""
    with Store.open(path) as store:
        conn = store.db.conn
        with store.transaction():
            conn.execute("INSERT INTO spaces (name, created_at) VALUES ('lab', ?)", (STAMP,))
            conn.executemany(
                "INSERT INTO users (client_user_id, space, created_at, updated_at) VALUES (?, 'default', ?, ?)",
                [(f"U{n:04d}", STAMP, STAMP) for n in range(1_200)],
            )
            conn.executemany(
                "INSERT INTO devices (serial, space, platform, owner, shared_ipad, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(f"D{n:04d}", "default", ("ios", "ipados", "macos")[n % 3], f"U{n % 600:04d}" if n % 4 else None,
                  int(n % 9 == 1), "retired" if n % 50 == 7 else "active", STAMP, STAMP) for n in range(1_200)]
                + [("LAB1", "lab", "ios", None, 0, "active", STAMP, STAMP)],
            )  # fmt: skip
            conn.executemany("INSERT INTO groups (space, name, created_at) VALUES ('default', ?, ?)",
                             [("students", STAMP), ("staff", STAMP)])  # fmt: skip
            conn.executemany(
                "INSERT INTO group_members (space, group_name, client_user_id) VALUES ('default', ?, ?)",
                [("students", f"U{n:04d}") for n in range(0, 600, 2)]
                + [("staff", f"U{n:04d}") for n in range(0, 600, 5)],
            )


def expected(store: Store, serials: list[str]) -> tuple[list[Target], list[str]]:
    """The targets as built from the devices' facts, and the owners (not of shared iPads) each once."""
    facts = store.device_facts(serials)
    targets = [Target(DEVICE, s, f.platform, f.owner, f.shared_ipad, f.state == "active",
                      frozenset(f.owner_groups.split("\x1f")) if f.owner_groups else frozenset())
               for s, f in ((s, facts[s]) for s in serials)]  # fmt: skip
    owners = list(dict.fromkeys(t.owner for t in targets if t.owner and not t.shared_ipad))
    return targets, owners


@pytest.mark.parametrize("request_kind", [RequestKind.ADMIN, RequestKind.REQUIRED])
def test_devices_only_targets_are_the_devices_facts_in_the_order_asked(
    tmp_path: Path, request_kind: RequestKind
) -> None:
    build(tmp_path / "abctl.db")
    serials = [f"D{n:04d}" for n in range(1_199, -1, -7)] + [f"D{n:04d}" for n in range(0, 1_200, 3)]
    asked = list(dict.fromkeys(serials))  # repeated ones once, where first asked
    with Store.open(tmp_path / "abctl.db") as store:
        facts = TargetFacts.load(store, "default", [(DEVICE, s) for s in serials], request_kind)
        targets, owners = expected(store, asked)
    assert list(facts.targets) == targets and [type(t.shared_ipad) for t in targets[:3]] == [bool] * 3
    assert facts.holders == (tuple(asked), tuple(owners))
    assert {t.groups for t in facts.targets} == {frozenset(), frozenset({"students"}), frozenset({"staff"}),
                                                 frozenset({"students", "staff"})}  # fmt: skip
    assert len({id(t.groups) for t in facts.targets}) == 4  # owners alike share one set
    assert sum(not t.active for t in facts.targets) > 0 and sum(t.shared_ipad for t in facts.targets) > 0


def test_rows_that_come_back_in_another_order_are_put_back_in_the_order_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path / "abctl.db")
    serials = [f"D{n:04d}" for n in range(0, 1_200, 2)]
    with Store.open(tmp_path / "abctl.db") as store:
        read = store.device_targets
        monkeypatch.setattr(store, "device_targets", lambda asked, space: sorted(read(asked, space), reverse=True))
        facts = TargetFacts.load(store, "default", [(DEVICE, s) for s in serials], RequestKind.ADMIN)
        targets, _ = expected(store, serials)
    assert [t.id for t in facts.targets] == serials and list(facts.targets) == targets


ELSEWHERE = [("NOPE", "no device with serial `NOPE`"), ("LAB1", "device `LAB1` is in space `lab`, not `default`")]


@pytest.mark.parametrize(("serial", "message"), ELSEWHERE)
def test_an_unknown_device_or_one_of_another_space_is_named(tmp_path: Path, serial: str, message: str) -> None:
    build(tmp_path / "abctl.db")
    specs = [(DEVICE, "D0001"), (DEVICE, serial), (DEVICE, "D0002")]
    with Store.open(tmp_path / "abctl.db") as store, pytest.raises(NotFoundError) as missing:
        TargetFacts.load(store, "default", specs, RequestKind.ADMIN)
    assert str(missing.value) == message


def test_planning_leaves_its_objects_to_the_oldest_generation_and_the_collector_as_it_was(tmp_path: Path) -> None:
    """The targets and decisions outlive planning: moved to the oldest generation at once, no young collection
    walks them all; the collector runs again afterwards, with nothing left frozen."""
    build(tmp_path / "abctl.db")
    specs = read_target_file("".join(f"device:d{n:04d}\n" for n in range(1_200)))
    with Store.open(tmp_path / "abctl.db") as store:
        rt = Runtime(store=store, clients=lambda account: None)  # type: ignore[arg-type,return-value]
        (plan,) = plan_apps(rt, "default", ["500000001"], specs, RequestKind.ADMIN)
    young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation=generation)}
    decisions = plan.allocation.decisions
    assert len(decisions) == 1_200 and gc.isenabled() and gc.get_freeze_count() == 0
    assert not any(id(o) in young for o in (decisions[0], decisions[-1], decisions[0].target, specs[0]))
