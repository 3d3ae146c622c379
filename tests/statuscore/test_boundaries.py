"""statuscore stays a library: no Wagtail, no front end, no built-in plugins."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("wagtail", "statuscms", "plugins")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


SOURCE_FILES = sorted((ROOT / "statuscore").rglob("*.py"))


def test_statuscore_has_source_files():
    assert len(SOURCE_FILES) > 20


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_no_forbidden_package(path):
    forbidden = {
        module for module in imported_modules(path) if module.split(".")[0] in FORBIDDEN
    }

    assert forbidden == set()


def test_statuscore_loads_without_wagtail():
    """Import every statuscore module under the Wagtail-free settings, in a
    fresh interpreter where Wagtail cannot be imported at all."""
    script = """
import importlib, pkgutil, sys
import django
django.setup()
import statuscore
for module in pkgutil.walk_packages(statuscore.__path__, "statuscore."):
    importlib.import_module(module.name)
from django.core.management import call_command
call_command("check")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("wagtail", "statuscms"))
print("LOADED", loaded)
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "statussite.settings.core",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout


def test_core_settings_block_wagtail():
    script = "import statussite.settings.core\nimport wagtail\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")])}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert done.returncode != 0
    assert "blocked by statussite.settings.core" in done.stderr
