"""APP arguments (`resolve_app`) and the catalog service against the sandbox."""

from pathlib import Path

import pytest
from tests.services.inventory_world import NOW, World, make_world

from abctl.errors import ExitCode, InputError, NotFoundError
from abctl.services.inventory.catalog import add_app, list_apps, plan_app_removal
from abctl.services.names.apps import resolve_app
from abctl.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "abctl.db")
    store.cache_app_metadata(
        {
            "1": {"name": "Pages", "kind": "software", "platforms": ["iOS"]},
            "2": {"name": "Keynote", "kind": "software"},
            "3": {"name": "Notes", "kind": "software"},
            "4": {"name": "notes", "kind": "software"},
        },
        now=NOW,
    )
    return store


def test_digits_are_an_adam_id_and_names_are_matched_ignoring_case(store: Store) -> None:
    assert resolve_app(store, " 2 ") == "2"
    assert resolve_app(store, " 123 ", known_only=False) == "123"  # apps add: an app to buy may be new
    with pytest.raises(NotFoundError) as error:
        resolve_app(store, "123")
    assert (error.value.message, error.value.hint) == ("no app with adamId `123`", "list apps with: abctl apps list")
    assert resolve_app(store, "pages") == "1"
    assert resolve_app(store, "Keynote", "default") == "2"


def test_ambiguous_names_list_the_candidates(store: Store) -> None:
    with pytest.raises(InputError) as error:
        resolve_app(store, "Notes")
    assert (error.value.message, error.value.hint) == (
        "2 apps are named `Notes`: 3, 4",
        "give the adamId instead, e.g. 3",
    )
    # The space's own apps win: the catalog holds only one of the two.
    store.upsert_catalog_entry("default", "4", install_on_device=False, auto_update=False, now=NOW)
    assert resolve_app(store, "Notes", "default") == "4"


def test_unknown_names_suggest_close_ones(store: Store) -> None:
    with pytest.raises(NotFoundError) as error:
        resolve_app(store, "Keynotes")
    assert error.value.exit_code is ExitCode.NOT_FOUND
    assert (error.value.message, error.value.hint) == ("no app named `Keynotes`", "did you mean `Keynote` or `Notes`?")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path, accounts=("district",))


def test_list_names_platforms_owners_and_catalog_flags(world: World) -> None:
    added = add_app(world.rt, "Atlas Explorer", install_on_device=True)
    assert (added.added, added.changed, added.app.install_on_device) == (True, False, True)
    again = add_app(world.rt, "1000000009", install_on_device=True)
    assert (again.added, again.changed) == (False, False)
    changed = add_app(world.rt, "1000000009", auto_update=True)
    assert (changed.added, changed.changed, changed.app.install_on_device, changed.app.auto_update) == (
        False, True, False, True
    )  # fmt: skip
    rows = {row.adam_id: row for row in list_apps(world.rt)}
    assert [(r.name, r.product_type, r.platforms, r.accounts, r.total, r.in_catalog) for r in rows.values()][:2] == [
        ("Atlas Explorer", "App", ("iOS",), ("district",), 8, True),
        ("Code Garden", "App", ("iOS", "macOS"), ("district",), 10, False),
    ]
    assert rows["1000000005"].product_type == "Book"


def test_an_app_nobody_owns_can_be_listed_in_the_catalog(world: World) -> None:
    world.seed.state.metadata["4242"] = {"name": "Free Reader", "kind": "software", "platforms": ["iOS"]}
    added = add_app(world.rt, "4242")
    assert (added.app.name, added.app.accounts, added.app.in_catalog) == ("Free Reader", (), True)


def test_removing_an_app_not_in_the_catalog_is_refused(world: World) -> None:
    with pytest.raises(NotFoundError) as error:
        plan_app_removal(world.rt, "1000000009")
    assert error.value.hint == "to take back its licenses anyway, run: abctl revoke 1000000009 --all"
