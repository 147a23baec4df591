"""The layer rules of design.md section 1 and docs/architecture.md, checked by walking every import of every module.

Imports inside functions and under `if TYPE_CHECKING` count: a dependency is a dependency.
"""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "abctl"
STDLIB = set(sys.stdlib_module_names)
THIRD_PARTY_OWNERS = {
    "httpx": {"apple"},
    "sqlite_utils": {"store"},
    "typer": {"cli"},
    "rich": {"cli", "output"},
    "platformdirs": {"config"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".py") if relative.parts else ""


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_third_party_imports_stay_in_their_layer(path: Path) -> None:
    layer = _layer(path)
    for name in _imports(path):
        top = name.split(".")[0]
        if top in STDLIB or top == "abctl" or top == "__future__":
            continue
        owners = THIRD_PARTY_OWNERS.get(top)
        assert owners is not None, f"{path.name} imports unexpected package {top}"
        assert layer in owners, f"{path.relative_to(SRC)} imports {top}; only {sorted(owners)} may"


@pytest.mark.parametrize("path", sorted((SRC / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_models_and_errors(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top in STDLIB or top == "__future__":
            continue
        assert name in {"abctl.errors", "abctl.timeutil"} or name.startswith(("abctl.domain", "abctl.models.")), (
            f"domain/{path.name} imports {name}"
        )


@pytest.mark.parametrize("path", sorted((SRC / "sandbox").rglob("*.py")), ids=lambda p: p.name)
def test_sandbox_is_standard_library_only(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert (
            top in STDLIB
            or top == "__future__"
            or name in {"abctl.errors", "abctl.timeutil"}
            or name.startswith(("abctl.models.", "abctl.sandbox"))
        ), f"sandbox/{path.name} imports {name}"


def _runtime_imports(path: Path) -> set[str]:
    """Imports executed when the module is imported (not inside functions or `if TYPE_CHECKING`)."""
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((SRC / "services").rglob("*.py")), ids=lambda p: p.name)
def test_services_load_store_and_apple_lazily(path: Path) -> None:
    for name in _runtime_imports(path):
        assert not name.startswith(("abctl.store", "abctl.apple", "abctl.cli", "abctl.output")), (
            f"services/{path.name} imports {name} at module level; use TYPE_CHECKING or a local import"
        )


# -- the rooms of abctl.services ---------------------------------------------------------------------------------

# Lowest first. A services package may import the packages listed before it, never one after it or itself
# through another: data and calls flow downward. `runtime` is what every service is handed; `demo` sits on top.
SERVICE_LEVELS = (
    "names",
    "reporting",
    "ledger",
    "revocation",
    "inventory",
    "drift",
    "licensing",
    "accounts",
    "maintenance",
)
SERVICES = SRC / "services"
# Modules whose job is writing to Apple; reporting must not reach them, even indirectly.
APPLE_WRITERS = {"abctl.apple.batching", "abctl.services.ledger.writes"}
APPLE_WRITE_METHODS = {"associate", "disassociate", "revoke", "create_users", "update_users", "retire_users",
                       "claim_location"}  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_PATHS = {_module_name(path): path for path in MODULES}


def _module_imports(path: Path) -> set[str]:
    """abctl modules `path` imports (`from package import module` counts as the module, not the package)."""
    tree = ast.parse(path.read_text(), str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULE_PATHS)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULE_PATHS else base
                if target in MODULE_PATHS and target != _module_name(path):
                    found.add(target)
    return found


GRAPH = {name: _module_imports(path) for name, path in MODULE_PATHS.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def level_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports from one services package into another that is not below it in SERVICE_LEVELS."""
    found = []
    for module, targets in sorted(graph.items()):
        source = _service_package(module)
        for target in sorted(targets):
            wanted = _service_package(target)
            if source is None or wanted is None or source == wanted:
                continue
            if source not in SERVICE_LEVELS or wanted not in SERVICE_LEVELS:
                found.append(f"{module} -> {target}: package missing from SERVICE_LEVELS")
            elif SERVICE_LEVELS.index(wanted) > SERVICE_LEVELS.index(source):
                found.append(f"{module} -> {target}: {source} may not import {wanted} (it is above it)")
    return found


def _service_package(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["abctl", "services"] or len(parts) < 4:
        return None  # not inside a services sub-package (runtime, demo, the services package itself)
    return parts[2]


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Modules `start` depends on, directly or not; the Runtime handle (which can make clients) is not followed."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen and target != "abctl.services.runtime":
                seen.add(target)
                todo.append(target)
    return seen


def test_no_import_circles() -> None:
    assert import_circles(GRAPH) == []


def test_services_packages_import_only_downward() -> None:
    assert level_violations(GRAPH) == []


def test_services_top_level_holds_only_runtime_and_demo() -> None:
    assert sorted(path.name for path in SERVICES.glob("*.py")) == ["__init__.py", "demo.py", "runtime.py"]
    packages = sorted(path.name for path in SERVICES.iterdir() if path.is_dir() and path.name != "__pycache__")
    assert packages == sorted(SERVICE_LEVELS)


@pytest.mark.parametrize("package", SERVICE_LEVELS)
def test_every_services_package_says_what_it_owns(package: str) -> None:
    doc = ast.get_docstring(ast.parse((SERVICES / package / "__init__.py").read_text()))
    assert doc and len(doc.split()) >= 20, f"services/{package}/__init__.py needs a paragraph saying what it owns"


@pytest.mark.parametrize("module", sorted(m for m in MODULE_PATHS if m.startswith("abctl.services.reporting")))
def test_reporting_never_reaches_apple_writes(module: str) -> None:
    reached = _reachable(GRAPH, module)
    assert not reached & APPLE_WRITERS, f"{module} reaches {sorted(reached & APPLE_WRITERS)}"
    assert not {m for m in reached if m.startswith("abctl.apple.")}, f"{module} reaches abctl.apple"
    calls = {
        node.attr for node in ast.walk(ast.parse(MODULE_PATHS[module].read_text())) if isinstance(node, ast.Attribute)
    }
    assert not calls & APPLE_WRITE_METHODS, f"{module} calls {sorted(calls & APPLE_WRITE_METHODS)}"


def test_the_checks_catch_what_they_forbid() -> None:
    """The checkers themselves: a planted circle, an upward import and a reporting -> ledger write are found."""
    planted = {
        "abctl.services.reporting.usage": {"abctl.services.ledger.writes"},
        "abctl.services.ledger.writes": {"abctl.services.ledger.events"},
        "abctl.services.ledger.events": {"abctl.services.ledger.writes"},
        "abctl.services.names.apps": {"abctl.services.foo.bar"},
    }
    assert import_circles(planted) == [["abctl.services.ledger.events", "abctl.services.ledger.writes"]]
    assert level_violations(planted) == [
        "abctl.services.names.apps -> abctl.services.foo.bar: package missing from SERVICE_LEVELS",
        "abctl.services.reporting.usage -> abctl.services.ledger.writes: reporting may not import ledger"
        " (it is above it)",
    ]
    assert APPLE_WRITERS & _reachable(planted, "abctl.services.reporting.usage") == {"abctl.services.ledger.writes"}
