"""The page's overall indicator and sentence, as a pure function.

The indicator uses the values of Atlassian Statuspage's v2 ``status``
object: ``none``, ``minor``, ``major``, ``critical`` and ``maintenance``.
Each input contributes one indicator and the most severe one wins, in the
order ``none < maintenance < minor < major < critical``: an outage is news
even during planned work.

=============================  ===========
input                          indicator
=============================  ===========
component degraded_performance minor
component partial_outage       major
component major_outage         critical
component under_maintenance    maintenance
open incident, impact X        X (none, minor, major or critical)
maintenance in progress        maintenance
=============================  ===========

The sentence follows the indicator: "All Systems Operational",
"Service Under Maintenance", "Minor Service Outage", "Partial System
Outage" and "Major System Outage". One exception: when the only cause of
``minor`` is degraded components, the sentence is "Partially Degraded
Service", since nothing is down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["INDICATOR_ORDER", "PageStatus", "compute_page_status"]

INDICATOR_ORDER = ("none", "maintenance", "minor", "major", "critical")

COMPONENT_INDICATORS = {
    "operational": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
    "under_maintenance": "maintenance",
}
IMPACT_INDICATORS = {
    "none": "none",
    "minor": "minor",
    "major": "major",
    "critical": "critical",
}
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
DEGRADED_DESCRIPTION = "Partially Degraded Service"


@dataclass(frozen=True)
class PageStatus:
    indicator: str
    description: str


def _most_severe(indicators: Iterable[str]) -> str:
    return max(indicators, key=INDICATOR_ORDER.index, default="none")


def compute_page_status(
    component_statuses: Iterable[str],
    open_incident_impacts: Iterable[str],
    maintenance_in_progress: bool,
) -> PageStatus:
    """Return the page's indicator and sentence.

    ``component_statuses`` are the statuses of the page's components,
    ``open_incident_impacts`` the impacts of its unresolved incidents.
    Raises ``ValueError`` on a status or impact outside the v2 vocabulary.
    """
    try:
        from_components = [COMPONENT_INDICATORS[s] for s in component_statuses]
        from_incidents = [IMPACT_INDICATORS[i] for i in open_incident_impacts]
    except KeyError as error:
        raise ValueError(
            f"Unknown component status or incident impact: {error.args[0]!r}"
        ) from None

    from_maintenance = ["maintenance"] if maintenance_in_progress else []
    indicator = _most_severe(from_components + from_incidents + from_maintenance)

    # Components contribute "minor" only when degraded, so a "minor" that no
    # incident raised means nothing is down.
    degraded_only = indicator == "minor" and "minor" not in from_incidents
    description = DEGRADED_DESCRIPTION if degraded_only else DESCRIPTIONS[indicator]
    return PageStatus(indicator=indicator, description=description)
