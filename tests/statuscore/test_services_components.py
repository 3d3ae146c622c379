"""Component services: group edits and the default position of components."""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import ComponentGroup


def test_group_update_changes_fields(page):
    group = services.create_component_group(page, "Core")

    services.update_component_group(
        group, name="Platform", description="APIs", position=3
    )

    group.refresh_from_db()
    assert group.name == "Platform"
    assert group.description == "APIs"
    assert group.position == 3


def test_group_update_empty_name_rejected(page):
    group = services.create_component_group(page, "Core")

    with pytest.raises(ValidationFailed) as raised:
        services.update_component_group(group, name="")

    assert "name" in raised.value.errors
    assert ComponentGroup.objects.get(pk=group.pk).name == "Core"


def test_group_update_page_not_editable(page, organization):
    other = services.create_page(organization, "Other", "other")
    group = services.create_component_group(page, "Core")

    with pytest.raises(ValidationFailed) as raised:
        services.update_component_group(group, page=other)

    assert list(raised.value.errors) == ["page"]
    assert ComponentGroup.objects.get(pk=group.pk).page_id == page.pk


def test_component_position_defaults_to_end(page):
    first = services.create_component(page, "API")
    second = services.create_component(page, "Web")

    assert first.position == 0
    assert second.position == 1


def test_component_position_counts_per_group(page):
    group = services.create_component_group(page, "Core")
    services.create_component(page, "API", position=5)
    services.create_component(page, "Web", group=group, position=2)

    ungrouped = services.create_component(page, "Docs")
    grouped = services.create_component(page, "Search", group=group)

    assert ungrouped.position == 6
    assert grouped.position == 3


def test_component_explicit_position_kept(page):
    services.create_component(page, "API")

    component = services.create_component(page, "Web", position=0)

    assert component.position == 0


def test_group_position_defaults_to_end(page):
    services.create_component_group(page, "Core", position=4)

    group = services.create_component_group(page, "Extras")

    assert group.position == 5
