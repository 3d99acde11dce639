"""The layout stays drawable: no import circles, no import hidden inside a function or
behind ``importlib``, the emulators only where they belong, and modules a reader can hold.

Read from the source (``ast``), so it holds for modules a test run never imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the project (a folder with an ``__init__.py``), so one added
# later is checked without a change here.
PROJECT = sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))
PACKAGES = tuple(name for name in PROJECT if name != "tests")
# Who may import the store emulators: the demo, the benchmarks, the tests and themselves.
SANDBOX_USERS = ("demo", "bench", "tests", "sandbox")
MAX_LINES = 300
# Where a function may import: the ``reshelf`` command's groups load the web app or the demo
# only when one of their commands runs, so that ``reshelf worker`` loads no Flask.
FUNCTION_IMPORTS_ALLOWED = ("cli",)
NO_FUNCTION_IMPORTS = tuple(name for name in PACKAGES if name not in FUNCTION_IMPORTS_ALLOWED)


def _modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (migrations are Alembic's, not ours)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imported(
    node: ast.Import | ast.ImportFrom, module: str, path: Path, modules: dict[str, Path]
) -> set[str]:
    """The project's modules one import statement runs: ``from pkg import sub`` runs the
    submodule ``sub`` (a package being initialised hands it over as it is), and ``from
    pkg import name`` runs ``pkg``."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & modules.keys()
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        found.add(submodule if submodule in modules else base)
    return found & modules.keys()


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (``if TYPE_CHECKING`` ones do not)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.Import | ast.ImportFrom):
            found.append(statement)
        elif isinstance(statement, ast.If) and "TYPE_CHECKING" not in ast.unparse(statement.test):
            pending.extend(statement.body + statement.orelse)
        elif isinstance(statement, ast.Try):
            pending.extend(statement.body + statement.orelse + statement.finalbody)
    return found


def _graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports at import time."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for node in _top_level_imports(tree):
            targets |= _imported(node, name, path, modules) - {name}
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_back_through_others():
    assert _cycles(_graph()) == []


def test_the_checker_sees_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("where", NO_FUNCTION_IMPORTS)
def test_every_import_is_at_the_top_of_its_module(where):
    """An import inside a function hides a dependency (and an import circle) from a reader."""
    paths = _sources([where])
    hidden: list[str] = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden.extend(
                    f"{path.relative_to(ROOT)}:{inner.lineno} in {node.name}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                )
    assert hidden == []


def _sources(packages: tuple[str, ...] | list[str]) -> list[Path]:
    """Every module of ``packages`` but Alembic's migrations."""
    return [
        path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _imported_names(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the tree, at any depth."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_layout_walks_every_package():
    expected = {"bench", "cli", "connectors", "core", "demo", "sandbox", "webapp", "worker"}
    assert expected <= set(PACKAGES)


def test_only_the_demo_the_benchmarks_and_the_tests_import_the_emulators():
    others = [name for name in PROJECT if name not in SANDBOX_USERS]
    importing = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources(others)
        for line, name in _imported_names(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] == "sandbox"
    ]
    assert importing == []


def _dynamic_imports(tree: ast.Module) -> list[int]:
    """Lines that import a module named by a value: ``importlib.import_module``, or
    ``__import__``, instead of an import statement a reader (and a drawing) can see."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "importlib":
            lines += [node.lineno for alias in node.names if alias.name == "import_module"]
        elif isinstance(node, ast.Attribute) and node.attr == "import_module":
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id == "__import__":
            lines.append(node.lineno)
    return lines


def test_no_module_imports_by_name_outside_the_tests():
    hidden = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources(PACKAGES)
        for line in _dynamic_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert hidden == []


def test_the_checker_sees_each_way_of_importing_by_name():
    source = (
        "import importlib\nfrom importlib import import_module\n"
        "importlib.import_module('a')\n__import__('b')\nfrom importlib.resources import files\n"
    )
    assert _dynamic_imports(ast.parse(source)) == [2, 3, 4]


def test_no_module_is_longer_than_a_reader_holds():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _sources(PACKAGES)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
