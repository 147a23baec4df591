"""Seed data: `demo` (three accounts in two spaces, a dozen apps and books, users, groups and devices) and
`generate` (large inventories for benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from abctl.sandbox.state import SandboxAsset, SandboxState
from abctl.sandbox.tokens import mint_token


@dataclass
class SeedToken:
    name: str
    space: str
    text: str
    org_name: str
    location_name: str


@dataclass
class Seed:
    """What a seed put on Apple's side, and what the demo should create locally to match it."""

    state: SandboxState
    tokens: list[SeedToken] = field(default_factory=list)
    users: list[dict[str, object]] = field(default_factory=list)
    devices: list[dict[str, object]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)


DEMO_APPS = [
    # adamId, name, kind, platforms, device assignable, revocable, seats per location (district, high, lab)
    ("1000000001", "Pocket Planetarium", "App", ("iOS",), True, True, (40, 10, 0)),
    ("1000000002", "Sketchbook Studio", "App", ("iOS", "macOS"), True, True, (25, 5, 10)),
    ("1000000003", "Math Quest", "App", ("iOS",), True, True, (6, 30, 0)),
    ("1000000004", "Lab Notebook Pro", "App", ("macOS",), True, True, (0, 0, 12)),
    ("1000000005", "Field Guide to Birds", "Book", ("iOS", "macOS"), False, False, (20, 0, 0)),
    ("1000000006", "Chem Sim", "App", ("iOS", "macOS"), True, True, (0, 15, 8)),
    ("1000000007", "Code Garden", "App", ("iOS", "macOS"), True, True, (10, 10, 0)),
    ("1000000008", "Story Weaver", "Book", ("iOS",), False, False, (0, 12, 0)),
    ("1000000009", "Atlas Explorer", "App", ("iOS",), True, True, (8, 0, 0)),
    ("1000000010", "Music Maker", "App", ("iOS",), False, True, (5, 0, 0)),
    ("1000000011", "Photo Lab", "App", ("macOS",), True, True, (0, 0, 4)),
    ("1000000012", "Quiz Master", "App", ("iOS", "macOS"), True, True, (2, 2, 0)),
]


def demo(*, now: datetime, clock_state: SandboxState | None = None) -> Seed:
    """The demo world: a school district (two accounts) and a research lab (one account, space `lab`)."""
    state = clock_state or SandboxState()
    seed = Seed(state)
    locations = [
        ("district", "default", "Springfield Schools", "District Office", 0),
        ("highschool", "default", "Springfield Schools", "Springfield High", 1),
        ("research", "lab", "Springfield Schools", "Research Lab", 2),
    ]
    for name, space, org, location_name, column in locations:
        expires = now + timedelta(days=20 if name == "research" else 300)
        location = state.add_location(
            name, token_id=f"sandbox-{name}", org_name=org, location_name=location_name, expires_at=expires
        )
        seed.tokens.append(SeedToken(name, space, mint_token(location.token_id, org_name=org, expires_at=expires),
                                     org, location_name))  # fmt: skip
        for adam_id, app_name, kind, platforms, device_ok, revocable, seats in DEMO_APPS:
            if seats[column]:
                state.add_asset(name, SandboxAsset(adam_id, "STDQ", app_name, kind, seats[column], device_ok,
                                                   revocable, platforms))  # fmt: skip
    # Licenses another MDM handed out before abctl arrived: abctl finds them on the first sync.
    for serial in ("OLDPAD001", "OLDPAD002", "OLDPAD003"):
        state.external_assign("district", "1000000001", "serialNumber", serial)
    seed.groups = {"teachers": ["alice", "bob"], "students": ["carol", "dan", "erin", "frank"]}
    for user, email in (("alice", "alice@springfield.edu"), ("bob", "bob@springfield.edu"),
                        ("carol", "carol@springfield.edu"), ("dan", "dan@springfield.edu"),
                        ("erin", "erin@springfield.edu"), ("frank", "frank@springfield.edu")):  # fmt: skip
        groups = [group for group, members in seed.groups.items() if user in members]
        seed.users.append({"client_user_id": user, "email": email, "groups": groups, "space": "default"})
    seed.devices = [
        {"serial": "IPAD0001", "platform": "ipados", "owner": "carol", "space": "default"},
        {"serial": "IPAD0002", "platform": "ipados", "owner": "dan", "space": "default"},
        {"serial": "IPHONE001", "platform": "ios", "owner": "alice", "space": "default"},
        {"serial": "MAC00001", "platform": "macos", "owner": "bob", "space": "default"},
        {"serial": "SHAREDPAD1", "platform": "ipados", "shared_ipad": True, "space": "default"},
        {"serial": "LABMAC001", "platform": "macos", "space": "lab"},
    ]
    return seed


def generate(*, locations: int = 3, assets: int = 200, assignments_per_location: int = 100_000, users: int = 0,
             now: datetime, state: SandboxState | None = None) -> Seed:  # fmt: skip
    """A large inventory for benchmarks: device assignments spread evenly over the assets of each location."""
    state = state or SandboxState()
    seed = Seed(state)
    per_asset = -(-assignments_per_location // max(assets, 1))
    for index in range(locations):
        name = f"bench{index + 1}"
        expires = now + timedelta(days=365)
        location = state.add_location(
            name, org_name="Bench Org", location_name=f"Bench {index + 1}", expires_at=expires
        )
        seed.tokens.append(SeedToken(name, "default", mint_token(location.token_id, org_name="Bench Org",
                                                                 expires_at=expires), "Bench Org", name))  # fmt: skip
        for number in range(assets):
            adam_id = str(2_000_000_000 + number)
            state.add_asset(name, SandboxAsset(adam_id, "STDQ", f"Bench App {number}", "App", per_asset * 2, True,
                                               True, ("iOS", "macOS")))  # fmt: skip
        loc = state.location(name)
        version = loc.bump()
        for serial_number in range(assignments_per_location):
            adam_id = str(2_000_000_000 + serial_number % assets)
            key = (adam_id, "STDQ", "serialNumber", f"SN{index}-{serial_number:07d}")
            loc.assignments[key] = version
            loc.assigned[(adam_id, "STDQ")] = loc.assigned.get((adam_id, "STDQ"), 0) + 1
        for number in range(users):
            from abctl.sandbox.state import SandboxUser

            cuid = f"user{number:06d}"
            loc.users[cuid] = SandboxUser(cuid, "Associated", None, None, f"inv{number}", f"h{number}", version)
    return seed
