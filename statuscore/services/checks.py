"""Services for uptime checks: configuration and recording results."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pydantic
from django.db import connection, transaction
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.conf import get_settings
from statuscore.events import EventKind, emit
from statuscore.exceptions import UnknownChecker, ValidationFailed
from statuscore.models import (
    Check,
    CheckRegion,
    CheckResult,
    CheckState,
    Component,
    ComponentStatus,
    IncidentImpact,
    Maintenance,
    Page,
    ResultStatus,
)
from statuscore.plugins import get_checker
from statuscore.services.certificates import has_certificate_facts, remind_of_expiry
from statuscore.services.check_incidents import (
    open_check_incident,
    resolve_check_incident,
    validate_incident_settings,
)
from statuscore.services.components import set_component_status
from statuscore.services.validation import full_clean, pydantic_errors, require_choice

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 500
MAX_RETRIES = 5
REGION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
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
    settings = get_settings()
    minimum, maximum = settings.min_check_interval, settings.max_check_interval
    if not minimum <= check.interval_seconds <= maximum:
        raise ValidationFailed.for_field(
            "interval_seconds",
            f"The interval must be from {minimum} to {maximum} seconds.",
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
    if not 0 <= check.retries <= MAX_RETRIES:
        raise ValidationFailed.for_field(
            "retries", f"Must be from 0 to {MAX_RETRIES}."
        )
    require_choice("outage_status", check.outage_status, ComponentStatus)
    if check.outage_status not in OUTAGE_STATUSES:
        raise ValidationFailed.for_field(
            "outage_status",
            "Must be degraded_performance, partial_outage or major_outage.",
        )


def _validate_regions(check: Check) -> None:
    regions = check.regions
    if not isinstance(regions, list) or not all(
        isinstance(name, str) and REGION_NAME.match(name) for name in regions
    ):
        raise ValidationFailed.for_field(
            "regions",
            "Must be a list of region names of lowercase letters, digits and "
            "hyphens, such as 'eu-west'.",
        )
    if len(set(regions)) != len(regions):
        raise ValidationFailed.for_field("regions", "A region is listed twice.")
    quorum = check.region_quorum
    if quorum is not None and not 1 <= quorum <= len(regions):
        raise ValidationFailed.for_field(
            "region_quorum",
            f"Must be from 1 to the number of regions ({len(regions)}), "
            "or empty for a majority.",
        )


def slot_offset(check_id: int, interval_seconds: int) -> timedelta:
    """Return the check's fixed offset within its interval, to the millisecond.

    A hash of the id spreads checks created together evenly over the
    interval, and the same check keeps the same offset in every process.
    """
    digest = hashlib.blake2b(str(check_id).encode(), digest_size=8).digest()
    milliseconds = int.from_bytes(digest, "big") % (interval_seconds * 1000)
    return timedelta(milliseconds=milliseconds)


def next_slot_after(check_id: int, interval_seconds: int, now: datetime) -> datetime:
    """Return the first slot of the check strictly after ``now``.

    Slots are the times ``epoch + offset + k * interval``, so they depend on
    the check id and interval only, never on when the check was created.
    """
    interval = timedelta(seconds=interval_seconds)
    epoch = datetime(2000, 1, 1, tzinfo=UTC) + slot_offset(check_id, interval_seconds)
    periods = (now - epoch) // interval + 1
    return epoch + periods * interval


def _schedule(check: Check, now: datetime) -> None:
    """Put the check on its next slot, in each of its regions if it has any.

    A check with regions is claimed through its ``CheckRegion`` rows, so its
    own ``next_run_at`` is empty and monitors without a region skip it.
    """
    slot = next_slot_after(check.pk, check.interval_seconds, now)
    if not check.regions:
        CheckRegion.objects.filter(uptime_check=check).delete()
        check.next_run_at = slot
        return

    check.next_run_at = None
    CheckRegion.objects.filter(uptime_check=check).exclude(
        region__in=check.regions
    ).delete()
    CheckRegion.objects.filter(uptime_check=check).update(next_run_at=slot)
    existing = set(
        CheckRegion.objects.filter(uptime_check=check).values_list("region", flat=True)
    )
    CheckRegion.objects.bulk_create(
        CheckRegion(uptime_check=check, region=region, next_run_at=slot)
        for region in check.regions
        if region not in existing
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
    retries: int = 1,
    regions: list[str] | None = None,
    region_quorum: int | None = None,
    open_incident: bool = False,
    incident_impact: str = IncidentImpact.MAJOR,
    incident_needs_approval: bool = False,
    incident_title: str | None = None,
    incident_body: str | None = None,
    resolve_body: str | None = None,
) -> Check:
    """Create a check after validating its configuration.

    Its first run is its first slot (see :func:`next_slot_after`), so checks
    created together start spread over their interval, not all at once.
    The incident templates default to the model's defaults when ``None``.
    With ``incident_needs_approval`` the incident the check opens waits,
    hidden from visitors and subscribers, for an editor's approval.
    """
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
        retries=retries,
        regions=regions if regions is not None else [],
        region_quorum=region_quorum,
        open_incident=open_incident,
        incident_impact=incident_impact,
        incident_needs_approval=incident_needs_approval,
    )
    templates = {
        "incident_title": incident_title,
        "incident_body": incident_body,
        "resolve_body": resolve_body,
    }
    for field, template in templates.items():
        if template is not None:
            setattr(check, field, template)
    _validate_timing(check)
    _validate_regions(check)
    validate_incident_settings(check)
    full_clean(check)
    check.save()
    _schedule(check, timezone.now())
    check.save(update_fields=["next_run_at"])
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
    "retries",
    "regions",
    "region_quorum",
    "open_incident",
    "incident_impact",
    "incident_needs_approval",
    "incident_title",
    "incident_body",
    "resolve_body",
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

    if isinstance(changes.get("regions"), tuple):
        changes["regions"] = list(changes["regions"])
    rescheduled = (
        "interval_seconds" in changes
        and changes["interval_seconds"] != check.interval_seconds
    ) or ("regions" in changes and changes["regions"] != check.regions)
    for field, value in changes.items():
        setattr(check, field, value)
    _validate_timing(check)
    _validate_regions(check)
    validate_incident_settings(check)
    full_clean(check)
    if rescheduled:
        _schedule(check, timezone.now())
    check.save()
    return check


def _next_state(
    counters: Check | CheckRegion, outcome: Outcome, check: Check | None = None
) -> tuple[str, int, int]:
    """Apply the confirmation rule: return (state, failures, successes).

    ``counters`` contains the state and counters to advance: the check itself,
    or one of its regions, in which case ``check`` gives the thresholds.
    A degraded result counts as a success for the up/down decision, so it
    ends an outage like an up result, and the state it reaches is
    ``degraded``. A confirmed outcome sets the state at once, whatever the
    thresholds.
    """
    thresholds = check or counters
    if outcome.status == ResultStatus.DOWN:
        failures, successes = counters.consecutive_failures + 1, 0
        confirmed = outcome.confirmed or failures >= thresholds.failure_threshold
        state = CheckState.DOWN if confirmed else counters.state
        return state, failures, successes

    failures, successes = 0, counters.consecutive_successes + 1
    reached = CheckState.UP if outcome.status == ResultStatus.UP else CheckState.DEGRADED
    if counters.state != CheckState.DOWN:
        return reached, failures, successes
    confirmed = outcome.confirmed or successes >= thresholds.recovery_threshold
    return (reached if confirmed else counters.state), failures, successes


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


def _component_target(check: Check, new_state: str) -> tuple[Component, str | None]:
    """Lock the linked component and return it with the status it should move to.

    The status is ``None`` when the component keeps its status. While any
    check on the component is down, the component shows the most severe
    outage status of those checks. Down only raises the status, so an
    editor's more severe status stays, and a component under maintenance is
    not moved. Up lowers the status only when the component still has this
    check's outage status, so an editor's different status is left alone.
    The new status is the most severe outage status of the checks still
    down, or operational when none is down. A check that went down while
    its component was under maintenance moves the component when the
    maintenance ends (:func:`apply_down_checks`).
    """
    component = Component.objects.select_for_update().get(pk=check.component_id)
    current = component.status
    worst = _worst_outage_status(component.pk)

    if new_state == CheckState.DOWN:
        if current == ComponentStatus.UNDER_MAINTENANCE or worst is None:
            return component, None
        if _SEVERITY[worst] > _SEVERITY.get(current, 0):
            return component, worst
        return component, None

    if current != check.outage_status:
        return component, None
    target = worst or ComponentStatus.OPERATIONAL
    if _SEVERITY[target] < _SEVERITY[current]:
        return component, target
    return component, None


def in_maintenance(check: Check) -> bool:
    """Return whether the check's component is under maintenance now.

    It is when a running maintenance covers the component, or when an
    editor set the component to under maintenance by hand.
    """
    if check.component_id is None:
        return False
    covered = Maintenance.objects.active().filter(components=check.component_id)
    if covered.exists():
        return True
    return Component.objects.filter(
        pk=check.component_id, status=ComponentStatus.UNDER_MAINTENANCE
    ).exists()


def _apply_state_change(
    check: Check,
    old_state: str,
    new_state: str,
    reason: str,
    moves_component: bool,
    maintenance: bool = False,
) -> None:
    """Move the linked component, and open or resolve the check's incident.

    When the check opens or resolves an incident, the incident's update
    carries the component's new status, so the move is announced once, as
    the incident's, and not a second time as the check's. While the
    component is under maintenance (``maintenance``), going down opens no
    incident; :func:`apply_down_checks` catches up when the work ends.
    """
    component, target = None, None
    if check.component_id is not None and moves_component:
        component, target = _component_target(check, new_state)

    if new_state == CheckState.DOWN and maintenance:
        moved_by_incident = False
    elif new_state == CheckState.DOWN:
        moved_by_incident = open_check_incident(check, component, target, reason)
    elif old_state == CheckState.DOWN:
        moved_by_incident = resolve_check_incident(check, component, target, reason)
    else:
        moved_by_incident = False

    if target is not None and not moved_by_incident:
        set_component_status(
            component, target, source=f"check:{check.pk}", reason=reason
        )


def _quorum_state(check: Check, rows: list[CheckRegion]) -> str:
    """Return the check's state from the confirmed states of its regions.

    The check is down when at least ``region_quorum`` regions are down (a
    majority when empty). Otherwise it is up when one or more regions are
    up, degraded when none is up but one or more are degraded, and else
    keeps its state.
    """
    quorum = check.region_quorum or len(rows) // 2 + 1
    down = sum(row.state == CheckState.DOWN for row in rows)
    if down >= quorum:
        return CheckState.DOWN
    if any(row.state == CheckState.UP for row in rows):
        return CheckState.UP
    if any(row.state == CheckState.DEGRADED for row in rows):
        return CheckState.DEGRADED
    return check.state


def _apply_region_result(
    check: Check, region: str, outcome: Outcome, checked_at: datetime
) -> str:
    """Update the region's counters and return the check's new state."""
    rows = list(check.region_rows.all())
    row = next((row for row in rows if row.region == region), None)
    if row is None:
        # The region was removed from the check while this run was in flight.
        return check.state

    row.state, row.consecutive_failures, row.consecutive_successes = _next_state(
        row, outcome, check
    )
    row.last_run_at = checked_at
    row.save(
        update_fields=[
            "state",
            "consecutive_failures",
            "consecutive_successes",
            "last_run_at",
        ]
    )
    return _quorum_state(check, rows)


def _track_flapping(check: Check, changed: bool, now: datetime) -> str | None:
    """Record a state change and return "started", "ended" or ``None``.

    A check is flapping once it has changed state more than
    ``flap_threshold`` times within ``flap_window`` seconds. It settles at
    the first result recorded after ``flap_window`` seconds without a change.
    """
    settings = get_settings()
    since = now - timedelta(seconds=settings.flap_window)
    changes = [
        moment
        for moment in map(datetime.fromisoformat, check.recent_state_changes)
        if moment > since
    ]
    if changed:
        changes.append(now)
    # Only the latest threshold + 1 changes can decide flapping.
    latest = changes[-(settings.flap_threshold + 1) :]
    check.recent_state_changes = [moment.isoformat() for moment in latest]

    if check.flapping_since is None and len(changes) > settings.flap_threshold:
        check.flapping_since = now
        return "started"
    if check.flapping_since is not None and not changes:
        check.flapping_since = None
        return "ended"
    return None


def _emit_flapping(check: Check, flap: str | None) -> None:
    if flap is None:
        return
    payload = {
        "check_id": check.pk,
        "check_name": check.name,
        "state": check.state,
        "in_maintenance": in_maintenance(check),
    }
    if flap == "started":
        logger.warning("Check %s is flapping", check.pk)
        emit(EventKind.CHECK_FLAPPING, check.page, payload)
    elif flap == "ended":
        logger.info("Check %s stopped flapping; state %s", check.pk, check.state)
        emit(EventKind.CHECK_FLAPPING_ENDED, check.page, payload)


def _announce_state(
    check: Check,
    old_state: str,
    outcome: Outcome,
    result: CheckResult,
    ends_flapping: bool = False,
) -> None:
    """Emit ``check.state_changed``, move the linked component, and open or
    resolve the check's incident.

    ``ends_flapping`` marks the change announced together with
    ``check.flapping_ended``, whose summary already names the state, so
    alert channels do not receive it twice. ``in_maintenance`` marks a
    change while the component is under maintenance, which alert channels
    do not receive either.
    """
    new_state = check.state
    maintenance = in_maintenance(check)
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
            "ends_flapping": ends_flapping,
            "in_maintenance": maintenance,
        },
    )
    # A degraded check counts as up for the component, so reaching
    # degraded moves the component only when it ends an outage.
    moves_component = new_state != CheckState.DEGRADED or old_state == CheckState.DOWN
    _apply_state_change(
        check, old_state, new_state, outcome.reason, moves_component, maintenance
    )


def apply_down_checks(component: Component) -> None:
    """Apply the checks still down on a component whose maintenance ended.

    While a component is under maintenance its down checks neither move it
    nor open incidents. When the work ends and the component has its
    earlier status back, this moves it to the most severe outage status of
    its down checks and opens the incident of each such check that opens
    incidents and has none open. A flapping check is left out, as it is
    when it goes down. Call it inside the transaction that released the
    component.
    """
    component = Component.objects.select_for_update().get(pk=component.pk)
    if component.status == ComponentStatus.UNDER_MAINTENANCE:
        return
    down = list(
        Check.objects.filter(
            component=component,
            enabled=True,
            state=CheckState.DOWN,
            flapping_since__isnull=True,
        )
        .select_related("page", "auto_incident")
        .order_by("pk")
    )
    if not down:
        return

    worst = _worst_outage_status(component.pk)
    target = None
    if worst is not None and _SEVERITY[worst] > _SEVERITY.get(component.status, 0):
        target = worst
    for check in down:
        reason = (
            CheckResult.objects.filter(uptime_check=check)
            .order_by("-checked_at")
            .values_list("reason", flat=True)
            .first()
            or ""
        )
        if open_check_incident(check, component, target, reason):
            target = None
    if target is not None:
        set_component_status(
            component, target, source=f"check:{down[0].pk}", reason="still down"
        )
    logger.info(
        "Component %s: %s checks still down after maintenance",
        component.pk,
        len(down),
    )


def new_result_row(
    check_id: int, outcome: Outcome, checked_at: datetime, region: str = ""
) -> CheckResult:
    """Build the unsaved result row that ``record_result`` stores for ``outcome``."""
    return CheckResult(
        uptime_check_id=check_id,
        checked_at=checked_at,
        status=outcome.status,
        response_time_ms=outcome.response_time_ms,
        reason=outcome.reason[:MAX_REASON_LENGTH],
        details=outcome.details,
        region=region,
    )


def _count_result(check: Check, outcome: Outcome, checked_at: datetime) -> None:
    """Set the check's fields that every result updates, whatever its state."""
    check.last_run_at = checked_at
    check.last_response_time_ms = outcome.response_time_ms
    check.result_counts[outcome.status] = check.result_counts.get(outcome.status, 0) + 1


