"""Judge a push check: is its job's last heartbeat recent enough?

The job pushes to the check's URL (see ``statuscore.api.push``), and each
push is recorded as a result when it arrives. The monitor runs this checker
on the check's interval. It contacts nothing: it compares the time the next
heartbeat was expected with the monitor's time (``context.now``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
from asgiref.sync import sync_to_async
from cronsim import CronSim, CronSimError

from plugins.heartbeat.schedule import next_expected
from statuscore.checkers import CheckContext, Checker, Outcome
from statuscore.exceptions import CheckFailed
from statuscore.services.heartbeats import (
    DEFAULT_DOWN_REASON,
    PushState,
    get_push_state,
)

logger = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 300
# Long enough for a job whose clock is a minute or so fast. A frequent
# schedule uses less, as ``schedule.next_expected`` explains.
DEFAULT_EARLY_TOLERANCE_SECONDS = 120
MAX_PERIOD_SECONDS = 366 * 24 * 3600
CRON_FIELDS = 5


class HeartbeatConfig(pydantic.BaseModel):
    """Configuration of a heartbeat check: when pushes are expected, and
    how late one may be before the check is degraded or down.

    Lateness is measured from the time the schedule expected the push, not
    from the last push received.
    """

    model_config = pydantic.ConfigDict(extra="forbid")

    period_seconds: int | None = pydantic.Field(
        default=None,
        ge=10,
        le=MAX_PERIOD_SECONDS,
        description="Seconds between two pushes. Set this or cron, not both.",
    )
    cron: str | None = pydantic.Field(
        default=None,
        validate_default=True,
        max_length=200,
        description=(
            "Five-field cron expression of the job's schedule, such as "
            "'0 4 * * *'. Set this or period_seconds, not both."
        ),
    )
    timezone: str = pydantic.Field(
        default="UTC",
        description="IANA time zone the cron expression is read in.",
    )
    grace_seconds: int | None = pydantic.Field(
        default=None,
        ge=0,
        description=(
            "Seconds a push may be late before the check is down; "
            f"{DEFAULT_GRACE_SECONDS} when neither this nor down_after_seconds "
            "is set."
        ),
    )
    down_after_seconds: int | None = pydantic.Field(
        default=None,
        ge=0,
        validate_default=True,
        description="Lateness in seconds at which the check is down. It is "
        "another name for grace_seconds, so set only one of them.",
    )
    degraded_after_seconds: int | None = pydantic.Field(
        default=None,
        ge=0,
        description="Lateness in seconds at which the check is degraded. It "
        "must be less than the lateness at which the check is down.",
    )
    early_tolerance_seconds: int = pydantic.Field(
        default=DEFAULT_EARLY_TOLERANCE_SECONDS,
        ge=0,
        le=3600,
        description=(
            "Seconds before a cron time within which a push counts as that "
            "run, from a job whose clock is fast."
        ),
    )

    @pydantic.field_validator("cron")
    @classmethod
    def _check_cron(
        cls, value: str | None, info: pydantic.ValidationInfo
    ) -> str | None:
        if "period_seconds" not in info.data:
            return value  # period_seconds is invalid and already reported
        has_period = info.data["period_seconds"] is not None
        if value is None and not has_period:
            raise ValueError("Set either period_seconds or cron.")
        if value is None:
            return None
        if has_period:
            raise ValueError("Set either period_seconds or cron, not both.")

        value = " ".join(value.split())
        if len(value.split()) != CRON_FIELDS:
            raise ValueError(
                "Must have 5 fields: minute, hour, day of month, month, day of week."
            )
        try:
            CronSim(value, datetime(2000, 1, 1))
        except CronSimError as error:
            raise ValueError(f"Invalid cron expression: {error}.") from None
        return value

    @pydantic.field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"Unknown time zone {value!r}. Use an IANA name such as "
                "'Europe/Berlin' or 'UTC'."
            ) from None
        return value

    @pydantic.field_validator("down_after_seconds")
    @classmethod
    def _check_down_after(
        cls, value: int | None, info: pydantic.ValidationInfo
    ) -> int | None:
        if value is not None and info.data.get("grace_seconds") is not None:
            raise ValueError("Set grace_seconds or down_after_seconds, not both.")
        return value

    @pydantic.field_validator("degraded_after_seconds")
    @classmethod
    def _check_degraded_after(
        cls, value: int | None, info: pydantic.ValidationInfo
    ) -> int | None:
        down_after = _down_after(
            info.data.get("down_after_seconds"), info.data.get("grace_seconds")
        )
        if value is not None and value >= down_after:
            raise ValueError(
                f"Must be less than the lateness at which the check is down "
                f"({down_after} s)."
            )
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def down_after(self) -> timedelta:
        """Lateness at which the check is down."""
        seconds = _down_after(self.down_after_seconds, self.grace_seconds)
        return timedelta(seconds=seconds)


def _down_after(down_after_seconds: int | None, grace_seconds: int | None) -> int:
    if down_after_seconds is not None:
        return down_after_seconds
    if grace_seconds is not None:
        return grace_seconds
    return DEFAULT_GRACE_SECONDS


def expected_at(config: HeartbeatConfig, state: PushState) -> datetime:
    """Return when the heartbeat after the last push (or the start) is due."""
    return next_expected(
        state.last_push_at or state.started_at,
        period_seconds=config.period_seconds,
        cron=config.cron,
        zone=config.zone,
        early_tolerance_seconds=config.early_tolerance_seconds,
        pushed=state.last_push_at is not None,
    )


def judge(config: HeartbeatConfig, state: PushState, now: datetime) -> Outcome:
    """Return the check's outcome at ``now``, from its last push and schedule.

    1. A push later than the down threshold: down, "no heartbeat since ...".
    2. Otherwise an explicit down push still applies: down, with its message.
    3. A push later than the degraded threshold: degraded.
    4. Otherwise up.

    Each outcome is confirmed, because the thresholds already are the
    check's confirmation rule.
    """
    expected = expected_at(config, state)
    late = now - expected
    details = {
        "expected_at": expected.isoformat(),
        "last_push_at": state.last_push_at.isoformat() if state.last_push_at else None,
        "late_seconds": max(0.0, late.total_seconds()),
    }

    if late >= config.down_after:
        if state.last_push_at is None:
            since = "no heartbeat yet"
        else:
            since = f"no heartbeat since {_show(state.last_push_at, config)}"
        reason = f"{since}; expected at {_show(expected, config)}"
        return Outcome("down", None, reason, details, confirmed=True)

    if state.last_push_status == "down":
        reason = state.last_push_message or DEFAULT_DOWN_REASON
        return Outcome("down", None, reason, details, confirmed=True)

    degraded_after = config.degraded_after_seconds
    if degraded_after is not None and late >= timedelta(seconds=degraded_after):
        reason = f"heartbeat late; expected at {_show(expected, config)}"
        return Outcome("degraded", None, reason, details, confirmed=True)
    return Outcome("up", None, "", details, confirmed=True)


def _show(moment: datetime, config: HeartbeatConfig) -> str:
    return moment.astimezone(config.zone).strftime("%Y-%m-%d %H:%M:%S %Z")


class HeartbeatChecker(Checker):
    name = "heartbeat"
    label = "Heartbeat (push)"
    Config = HeartbeatConfig
    accepts_pushes = True

    async def run(self, config: HeartbeatConfig, context: CheckContext) -> Outcome:
        # NOTE: the push state is read without a lock. A push committed
        # between this read and the recording of the outcome is not seen,
        # so a check due at that moment is recorded down, and up again by
        # the push itself or by the next run.
        state = await sync_to_async(get_push_state)(context.check_id)
        if state is None:
            raise CheckFailed("this check has no push token, so regenerate its URL")
        return judge(config, state, context.now)
