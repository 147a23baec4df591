"""The layer rules of design.md section 1, checked by walking every import of every module."""

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
        assert name in {"abctl.models", "abctl.errors", "abctl.timeutil"} or name.startswith("abctl.domain"), (
            f"domain/{path.name} imports {name}"
        )


@pytest.mark.parametrize("path", sorted((SRC / "sandbox").rglob("*.py")), ids=lambda p: p.name)
def test_sandbox_is_standard_library_only(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert (
            top in STDLIB
            or top == "__future__"
            or name in {"abctl.models", "abctl.errors", "abctl.timeutil"}
            or (name.startswith("abctl.sandbox"))
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