@transaction.atomic
def record_result(
    check_id: int, outcome: Outcome, checked_at: datetime, region: str = ""
) -> CheckResult:
    """Store one result and apply the check's confirmation rule.

    ``checked_at`` is when the run started, kept as measured however late
    the result is written. ``region`` names the region that ran a check
    with regions; its result counts towards the region quorum.

    When the confirmed state changes, the linked component's status and a
    ``check.state_changed`` event are written in this same transaction.
    The check row is locked, so two workers recording for the same check
    apply their results one after the other.
    """
    # The result row is written before the check row is locked. While the
    # results table is locked, this insert waits without holding a row
    # lock, so the monitor's claims, which update check rows, go on.
    result = new_result_row(check_id, outcome, checked_at, region)
    result.save(force_insert=True)
    check = Check.objects.select_for_update().get(pk=check_id)
    remind_of_expiry(check, outcome.details, checked_at)

    old_state = check.state
    if region:
        new_state = _apply_region_result(check, region, outcome, checked_at)
    else:
        new_state, failures, successes = _next_state(check, outcome)
        check.consecutive_failures = failures
        check.consecutive_successes = successes
    _count_result(check, outcome, checked_at)
    check.state = new_state
    changed = new_state != old_state
    if changed:
        check.state_changed_at = checked_at
    counted = changed and old_state != CheckState.UNKNOWN
    flap = _track_flapping(check, counted, checked_at)

    # While a check is flapping its state changes are stored but neither
    # announced nor applied to its component, so it sends one
    # check.flapping event instead of a storm of state changes. When it
    # settles, a state that differs from the last announced one is
    # announced then.
    announced_state = check.announced_state
    announce = check.flapping_since is None and check.state != announced_state
    if announce:
        check.announced_state = check.state
    check.save(
        update_fields=[
            "consecutive_failures",
            "consecutive_successes",
            "last_run_at",
            "last_response_time_ms",
            "result_counts",
            "state",
            "state_changed_at",
            "announced_state",
            "recent_state_changes",
            "flapping_since",
            "updated_at",
        ]
    )

    _emit_flapping(check, flap)
    if announce:
        _announce_state(
            check, announced_state, outcome, result, ends_flapping=flap == "ended"
        )
    return result


