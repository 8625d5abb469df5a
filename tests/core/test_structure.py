"""The arrangement docs/architecture.md describes, held to its limits: imports at the top of
modules (so each module's dependencies are on its first screen, and `lint-imports` sees them)
and modules short enough to read. The order of the apps itself is checked by `lint-imports`
(the contracts in pyproject.toml), which `python3 dev.py test` runs before the suite."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]

# Imports inside functions: AppConfig.ready() is where registrations belong (models are not loaded
# when apps.py is), and otherwise a handful, each with its reason on the line.
MAX_IMPORTS_IN_FUNCTIONS = 5
MAX_MODULE_LINES = 500


def app_modules(root: Path = ROOT) -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    )


def imported_app(node: ast.Import | ast.ImportFrom, app: str) -> str | None:
    """The project app an import statement reaches, or None for Django, the standard library…"""
    if isinstance(node, ast.ImportFrom):
        top = app if node.level else (node.module or "").split(".")[0]
    else:
        top = node.names[0].name.split(".")[0]
    return top if top in APPS else None


def imports_in_functions(root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(module, line, source line) of each import of a project app made inside a function."""
    found = []
    for path in app_modules(root):
        source = path.read_text()
        lines = source.splitlines()
        app = path.relative_to(root).parts[0]
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            for node in function.body:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and imported_app(inner, app):
                        found.append(
                            (str(path.relative_to(root)), inner.lineno, lines[inner.lineno - 1].strip())
                        )
    return sorted(set(found))


def test_imports_inside_functions_are_a_handful_and_each_says_why():
    found = imports_in_functions()
    listing = "\n".join(f"{module}:{line}  {text}" for module, line, text in found)
    assert len(found) <= MAX_IMPORTS_IN_FUNCTIONS, f"{len(found)} imports inside functions:\n{listing}"
    unexplained = [f"{module}:{line}  {text}" for module, line, text in found if "#" not in text]
    assert not unexplained, "an import inside a function needs its reason on the line:\n" + "\n".join(
        unexplained
    )


def test_no_app_module_is_longer_than_the_limit():
    sizes = sorted(
        ((len(path.read_text().splitlines()), str(path.relative_to(ROOT))) for path in app_modules()),
        reverse=True,
    )
    print("largest app modules:", ", ".join(f"{name} {lines}" for lines, name in sizes[:5]))
    too_long = [f"{name}: {lines} lines" for lines, name in sizes if lines > MAX_MODULE_LINES]
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by rule):\n" + "\n".join(
        too_long
    )


def test_the_count_finds_imports_in_functions_but_not_in_ready(tmp_path):
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "apps.py").write_text(
        "from . import models\n"
        "class Config:\n"
        "    def ready(self):\n"
        "        from sessions import hooks\n"
        "def later():\n"
        "    import json\n"
        "    from billing.models import Payment  # why\n"
        "    if True:\n"
        "        from .tasks import send\n"
    )
    assert imports_in_functions(tmp_path) == [
        ("cohorts/apps.py", 7, "from billing.models import Payment  # why"),
        ("cohorts/apps.py", 9, "from .tasks import send"),
    ]
