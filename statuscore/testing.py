"""Helpers for testing code that runs checks, and for plugin authors' tests.

``FakeChecker`` returns the outcome its configuration names, so a test
drives a check up and down by changing the check's ``config``.
:data:`fake_plugin` registers it under the checker name ``"fake"``.
:func:`temporary_plugin` registers a plugin for the length of a ``with``
block::

    from statuscore.testing import fake_plugin, temporary_plugin

    with temporary_plugin(fake_plugin):
        check = create_check(page, "API", "fake", {"status": "down"})
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType, SimpleNamespace
from typing import Literal

import pydantic

from statuscore import hookimpl
from statuscore.checkers import CheckContext, Checker, Outcome
from statuscore.exceptions import CheckFailed
from statuscore.plugins import register_plugin, unregister_plugin

__all__ = ["FakeChecker", "FakeCheckerConfig", "fake_plugin", "temporary_plugin"]


class FakeCheckerConfig(pydantic.BaseModel):
    """The outcome a ``FakeChecker`` returns, and how long it takes."""

    model_config = pydantic.ConfigDict(extra="forbid")

    status: Literal["up", "degraded", "down"] = "up"
    reason: str = ""
    response_time_ms: float | None = 1.0
    delay_seconds: float = pydantic.Field(default=0.0, ge=0)
    raise_check_failed: bool = pydantic.Field(
        default=False,
        description="Raise CheckFailed with the reason instead of returning.",
    )
    down_in_regions: list[str] = pydantic.Field(
        default_factory=list,
        description="Regions in which the outcome is down whatever 'status' is.",
    )


class FakeChecker(Checker):
    """A checker that contacts nothing and returns the configured outcome."""

    name = "fake"
    label = "Fake (tests only)"
    Config = FakeCheckerConfig

    async def run(self, config: FakeCheckerConfig, context: CheckContext) -> Outcome:
        if config.delay_seconds:
            await asyncio.sleep(config.delay_seconds)
        if config.raise_check_failed:
            raise CheckFailed(config.reason or "fake failure")
        if context.region and context.region in config.down_in_regions:
            reason = config.reason or f"down in {context.region}"
            return Outcome("down", config.response_time_ms, reason)
        return Outcome(config.status, config.response_time_ms, config.reason)


@hookimpl
def _register_fake_checkers() -> list[type[Checker]]:
    return [FakeChecker]


fake_plugin = SimpleNamespace(
    __name__="statuscore.testing.fake_plugin",
    statuscore_register_checkers=_register_fake_checkers,
)
"""A plugin object that registers :class:`FakeChecker`."""


@contextmanager
def temporary_plugin(
    plugin: ModuleType | object, name: str | None = None
) -> Iterator[ModuleType | object]:
    """Register ``plugin`` inside the block and unregister it on the way out.

    ``name`` defaults to the module's or the object's ``__name__``, else
    ``"temporary"``. Raises ``PluginError`` when the plugin breaks the
    registration contract, such as a checker name already taken.
    """
    name = name or getattr(plugin, "__name__", None) or "temporary"
    register_plugin(plugin, name)
    try:
        yield plugin
    finally:
        unregister_plugin(name)