# The check fields that a result taking the bulk path changes. ``updated_at``
# is set by the caller, as ``save()`` would.
BULK_UPDATE_FIELDS = (
    "consecutive_failures",
    "consecutive_successes",
    "last_run_at",
    "last_response_time_ms",
    "result_counts",
    "updated_at",
)
# The check fields that can_record_in_bulk and apply_bulk_result read, for
# callers that load checks with only().
BULK_DECISION_FIELDS = (
    "id",
    "state",
    "announced_state",
    "flapping_since",
    "recent_state_changes",
    "regions",
    "failure_threshold",
    "recovery_threshold",
    "consecutive_failures",
    "consecutive_successes",
    "result_counts",
)


def can_record_in_bulk(check: Check, outcome: Outcome, region: str = "") -> bool:
    """Return whether a result may be recorded without ``record_result``.

    The contract: when this returns True, ``record_result`` for the same
    check row and inputs would store ``new_result_row(...)`` and change the
    check's ``BULK_UPDATE_FIELDS`` exactly as ``apply_bulk_result`` does.
    It would emit no event, move no component, open or resolve no
    incident, send no certificate reminder and write no region row. The
    state, ``state_changed_at``, ``announced_state``,
    ``recent_state_changes`` and ``flapping_since`` stay as they are.

    That holds for an up result on an up check, or a degraded result on a
    degraded check, when all of these are true:

    - no region ran it and the check has no regions, so no quorum applies;
    - the outcome is not ``confirmed``, as heartbeat outcomes are;
    - the details have no certificate facts for ``remind_of_expiry``;
    - the last announced state is the current state;
    - the check is not flapping and has no recent state changes, so
      ``_track_flapping`` has nothing to prune, start or end.

    Down results never qualify, because each moves the check towards its
    failure threshold. ``check`` must be locked, as ``record_result`` locks
    it, so that the decision still holds when the caller writes.
    """
    return (
        not region
        and not check.regions
        and not outcome.confirmed
        and outcome.status in (ResultStatus.UP, ResultStatus.DEGRADED)
        and check.state == outcome.status
        and check.announced_state == check.state
        and check.flapping_since is None
        and not check.recent_state_changes
        and not has_certificate_facts(outcome.details)
    )


