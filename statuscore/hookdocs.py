"""Render the hook reference in Markdown from ``statuscore.hookspecs``.

``python -m statuscore.hookdocs > docs/plugin-hooks.md`` rewrites the page;
a test fails when the committed page differs from what this renders.
"""

from __future__ import annotations

import inspect
import sys

from statuscore import hookspecs

HEADER = """\
# Plugin hook reference

Generated from `statuscore/hookspecs.py` by `python -m statuscore.hookdocs`;
edit the docstrings there, not this page.
"""


def render_hook_reference() -> str:
    """Return the Markdown page listing every hook with its signature and contract."""
    sections = [HEADER]
    source = inspect.getsource(hookspecs)
    hooks = [
        (name, function)
        for name, function in vars(hookspecs).items()
        if name.startswith("statuscore_") and inspect.isfunction(function)
    ]
    hooks.sort(key=lambda item: source.index(f"def {item[0]}("))

    for name, function in hooks:
        signature = str(inspect.signature(function)).replace("'", "")
        docstring = inspect.cleandoc(function.__doc__ or "Undocumented.")
        sections.append(f"## `{name}`\n\n```python\ndef {name}{signature}\n```\n\n{docstring}\n")
    return "\n".join(sections)


if __name__ == "__main__":
    sys.stdout.write(render_hook_reference())
