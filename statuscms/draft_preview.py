"""The preview of an incident draft, as visitors of the public page will see it."""

from __future__ import annotations

from django.utils import timezone

from statuscms.drafts import DraftKind, IncidentDraft
from statuscore.markup import render_markdown
from statuscore.models import IncidentImpact, IncidentStatus
from statuscore.summary import page_zone

__all__ = ["preview_context"]


def preview_context(draft: IncidentDraft) -> dict:
    """Build the template context of a draft's preview.

    The preview reads the draft's unsaved form values, so it uses only the
    draft's fields and the incident as it is now, and writes nothing.
    """
    incident = draft.incident if draft.incident_id else None
    if draft.kind == DraftKind.INCIDENT or incident is None:
        name = draft.title
        impact = draft.impact
    else:
        name = incident.name
        impact = draft.impact or incident.impact

    return {
        "page": getattr(draft.page, "cms_page", None),
        "draft": draft,
        "incident": incident,
        "incident_name": name,
        "impact_label": IncidentImpact(impact).label if impact else "",
        "status_label": IncidentStatus(draft.status).label,
        "components": list(draft.components.all()),
        "body_html": render_markdown(draft.body),
        "earlier_updates": list(incident.updates.all()) if incident else [],
        "now": timezone.now(),
        "time_zone": page_zone(draft.page).key,
    }
