"""Every hook is documented, and the reference page matches the docstrings."""

import inspect
from pathlib import Path

import pytest

from statuscore import hookspecs
from statuscore.hookdocs import render_hook_reference

ROOT = Path(__file__).resolve().parents[2]
HOOK_NAMES = sorted(
    name
    for name, value in vars(hookspecs).items()
    if name.startswith("statuscore_") and inspect.isfunction(value)
)


def test_reference_page_is_current():
    committed = (ROOT / "docs" / "plugin-hooks.md").read_text()

    assert committed == render_hook_reference(), (
        "docs/plugin-hooks.md is stale: run "
        "'python -m statuscore.hookdocs > docs/plugin-hooks.md'"
    )


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_docstring(name):
    docstring = inspect.getdoc(getattr(hookspecs, name)) or ""

    assert len(docstring.split()) >= 15


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_used_by_a_test(name):
    test_sources = [
        path.read_text()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != "test_hookspecs.py"
    ]

    assert any(name in source for source in test_sources), f"No test calls {name}."
