"""The overall indicator and sentence, as a table of cases.

Single causes are spelled out row by row. Combinations are checked over the
whole product of component status, open incident impact and maintenance,
against the precedence written in the module's documentation.
"""

import itertools

import pytest

from statuscore.status import compute_page_status

COMPONENT_ROWS = [
    ("operational", "none", "All Systems Operational"),
    ("degraded_performance", "minor", "Partially Degraded Service"),
    ("partial_outage", "major", "Partial System Outage"),
    ("major_outage", "critical", "Major System Outage"),
    ("under_maintenance", "maintenance", "Service Under Maintenance"),
]
INCIDENT_ROWS = [
    ("none", "none", "All Systems Operational"),
    ("minor", "minor", "Minor Service Outage"),
    ("major", "major", "Partial System Outage"),
    ("critical", "critical", "Major System Outage"),
]
PRECEDENCE = ["none", "maintenance", "minor", "major", "critical"]


@pytest.mark.parametrize(("status", "indicator", "description"), COMPONENT_ROWS)
def test_one_component_status(status, indicator, description):
    result = compute_page_status([status, "operational"], [], False)

    assert result.indicator == indicator
    assert result.description == description


@pytest.mark.parametrize(("impact", "indicator", "description"), INCIDENT_ROWS)
def test_one_open_incident(impact, indicator, description):
    result = compute_page_status(["operational"], [impact], False)

    assert result.indicator == indicator
    assert result.description == description


def test_maintenance_alone():
    result = compute_page_status(["operational"], [], True)

    assert result.indicator == "maintenance"
    assert result.description == "Service Under Maintenance"


def test_empty_page_is_operational():
    result = compute_page_status([], [], False)

    assert result.indicator == "none"
    assert result.description == "All Systems Operational"


COMPONENT_INDICATOR = {status: indicator for status, indicator, _ in COMPONENT_ROWS}
INCIDENT_INDICATOR = {impact: indicator for impact, indicator, _ in INCIDENT_ROWS}
SENTENCE = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
ALL_COMBINATIONS = list(
    itertools.product(
        [row[0] for row in COMPONENT_ROWS],
        [None] + [row[0] for row in INCIDENT_ROWS],
        [False, True],
    )
)


@pytest.mark.parametrize(("status", "impact", "maintenance"), ALL_COMBINATIONS)
def test_combination_most_severe_wins(status, impact, maintenance):
    causes = [COMPONENT_INDICATOR[status]]
    if impact is not None:
        causes.append(INCIDENT_INDICATOR[impact])
    if maintenance:
        causes.append("maintenance")
    expected = max(causes, key=PRECEDENCE.index)
    degraded_only = expected == "minor" and impact != "minor"

    result = compute_page_status([status], [impact] if impact else [], maintenance)

    assert result.indicator == expected
    if degraded_only:
        assert result.description == "Partially Degraded Service"
    else:
        assert result.description == SENTENCE[expected]


def test_outage_outranks_maintenance():
    result = compute_page_status(["under_maintenance", "major_outage"], [], True)

    assert result.indicator == "critical"


def test_minor_incident_beats_degraded_sentence():
    result = compute_page_status(["degraded_performance"], ["minor"], False)

    assert result.description == "Minor Service Outage"


def test_several_incidents_take_the_worst():
    result = compute_page_status(["operational"], ["minor", "critical", "none"], False)

    assert result.indicator == "critical"


@pytest.mark.parametrize(
    ("statuses", "impacts"),
    [(["broken"], []), (["operational"], ["catastrophic"])],
)
def test_unknown_value_raises(statuses, impacts):
    with pytest.raises(ValueError, match="Unknown component status or incident impact"):
        compute_page_status(statuses, impacts, False)
