"""The reads planning makes (one query per fact table, the targets as one JSON array parameter): rows written by
one handle and read back through a second, for more targets than SQLite's 999 bound parameters."""

from pathlib import Path

from abctl.store import Store
from abctl.store.devices import DeviceFacts

STAMP = "2026-01-01T00:00:00Z"
APP = "500000001"


def build(path: Path) -> None:
    """Two spaces: `default` (account 1) and `lab` (account 2); devices and users in both; groups; licenses of
    APP in every state, and of another app."""
    with Store.open(path) as store:
        conn = store.db.conn
        with store.transaction():
            conn.execute("INSERT INTO spaces (name, created_at) VALUES ('lab', ?)", (STAMP,))
            for n, space in ((1, "default"), (2, "lab")):
                conn.execute(
                    "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at,"
                    " expires_at) VALUES (?, ?, ?, 1, 'Org', ?, 'x', ?, '2030-01-01T00:00:00Z')",
                    (n, f"acct{n}", space, f"uid{n}", STAMP),
                )
            users = [(f"U{n:04d}", "lab" if n >= 1500 else "default") for n in range(2_000)]
            conn.executemany(
                "INSERT INTO users (client_user_id, space, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [(user, space, "retired" if user == "U0007" else "active", STAMP, STAMP) for user, space in users],
            )
            conn.executemany(
                "INSERT INTO devices (serial, space, platform, owner, shared_ipad, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(f"D{n:04d}", "lab" if n >= 1500 else "default", "macos" if n % 3 else "ipados",
                  f"U{n:04d}" if n % 5 else None, int(n == 10), "wiped" if n == 11 else "active", STAMP, STAMP)
                 for n in range(2_000)],
            )  # fmt: skip
            conn.executemany("INSERT INTO groups (space, name, created_at) VALUES ('default', ?, ?)",
                             [("students", STAMP), ("staff", STAMP)])  # fmt: skip
            members = [("students", f"U{n:04d}") for n in range(0, 1_200, 2)] + [("staff", "U0002"), ("staff", "U0001")]
            conn.executemany("INSERT INTO group_members (space, group_name, client_user_id) VALUES ('default', ?, ?)",
                             members)  # fmt: skip
            conn.execute("INSERT INTO apple_users (account_id, client_user_id, status, invite_code, synced_at)"
                         " VALUES (1, 'U0001', 'Associated', NULL, ?), (2, 'U0001', 'Registered', 'CODE', ?)",
                         (STAMP, STAMP))  # fmt: skip
            conn.execute("INSERT INTO delegations (space, adam_id, delegated_at) VALUES ('lab', ?, ?)", (APP, STAMP))
            licenses = [
                (1, APP, "device", "D0001", "active"),
                (1, APP, "device", "D0002", "revoked"),  # not live
                (1, APP, "device", "D0003", "failed"),  # not live
                (1, APP, "user", "U0004", "pending"),
                (1, "999", "device", "D0005", "active"),  # another app
                (2, APP, "device", "D1600", "revoking"),  # the lab's own account
                (1, APP, "device", "D1700", "active"),  # default-space account, lab device: through the delegation
                (1, APP, "user", "U1800", "active"),
                (1, APP, "device", "D0006", "active"),  # not asked for
            ]
            conn.executemany(
                "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
                " assigned_at) VALUES (?, ?, 'STDQ', ?, ?, 'admin', ?, ?)",
                [(*row, STAMP) for row in licenses],
            )