def apply_bulk_result(check: Check, outcome: Outcome, checked_at: datetime) -> None:
    """Update ``check`` in memory as ``record_result`` would for ``outcome``.

    Only for a result that ``can_record_in_bulk`` accepted. The caller saves
    ``BULK_UPDATE_FIELDS`` and stores the row from ``new_result_row``.
    Raises ``ValueError`` when the result would change the check's state.
    """
    state, failures, successes = _next_state(check, outcome)
    if state != check.state:
        raise ValueError(
            f"A {outcome.status} result would move check {check.pk} from "
            f"{check.state} to {state}; record it with record_result."
        )
    check.consecutive_failures = failures
    check.consecutive_successes = successes
    _count_result(check, outcome, checked_at)


def claim_due_checks(
    now: datetime,
    limit: int,
    check_ids: list[int] | None = None,
    exclude_ids: Iterable[int] = (),
    region: str | None = None,
) -> list[Check]:
    """Claim up to ``limit`` enabled checks that are due at ``now``.

    ``region`` selects the checks assigned to that region; without it only
    checks with no region are claimed. ``check_ids`` limits the claim to
    those checks; ``exclude_ids`` leaves out checks the caller is still
    running, which stay due. Each returned check carries ``due_at``, the
    slot it was claimed for, and ``region``.

    Claiming moves the slot one interval ahead with an update conditional
    on its old value, so two monitor processes never run the same check for
    the same slot. The next slot counts from the scheduled time, not from
    ``now``, so a slow loop does not drift the schedule. A check more than
    one interval late skips to its first slot after ``now``. All claims of
    one call commit in one transaction.
    """
    if region is None:
        due = Check.objects.filter(enabled=True, next_run_at__lte=now)
        id_field = "pk"
    else:
        due = CheckRegion.objects.filter(
            region=region, next_run_at__lte=now, uptime_check__enabled=True
        ).select_related("uptime_check")
        id_field = "uptime_check_id"
    if check_ids is not None:
        due = due.filter(**{f"{id_field}__in": check_ids})
    excluded = list(exclude_ids)
    if excluded:
        due = due.exclude(**{f"{id_field}__in": excluded})

    claimed = []
    with transaction.atomic():
        for row in due.order_by("next_run_at", id_field)[:limit]:
            check = row if region is None else row.uptime_check
            if _claim_slot(row, check, now):
                check.due_at = row.due_at
                check.region = region or ""
                claimed.append(check)
    return claimed


