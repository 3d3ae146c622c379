"""The data migration that moves existing log entries to OrganizationLogEntry.

The migration's function runs here on the current models, inside the
test's transaction: migrating the schema back and forth would need a
transactional test, whose flush removes the rows Wagtail's own
migrations create for the tests that follow.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from statuscms.organization_models import OrganizationLogEntry
from statuscore import services
from statuscore.models import Component

migration = importlib.import_module(
    "statuscms.migrations.0004_organization_groups_and_log"
)


def old_entry(instance, label: str) -> ModelLogEntry:
    return ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        label=label,
        action="wagtail.edit",
        timestamp=timezone.now(),
        object_id=str(instance.pk),
    )


def test_migration_moves_entries_with_organisation(organization, page):
    component = services.create_component(page, "API")
    old_entry(component, "API")

    migration.move_log_entries(apps, None)

    moved = OrganizationLogEntry.objects.get()
    assert moved.organization_id == organization.pk
    assert moved.object_id == str(component.pk)
    assert moved.label == "API"
    assert moved.action == "wagtail.edit"
    assert not ModelLogEntry.objects.filter(
        content_type__app_label="statuscore"
    ).exists()


def test_migration_keeps_entry_of_deleted_object(organization, page):
    component = services.create_component(page, "API")
    entry = old_entry(component, "API")
    Component.objects.filter(pk=component.pk).delete()

    migration.move_log_entries(apps, None)

    moved = OrganizationLogEntry.objects.get()
    assert moved.organization_id is None
    assert moved.object_id == entry.object_id


def test_migration_leaves_other_apps_entries(organization, superuser):
    old_entry(superuser, "editor")

    migration.move_log_entries(apps, None)

    assert ModelLogEntry.objects.filter(label="editor").exists()
    assert not OrganizationLogEntry.objects.exists()
