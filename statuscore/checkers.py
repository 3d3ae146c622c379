"""The base class for checker plugins and the result every checker returns."""

from __future__ import annotations

import errno
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

import httpx
import pydantic

from statuscore.connect import ConnectFailed, format_address

__all__ = ["CheckContext", "Checker", "Outcome", "describe_connect_error"]

# Reasons for the connect errors an operator meets most, by errno.
_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ETIMEDOUT: "connect timeout",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
}


@dataclass(frozen=True)
class Outcome:
    """The result of one run of a checker.

    ``status`` is ``"up"``, ``"degraded"`` or ``"down"``. ``reason`` is a
    sentence a person can act on ("connection refused", "expected status
    200, got 503"). ``details`` contains structured facts such as the final
    URL.
    ``confirmed`` marks an outcome that needs no confirmation rule, such as
    a job reporting its own failure or a heartbeat past its grace period.
    It sets the check's state at once, whatever the check's thresholds.
    """

    status: str
    response_time_ms: float | None = None
    reason: str = ""
    details: dict = field(default_factory=dict)
    confirmed: bool = False

    def __post_init__(self) -> None:
        if self.status not in ("up", "degraded", "down"):
            raise ValueError(f"Invalid outcome status {self.status!r}.")


@dataclass(frozen=True)
class CheckContext:
    """Inputs the runner hands a checker besides its configuration.

    ``http_client`` is shared by every check of one monitor process, so a
    checker that needs per-check state (cookies) builds its own requests
    and must not store anything on the shared client. ``timeout`` is the
    check's timeout in seconds, for the checker to bound each phase
    (connect, read) and name the phase that ran out. ``now`` is the time
    the run counts as taken at, from the monitor's clock. A checker that
    judges time, such as a heartbeat, uses it instead of reading the clock.
    ``region`` is the region of the monitor running the check, empty when it
    has none.
    """

    check_id: int
    timeout: float
    http_client: httpx.AsyncClient
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    region: str = ""


class Checker:
    """Base class for checkers. Subclass it, set the class attributes, and
    implement :meth:`run`.

    ``name`` is the stable identifier stored on checks, ``label`` is shown
    in the admin, and ``Config`` is a pydantic model that validates the
    check's configuration before it is saved. ``accepts_pushes`` gives
    checks of this checker a push URL (``/api/push/<token>``) whose pushes
    are recorded as results.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Config: ClassVar[type[pydantic.BaseModel]]
    accepts_pushes: ClassVar[bool] = False

    async def run(self, config: pydantic.BaseModel, context: CheckContext) -> Outcome:
        """Run the check once and return its outcome.

        Return an ``Outcome`` for every answer the target gave, including a
        wrong one. Raise ``statuscore.exceptions.CheckFailed`` with a reason
        for a failure that has no outcome of its own. The runner turns any
        other exception into ``down``, and so does running past its
        deadline, which comes ``DEADLINE_GRACE_SECONDS`` (in
        ``statuscore.monitor.runner``) after ``context.timeout``.
        """
        raise NotImplementedError


def _root_causes(error: BaseException) -> list[BaseException]:
    """Follow ``__cause__`` and ``__context__`` to the innermost errors.

    Libraries wrap the operating system's error: httpx wraps httpcore,
    which wraps anyio's "All connection attempts failed", which wraps the
    ``ConnectionRefusedError``, or an exception group of one error per
    address tried. Each member of a group is followed on its own.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    innermost = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, BaseExceptionGroup):
            return [
                root for member in current.exceptions for root in _root_causes(member)
            ]
        innermost = current
        current = current.__cause__ or current.__context__
        # A timeout is raised while handling the cancellation it caused;
        # the cancellation carries nothing about the connection.
        if not isinstance(current, Exception):
            break
    return [innermost]


def _describe_root(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate verify failed: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {error.reason or error}"
    if isinstance(error, socket.gaierror):
        return f"DNS lookup failed: {error.strerror or error}"
    if isinstance(error, OSError) and error.errno in _ERRNO_REASONS:
        return _ERRNO_REASONS[error.errno]
    if isinstance(error, TimeoutError):
        return "connect timeout"
    if isinstance(error, OSError) and error.strerror:
        return f"connect failed: {error.strerror}"
    return f"connect failed: {error or type(error).__name__}"


def _find_connect_failed(error: BaseException) -> ConnectFailed | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ConnectFailed):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_connect_error(error: BaseException) -> str:
    """Name a failed connection the way an operator would search for it.

    Returns "connection refused", "connect timeout", "host unreachable",
    "DNS lookup failed: ..." and the like, found from the operating
    system's error however deeply a library wrapped it. When
    ``statuscore.connect.connect_first`` tried several addresses, the
    reason names each address with its error. When a library tried several
    addresses and they failed differently, the distinct reasons are joined
    with "; ".
    """
    failed = _find_connect_failed(error)
    if failed is not None and len(failed.attempts) == 1:
        return describe_connect_error(failed.attempts[0][1])
    if failed is not None:
        listed = "; ".join(
            f"{format_address(address, failed.port)} "
            f"{describe_connect_error(attempt_error)}"
            for address, attempt_error in failed.attempts
        )
        return f"all {len(failed.attempts)} addresses failed: {listed}"

    reasons: list[str] = []
    for root in _root_causes(error):
        reason = _describe_root(root)
        if reason not in reasons:
            reasons.append(reason)
    return "; ".join(reasons)
