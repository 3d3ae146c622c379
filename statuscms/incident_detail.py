"""Read one public incident with everything its own page shows."""

from __future__ import annotations

from dataclasses import dataclass

from statuscms.overview import public_incidents, with_timeline
from statuscms.postmortems import IncidentPostmortem
from statuscore.models import Incident, Page
from statuscore.summary import page_zone

__all__ = ["IncidentDetail", "load_incident_detail"]


@dataclass(frozen=True)
class IncidentDetail:
    """A public incident, with ``timeline`` and components, and its postmortem.

    ``postmortem`` is the incident's postmortem page when it is live, else
    None: a draft or unpublished postmortem is not shown to visitors.
    """

    incident: Incident
    postmortem: IncidentPostmortem | None
    time_zone: str


def load_incident_detail(page: Page, incident_id: int) -> IncidentDetail | None:
    """Return the incident ``incident_id`` of ``page``, or None.

    None also covers an incident of another page and one that is not
    public yet, so a visitor cannot tell them from a missing one.
    """
    incident = with_timeline(public_incidents(page)).filter(pk=incident_id).first()
    if incident is None:
        return None

    postmortem = IncidentPostmortem.objects.live().filter(incident=incident).first()
    return IncidentDetail(
        incident=incident,
        postmortem=postmortem,
        time_zone=page_zone(page).key,
    )
