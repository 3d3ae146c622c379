"""Services for uptime checks: configuration and recording results."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import pydantic
from django.db import transaction
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.conf import get_settings
from statuscore.events import EventKind, emit
from statuscore.exceptions import UnknownChecker, ValidationFailed
from statuscore.models import (
    Check,
    CheckResult,
    CheckState,
    Component,
    ComponentStatus,
    Page,
    ResultStatus,
)
from statuscore.plugins import get_checker
from statuscore.services.certificates import remind_of_expiry
from statuscore.services.components import set_component_status
from statuscore.services.validation import full_clean, pydantic_errors, require_choice

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 500
OUTAGE_STATUSES = (
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)


def validate_check_config(checker: str, config: dict) -> dict:
    """Validate ``config`` with the checker's model and return it normalised.

    Raises ``ValidationFailed`` naming ``checker`` when no such checker is
    registered, or ``config.<field>`` for each invalid field.
    """
    try:
        checker_class = get_checker(checker)
    except UnknownChecker as error:
        raise ValidationFailed.for_field("checker", str(error)) from None

    try:
        model = checker_class.Config.model_validate(config)
    except pydantic.ValidationError as error:
        raise pydantic_errors(error, "config") from None
    return model.model_dump(mode="json")


def _validate_timing(check: Check) -> None:
    minimum = get_settings().min_check_interval
    if check.interval_seconds < minimum:
        raise ValidationFailed.for_field(
            "interval_seconds", f"The interval must be at least {minimum} seconds."
        )
    if not 0 < check.timeout_seconds <= check.interval_seconds:
        raise ValidationFailed.for_field(
            "timeout_seconds",
            "The timeout must be more than 0 and no longer than the interval.",
        )
    if check.failure_threshold < 1:
        raise ValidationFailed.for_field("failure_threshold", "Must be at least 1.")
    if check.recovery_threshold < 1:
        raise ValidationFailed.for_field("recovery_threshold", "Must be at least 1.")
    require_choice("outage_status", check.outage_status, ComponentStatus)
    if check.outage_status not in OUTAGE_STATUSES:
        raise ValidationFailed.for_field(
            "outage_status",
            "Must be degraded_performance, partial_outage or major_outage.",
        )


@transaction.atomic
def create_check(
    page: Page,
    name: str,
    checker: str,
    config: dict,
    *,
    component: Component | None = None,
    interval_seconds: int = 60,
    timeout_seconds: float = 10.0,
    failure_threshold: int = 2,
    recovery_threshold: int = 1,
    outage_status: str = ComponentStatus.MAJOR_OUTAGE,
    enabled: bool = True,
) -> Check:
    """Create a check due at once, after validating its configuration."""
    if component is not None and component.page_id != page.pk:
        raise ValidationFailed.for_field(
            "component", "The component belongs to another page."
        )

    check = Check(
        page=page,
        component=component,
        name=name,
        checker=checker,
        config=validate_check_config(checker, config),
        interval_seconds=interval_seconds,
        timeout_seconds=timeout_seconds,
        failure_threshold=failure_threshold,
        recovery_threshold=recovery_threshold,
        outage_status=outage_status,
        enabled=enabled,
        next_run_at=timezone.now(),
    )
    _validate_timing(check)
    full_clean(check)
    check.save()
    logger.info("Check %s (%s) created on page %s", check.pk, checker, page.pk)
    return check


EDITABLE_CHECK_FIELDS = (
    "name",
    "config",
    "component",
    "interval_seconds",
    "timeout_seconds",
    "failure_threshold",
    "recovery_threshold",
    "outage_status",
    "enabled",
)


@transaction.atomic
def update_check(check: Check, **changes) -> Check:
    """Change a check's configuration; validation errors leave it unchanged."""
    unknown = set(changes) - set(EDITABLE_CHECK_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )

    check = Check.objects.select_for_update().get(pk=check.pk)
    if "config" in changes:
        changes["config"] = validate_check_config(check.checker, changes["config"])
    component = changes.get("component")
    if component is not None and component.page_id != check.page_id:
        raise ValidationFailed.for_field(
            "component", "The component belongs to another page."
        )

    for field, value in changes.items():
        setattr(check, field, value)
    _validate_timing(check)
    full_clean(check)
    check.save()
    return check


def _next_state(check: Check, outcome: Outcome) -> tuple[str, int, int]:
    """Apply the confirmation rule: return (state, failures, successes).

    A degraded result counts as a success for the up/down decision, so it
    ends an outage like an up result, and the state it reaches is
    ``degraded``. A confirmed outcome sets the state at once, whatever the
    thresholds.
    """
    if outcome.status == ResultStatus.DOWN:
        failures, successes = check.consecutive_failures + 1, 0
        confirmed = outcome.confirmed or failures >= check.failure_threshold
        state = CheckState.DOWN if confirmed else check.state
        return state, failures, successes

    failures, successes = 0, check.consecutive_successes + 1
    reached = CheckState.DEGRADED
    if outcome.status == ResultStatus.UP:
        reached = CheckState.UP
    if check.state != CheckState.DOWN:
        return reached, failures, successes
    confirmed = outcome.confirmed or successes >= check.recovery_threshold
    return (reached if confirmed else check.state), failures, successes


