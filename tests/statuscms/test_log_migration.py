"""The migration that moves existing log entries to OrganizationLogEntry."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("statuscms", "0001_initial")]
AFTER = [("statuscms", "0002_organization_groups_and_log")]


# serialized_rollback restores the rows Wagtail's own migrations create
# (the root page, the default site), which the flush after the test removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_moves_entries_with_organisation():
    from statuscore import services
    from statuscore.models import Component, Organization, Page

    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(organization=organization, name="Acme", slug="acme")
    component = services.create_component(page, "API")
    content_type = ContentType.objects.get_for_model(Component)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("wagtailcore", "ModelLogEntry").objects.create(
        content_type_id=content_type.pk,
        label="API",
        action="wagtail.edit",
        timestamp=timezone.now(),
        object_id=str(component.pk),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = new_apps.get_model("statuscms", "OrganizationLogEntry").objects.get()
    left = new_apps.get_model("wagtailcore", "ModelLogEntry").objects.filter(
        content_type_id=content_type.pk
    )
    assert moved.organization_id == organization.pk
    assert moved.object_id == str(component.pk)
    assert moved.label == "API"
    assert not left.exists()
