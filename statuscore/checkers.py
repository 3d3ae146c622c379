"""The base class for checker plugins and the result every checker returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import httpx
import pydantic

__all__ = ["CheckContext", "Checker", "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What one run of a checker found.

    ``status`` is ``"up"``, ``"degraded"`` or ``"down"``; ``reason`` is a
    sentence a person can act on ("connection refused", "expected status
    200, got 503"); ``details`` holds structured facts such as the final URL.
    """

    status: str
    response_time_ms: float | None = None
    reason: str = ""
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in ("up", "degraded", "down"):
            raise ValueError(f"Invalid outcome status {self.status!r}.")


@dataclass(frozen=True)
class CheckContext:
    """What the runner hands a checker besides its configuration.

    ``http_client`` is shared by every check of one monitor process; a
    checker that needs per-check state (cookies) builds its own requests
    and must not store anything on the shared client.
    """

    check_id: int
    timeout: float
    http_client: httpx.AsyncClient


class Checker:
    """Base class for checkers. Subclass it, set the class attributes, and
    implement :meth:`run`.

    ``name`` is the stable identifier stored on checks, ``label`` is shown
    in the admin, and ``Config`` is a pydantic model that validates the
    check's configuration before it is saved.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Config: ClassVar[type[pydantic.BaseModel]]

    async def run(self, config: pydantic.BaseModel, context: CheckContext) -> Outcome:
        """Run the check once and return its outcome.

        Return an ``Outcome`` for every answer the target gave, including a
        wrong one. Raise ``statuscore.exceptions.CheckFailed`` with a reason
        for a failure that has no outcome of its own; any other exception,
        and exceeding ``context.timeout``, is turned into ``down`` by the
        runner.
        """
        raise NotImplementedError
