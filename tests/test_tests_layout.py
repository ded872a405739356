"""The layout of the tests and benchmarks stays as it is meant to be.

Helpers shared by several modules live in tests/support/ (browser helpers beside the
browser tests), no test module imports another test module or conftest.py (fixtures are
registered once, in tests/conftest.py), and the benchmarks are a package that never edits
`sys.path` to reach them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from clinic.config import PROJECT_ROOT

TESTS = PROJECT_ROOT / "tests"
BENCH = PROJECT_ROOT / "bench"


def python_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "node_modules" not in path.parts)


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module an import names, `from a import b` giving both a and a.b."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if node.module else f"{base}{alias.name}"


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(PROJECT_ROOT)}:{line}"


def test_no_module_imports_a_test_module_or_a_conftest():
    offending = [
        f"{where(path, line)} imports {name}"
        for path in python_files(TESTS) + python_files(BENCH)
        for line, name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name.rsplit(".", 1)[-1].startswith("test_") or name.rsplit(".", 1)[-1] == "conftest"
    ]
    assert offending == [], "move what is shared to tests/support/ (fixtures: register them in tests/conftest.py)"


def test_helpers_live_in_tests_support_or_beside_the_browser_tests():
    loose = [
        str(path.relative_to(PROJECT_ROOT)) for path in python_files(TESTS)
        if not path.name.startswith("test_") and path.name not in ("conftest.py", "__init__.py")
        and path.parent not in (TESTS / "support", TESTS / "browser")
    ]
    assert loose == []


def test_nothing_edits_sys_path():
    edits = [
        where(path, node.lineno)
        for path in python_files(BENCH) + python_files(TESTS)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "path"
        and isinstance(node.value, ast.Name) and node.value.id == "sys"
    ]
    assert edits == [], "run the benchmarks as modules from the project root (python -m bench.pdf) instead"
