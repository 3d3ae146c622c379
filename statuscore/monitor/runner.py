"""Run one checker with a hard deadline and turn every failure into an outcome."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from datetime import datetime

import httpx
import pydantic

from statuscore.checkers import CheckContext, Outcome
from statuscore.exceptions import CheckFailed, PluginError
from statuscore.plugins import get_checker

logger = logging.getLogger(__name__)

# Checkers bound each phase by ``context.timeout`` and name the phase that
# ran out ("connect timeout", "read timeout"). The runner's deadline comes
# this much later, so those reasons win. It stops a run whose phases each
# stay within the timeout while the whole run does not, such as a body sent
# one byte at a time.
DEADLINE_GRACE_SECONDS = 0.5


async def run_checker(
    check_id: int,
    checker_name: str,
    config: dict,
    timeout: float,
    http_client: httpx.AsyncClient,
    now: datetime | None = None,
    region: str = "",
) -> Outcome:
    """Run the named checker once and return its outcome; never raise.

    The whole run, connect to last byte, is bounded by ``timeout`` plus
    ``DEADLINE_GRACE_SECONDS``: a target that sends its response byte by byte yields
    ``down`` with a "timed out" reason when that deadline passes. ``now``
    is passed on as ``context.now`` and defaults to the current time.
    """
    started = time.perf_counter()

    def elapsed_ms() -> float:
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        checker_class = get_checker(checker_name)
        parsed = checker_class.Config.model_validate(config)
        context = CheckContext(
            check_id=check_id, timeout=timeout, http_client=http_client, region=region
        )
        if now is not None:
            context = dataclasses.replace(context, now=now)
        async with asyncio.timeout(timeout + DEADLINE_GRACE_SECONDS):
            outcome = await checker_class().run(parsed, context)
    except TimeoutError:
        return Outcome("down", elapsed_ms(), f"timed out after {timeout:g} s")
    except CheckFailed as error:
        return Outcome("down", elapsed_ms(), error.reason, error.details)
    except PluginError as error:
        logger.error("Check %s cannot run: %s", check_id, error)
        return Outcome("down", None, str(error))
    except pydantic.ValidationError as error:
        # The stored configuration was valid when saved; a newer version of
        # the checker may have changed its model since.
        summary = _summarise(error)
        logger.error(
            "Check %s has an invalid %s configuration: %s",
            check_id,
            checker_name,
            summary,
        )
        return Outcome("down", None, f"invalid configuration: {summary}")
    except Exception as error:
        logger.exception("Checker %s raised for check %s", checker_name, check_id)
        return Outcome(
            "down", elapsed_ms(), f"checker error: {type(error).__name__}: {error}"
        )

    if not isinstance(outcome, Outcome):
        logger.error(
            "Checker %s returned %r for check %s", checker_name, outcome, check_id
        )
        return Outcome(
            "down", elapsed_ms(), f"checker {checker_name} returned no outcome"
        )

    # Details are stored in a JSON column. Details that JSON cannot encode
    # would make recording fail, and the result would be dropped with only
    # a log line, so the check is recorded as down instead.
    try:
        json.dumps(outcome.details)
    except (TypeError, ValueError) as error:
        logger.error(
            "Checker %s returned invalid details for check %s: %s",
            checker_name,
            check_id,
            error,
        )
        return Outcome(
            "down",
            outcome.response_time_ms,
            f"checker {checker_name} returned invalid details: {error}",
        )
    return outcome


def _summarise(error: pydantic.ValidationError) -> str:
    """Name each invalid field and its message, without the input values.

    pydantic's own message repeats the input, which may hold a password or
    a token of the check.
    """
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'config'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    )
