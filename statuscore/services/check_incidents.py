"""Incidents that a check opens when it goes down and resolves on recovery.

The incident title and bodies are templates in ``str.format`` syntax, such
as ``"{check} is down"``. Only the plain fields in ``TEMPLATE_FIELDS`` are
allowed: attribute access, indexing, conversions and format specs are
rejected when the check is saved, and rendering substitutes plain strings,
so a template can read nothing but these four values.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from string import Formatter

from django.utils import timezone

from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Check,
    Component,
    Incident,
    IncidentImpact,
    IncidentStatus,
)
from statuscore.services.incidents import create_incident, post_incident_update
from statuscore.services.validation import require_choice

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("check", "component", "reason", "since")
TEMPLATE_SETTINGS = ("incident_title", "incident_body", "resolve_body")
MAX_TITLE_LENGTH = Incident._meta.get_field("name").max_length


def _parse_template(field: str, template: str) -> list[tuple[str, str | None]]:
    """Split ``template`` into (literal text, placeholder name or None) pairs.

    Raises ``ValidationFailed`` naming ``field`` for malformed braces, an
    unknown name, or any attribute access, index, conversion or format spec.
    """
    allowed = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    try:
        parts = list(Formatter().parse(template))
    except ValueError as error:
        raise ValidationFailed.for_field(
            field, f"Invalid template: {error}. Write a literal brace as {{{{ or }}}}."
        ) from None

    pieces = []
    for literal, name, format_spec, conversion in parts:
        if name is None:
            pieces.append((literal, None))
            continue
        if name not in TEMPLATE_FIELDS or format_spec or conversion:
            placeholder = "{" + name
            if conversion:
                placeholder += "!" + conversion
            if format_spec:
                placeholder += ":" + format_spec
            placeholder += "}"
            raise ValidationFailed.for_field(
                field,
                f"The placeholder {placeholder} is not allowed. Use only {allowed}.",
            )
        pieces.append((literal, name))
    return pieces


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill a validated template with ``values``, which are used as plain text."""
    pieces = _parse_template("template", template)
    return "".join(literal + (values[name] if name else "") for literal, name in pieces)


def validate_incident_settings(check: Check) -> None:
    """Raise ``ValidationFailed`` for an invalid impact, template or component."""
    require_choice("incident_impact", check.incident_impact, IncidentImpact)
    for field in TEMPLATE_SETTINGS:
        _parse_template(field, getattr(check, field))
    if check.open_incident and check.component_id is None:
        raise ValidationFailed.for_field(
            "open_incident",
            "Only a check linked to a component can open incidents; "
            "choose a component.",
        )


def _render(check: Check, field: str, values: dict[str, str]) -> str:
    """Render one of the check's templates, or its default when that is blank.

    An empty ``{reason}`` can leave a template blank, and an incident needs
    a title and a message.
    """
    text = render_template(getattr(check, field), values).strip()
    if not text:
        default = Check._meta.get_field(field).get_default()
        text = render_template(default, values).strip()
    return text


def _values(check: Check, component: Component | None, reason: str, since) -> dict:
    return {
        "check": check.name,
        "component": component.name if component is not None else "",
        "reason": reason,
        "since": _format_time(since),
    }


def _format_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _not_after_now(moment: datetime | None) -> datetime | None:
    """Return ``moment``, or now if it lies later.

    A monitor on another machine may stamp results by a clock that runs
    ahead, and ``create_incident`` rejects a start in the future.
    """
    now = timezone.now()
    if moment is not None and moment > now:
        return now
    return moment


def open_check_incident(
    check: Check, component: Component | None, status: str | None, reason: str
) -> bool:
    """Open the check's incident on a confirmed outage; return True if opened.

    ``status`` is the component's new status, or ``None`` when the
    component keeps its status. Opens nothing when the check does not open
    incidents, has no component, or already has an incident still open.
    With ``incident_needs_approval`` the incident is opened non-public:
    alert channels hear of it at once, visitors and subscribers only after
    ``approve_incident``.
    """
    if not check.open_incident or component is None:
        return False
    if check.auto_incident_id is not None:
        if check.auto_incident.status != IncidentStatus.RESOLVED:
            return False

    values = _values(check, component, reason, check.state_changed_at)
    incident = create_incident(
        check.page,
        _render(check, "incident_title", values)[:MAX_TITLE_LENGTH],
        body=_render(check, "incident_body", values),
        impact=check.incident_impact,
        status=IncidentStatus.INVESTIGATING,
        component_statuses={component: status or component.status},
        started_at=_not_after_now(check.state_changed_at),
        is_public=not check.incident_needs_approval,
    )
    check.auto_incident = incident
    check.save(update_fields=["auto_incident", "updated_at"])
    logger.info("Check %s opened incident %s", check.pk, incident.pk)
    return True


def resolve_check_incident(
    check: Check, component: Component | None, status: str | None, reason: str
) -> bool:
    """Resolve the check's open incident on recovery; return True if resolved.

    ``status`` is the component's new status, or ``None`` when the
    component keeps its status. An incident an editor already resolved gets
    no update. Either way ``auto_incident`` is cleared.
    """
    if check.auto_incident_id is None:
        return False
    incident = Incident.objects.select_for_update().get(pk=check.auto_incident_id)
    check.auto_incident = None
    check.save(update_fields=["auto_incident", "updated_at"])
    if incident.status == IncidentStatus.RESOLVED:
        return False

    values = _values(check, component, reason, incident.started_at)
    component_statuses = {component: status} if component and status else {}
    post_incident_update(
        incident,
        status=IncidentStatus.RESOLVED,
        body=_render(check, "resolve_body", values),
        component_statuses=component_statuses,
    )
    logger.info("Check %s resolved incident %s", check.pk, incident.pk)
    return True