# Severity order of the statuses a check may set, mildest first.
_SEVERITY = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.DEGRADED_PERFORMANCE: 1,
    ComponentStatus.PARTIAL_OUTAGE: 2,
    ComponentStatus.MAJOR_OUTAGE: 3,
}


def _worst_outage_status(component_id: int) -> str | None:
    """Return the most severe outage status among the component's down checks."""
    statuses = Check.objects.filter(
        component_id=component_id, enabled=True, state=CheckState.DOWN
    ).values_list("outage_status", flat=True)
    return max(statuses, key=_SEVERITY.__getitem__, default=None)


def _move_component(check: Check, new_state: str, reason: str) -> None:
    """Set the linked component's status after a confirmed state change.

    While any check on the component is down, the component shows the most
    severe outage status of those checks. Down only raises the status, so
    an editor's more severe status stays, and a component under
    maintenance is not moved. Up lowers the status only when the component
    still has this check's outage status, so an editor's different status
    is left alone. The new status is the most severe outage status of the
    checks still down, or operational when none is down.

    NOTE: a check that went down while its component was under maintenance
    moves the component only at its next state change, not when the
    maintenance ends.
    """
    component = Component.objects.select_for_update().get(pk=check.component_id)
    source = f"check:{check.pk}"
    current = component.status
    worst = _worst_outage_status(component.pk)

    if new_state == CheckState.DOWN:
        if current == ComponentStatus.UNDER_MAINTENANCE or worst is None:
            return
        if _SEVERITY[worst] > _SEVERITY.get(current, 0):
            set_component_status(component, worst, source=source, reason=reason)
        return

    if current != check.outage_status:
        return
    target = worst or ComponentStatus.OPERATIONAL
    if _SEVERITY[target] < _SEVERITY[current]:
        set_component_status(component, target, source=source, reason=reason)


@transaction.atomic
def record_result(check_id: int, outcome: Outcome, checked_at: datetime) -> CheckResult:
    """Store one result and apply the check's confirmation rule.

    When the confirmed state changes, the linked component's status and a
    ``check.state_changed`` event are written in this same transaction.
    The check row is locked, so two workers recording for the same check
    apply their results one after the other.
    """
    check = Check.objects.select_for_update().get(pk=check_id)
    result = CheckResult.objects.create(
        uptime_check=check,
        checked_at=checked_at,
        status=outcome.status,
        response_time_ms=outcome.response_time_ms,
        reason=outcome.reason[:MAX_REASON_LENGTH],
        details=outcome.details,
    )
    remind_of_expiry(check, outcome.details, checked_at)

    old_state = check.state
    new_state, failures, successes = _next_state(check, outcome)
    check.consecutive_failures = failures
    check.consecutive_successes = successes
    check.last_run_at = checked_at
    check.state = new_state
    if new_state != old_state:
        check.state_changed_at = checked_at
    check.save(
        update_fields=[
            "consecutive_failures",
            "consecutive_successes",
            "last_run_at",
            "state",
            "state_changed_at",
            "updated_at",
        ]
    )

    if new_state == old_state:
        return result

    logger.info(
        "Check %s state %s -> %s: %s",
        check.pk,
        old_state,
        new_state,
        outcome.reason or "ok",
    )
    emit(
        EventKind.CHECK_STATE_CHANGED,
        check.page,
        {
            "check_id": check.pk,
            "check_name": check.name,
            "old_state": old_state,
            "new_state": new_state,
            "reason": outcome.reason,
            "result_id": result.pk,
        },
    )
    # A degraded check counts as up for the component, so reaching
    # degraded moves the component only when it ends an outage.
    moves_component = new_state != CheckState.DEGRADED or old_state == CheckState.DOWN
    if check.component_id is not None and moves_component:
        _move_component(check, new_state, outcome.reason)
    return result


def claim_due_checks(
    now: datetime,
    limit: int,
    check_ids: list[int] | None = None,
    exclude_ids: Iterable[int] = (),
) -> list[Check]:
    """Claim up to ``limit`` enabled checks that are due at ``now``.

    ``check_ids`` limits the claim to those checks; ``exclude_ids`` leaves
    out checks the caller is still running, which stay due.

    Claiming moves ``next_run_at`` one interval ahead with an update
    conditional on its old value, so two monitor processes never run the
    same check for the same slot. The next slot counts from the scheduled
    time, not from ``now``, so a slow loop does not drift the schedule;
    a check more than one interval late restarts from ``now``.
    """
    due = Check.objects.filter(enabled=True, next_run_at__lte=now)
    if check_ids is not None:
        due = due.filter(pk__in=check_ids)
    excluded = list(exclude_ids)
    if excluded:
        due = due.exclude(pk__in=excluded)

    claimed = []
    for check in due.order_by("next_run_at", "id")[:limit]:
        if _claim_slot(check, now):
            claimed.append(check)
    return claimed


def _claim_slot(check: Check, now: datetime) -> bool:
    """Move ``check`` to its next slot unless another claimer already did."""
    interval = timedelta(seconds=check.interval_seconds)
    next_run_at = check.next_run_at + interval
    if next_run_at <= now:
        next_run_at = now + interval

    # Conditional on the slot we read: a claimer that read the same slot
    # and updated first makes this update match no row.
    won = Check.objects.filter(pk=check.pk, next_run_at=check.next_run_at).update(
        next_run_at=next_run_at
    )
    if won:
        check.next_run_at = next_run_at
    return bool(won)