def test_device_facts_read_every_asked_device_with_its_owners_groups_in_one_query(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    build(path)
    serials = [f"D{n:04d}" for n in range(1_999, -1, -1)] + ["NOPE", "D0001"]  # more than 999, one unknown, repeated
    with Store.open(path) as store:
        facts = store.device_facts(serials)
    assert len(facts) == 2_000 and "NOPE" not in facts
    assert facts["D0002"][:6] == ("D0002", "default", "macos", "U0002", False, "active")
    assert set((facts["D0002"].owner_groups or "").split("\x1f")) == {"staff", "students"}  # in any order
    assert facts["D0005"] == DeviceFacts("D0005", "default", "macos", None, False, "active", None)
    assert facts["D0010"].shared_ipad is True and facts["D0011"].state == "wiped"
    assert facts["D1601"] == DeviceFacts("D1601", "lab", "macos", "U1601", False, "active", None)
    assert facts["D0001"].owner_groups == "staff"
    assert facts["D0003"].owner_groups is None  # U0003 is in no group


def test_device_targets_are_plain_rows_in_the_order_asked_of_the_space_one_per_owners_group(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    build(path)
    serials = [f"D{n:04d}" for n in range(1_999, -1, -1)] + ["NOPE"]  # more than 999, the last unknown
    with Store.open(path) as store:
        rows = list(store.device_targets(serials, "default"))
        lab = list(store.device_targets(serials, "lab"))
    two = serials.index("D0002")  # U0002 is in two groups: two rows, one after the other
    known = [n for n, serial in enumerate(serials) if serial < "D1500"]  # the default space's, in the order asked
    assert [row[0] for row in rows] == sorted([*known, two])
    assert {row[5] for row in rows if row[0] == two} == {"staff", "students"}
    assert [serials[row[0]] for row in lab] == [f"D{n:04d}" for n in range(1_999, 1_499, -1)]
    by_serial = {serials[row[0]]: row[1:] for row in rows}
    assert by_serial["D0005"] == ("macos", None, 0, 1, None)
    assert by_serial["D0010"][2:4] == (1, 1) and by_serial["D0011"][2:4] == (0, 0)  # a shared iPad; wiped
    assert by_serial["D0001"][4] == "staff" and by_serial["D0003"][4] is None and by_serial["D0004"][4] == "students"
    facts = facts_of(path)
    assert all(by_serial[s][:4] == (f.platform, f.owner, int(f.shared_ipad), int(f.state == "active"))
               for s, f in facts.items() if f.space == "default")  # fmt: skip


def facts_of(path: Path) -> dict[str, DeviceFacts]:
    with Store.open(path) as store:
        return store.device_facts([f"D{n:04d}" for n in range(2_000)])


def test_users_their_groups_and_apple_statuses_in_one_query_each(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    build(path)
    ids = [f"U{n:04d}" for n in range(1_999, -1, -1)] + ["NOBODY"]
    with Store.open(path) as store:
        users = store.users_by_id(ids)
        groups = store.group_sets(ids)
        statuses = store.apple_statuses(ids)
    assert list(users) == sorted(users) and len(users) == 2_000  # by id, as before
    assert (users["U0007"].state, users["U1600"].space) == ("retired", "lab")
    assert len(groups) == 601 and groups["U0002"] == frozenset({"students", "staff"})
    assert groups["U0001"] == frozenset({"staff"}) and groups["U0004"] is groups["U0006"]  # alike: one set
    assert [(s.account_id, s.status, s.invite_code) for s in statuses["U0001"]] == [
        (1, "Associated", None), (2, "Registered", "CODE")
    ]  # fmt: skip
    assert list(statuses) == ["U0001"]


def test_held_licenses_of_the_asked_targets_only_live_and_paid_by_the_space(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    build(path)
    serials = [f"D{n:04d}" for n in range(1_000) if n != 6] + ["D1600", "D1700"]
    users = ["U0004", "U1800"]
    with Store.open(path) as store:
        own = store.held_licenses("default", APP, serials, users, delegated=False)
        lab = store.held_licenses("lab", APP, serials, users, delegated=True)
        lab_alone = store.held_licenses("lab", APP, serials, users, delegated=False)
    assert sorted(own) == [("device", "D0001", 1), ("device", "D1700", 1), ("user", "U0004", 1), ("user", "U1800", 1)]
    # the lab: its own account's, and the default space's only for the lab's own devices and users
    assert sorted(lab) == [("device", "D1600", 2), ("device", "D1700", 1), ("user", "U1800", 1)]
    assert lab_alone == [("device", "D1600", 2)]