def _claim_slot(row: Check | CheckRegion, check: Check, now: datetime) -> bool:
    """Move ``row`` to its next slot unless another claimer already did.

    ``row`` is the check itself or one of its regions.
    """
    next_run_at = row.next_run_at + timedelta(seconds=check.interval_seconds)
    if next_run_at <= now:
        next_run_at = next_slot_after(check.pk, check.interval_seconds, now)

    won = _move_slot(row, next_run_at)
    if won:
        row.due_at = row.next_run_at
        row.next_run_at = next_run_at
    return won


def _move_slot(row: Check | CheckRegion, next_run_at: datetime) -> bool:
    """Set ``row``'s ``next_run_at`` in the database if it still has the
    value read, and return whether it did.

    Conditional on the slot we read: a claimer that read the same slot and
    updated first makes this update match no row. The statement is written
    out because compiling ``QuerySet.update()`` anew for every claimed
    check took about 0.17 ms of CPU per check, two thirds of the claim, on
    SQLite on the 2-vCPU development machine. Values are converted by the
    field, as the ORM converts them.
    """
    meta = type(row)._meta
    field = meta.get_field("next_run_at")
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(field.column)} = %s "
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(field.column)} = %s"
    )
    params = [
        field.get_db_prep_save(next_run_at, connection),
        row.pk,
        field.get_db_prep_value(row.next_run_at, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
