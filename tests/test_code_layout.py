"""How the code is laid out: imports flow one way (routes → services → models and the engine)."""

from __future__ import annotations

import ast
from pathlib import Path

import clinic

PACKAGE = Path(clinic.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved to their full names."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def blueprint_of(module: str) -> str:
    return module.split(".")[1]


def test_no_route_module_imports_another_blueprints_routes():
    crossing = []
    for path in sorted(PACKAGE.glob("*/routes.py")):
        own = path.parent.name
        for module in imported_modules(path):
            if module.startswith("clinic.") and module.count(".") >= 2 and module.split(".")[2] == "routes" \
                    and blueprint_of(module) != own:
                crossing.append(f"clinic/{own}/routes.py imports {module}")
    assert crossing == []


def test_services_and_models_import_no_routes():
    upward = [f"{path.relative_to(PACKAGE.parent)} imports {module}"
              for path in sorted(PACKAGE.rglob("*.py")) if path.name != "routes.py" and path.name != "__init__.py"
              for module in imported_modules(path)
              if module.startswith("clinic.") and ".routes" in module]
    assert upward == []


def test_templates_include_only_templates_that_exist():
    """`ignore missing` would hide a renamed partial: the page would quietly lose a panel."""
    templates = PACKAGE.parent / "templates"
    lenient = [str(path.relative_to(templates)) for path in sorted(templates.rglob("*.html"))
               if "ignore missing" in path.read_text()]
    assert lenient == []
