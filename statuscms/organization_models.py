"""Models that tie Wagtail's users, groups and log entries to organisations."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from wagtail.models.audit_log import (
    BaseLogEntry,
    BaseLogEntryManager,
    LogEntryQuerySet,
)

from statuscore.models import Organization, Role


class OrganizationGroup(models.Model):
    """The Wagtail group that carries one role in one organisation.

    ``statuscms.roles`` creates these rows and keeps the group's name,
    permissions and members in step with the organisation's memberships.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="admin_groups"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="organization_role"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "role"], name="unique_organization_role_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.role}"


class OrganizationLogEntryQuerySet(LogEntryQuerySet):
    def viewable_by_user(self, user):
        """Return the entries of the organisations where ``user`` is an owner
        or an editor; every entry for a superuser.

        Viewers see no entries, because the log names objects and people
        that their read-only screens do not show.
        """
        from statuscms.scope import writable_organizations

        if user.is_superuser:
            return self.all()
        return self.filter(organization__in=writable_organizations(user).values("pk"))


class OrganizationLogEntryManager(BaseLogEntryManager):
    def get_queryset(self):
        return OrganizationLogEntryQuerySet(self.model, using=self._db)

    def viewable_by_user(self, user):
        return self.get_queryset().viewable_by_user(user)

    def log_action(self, instance, action, **kwargs):
        """Write an entry with the object's id and its organisation."""
        from statuscms.scope import organization_id_of

        kwargs.update(
            object_id=str(instance.pk),
            organization_id=organization_id_of(instance),
        )
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        content_type = ContentType.objects.get_for_model(
            instance, for_concrete_model=False
        )
        return self.filter(content_type=content_type, object_id=str(instance.pk))


class OrganizationLogEntry(BaseLogEntry):
    """A Wagtail log entry for an object that belongs to an organisation.

    Wagtail's own ``ModelLogEntry`` is visible to anyone with a permission
    on the object's model, whichever organisation the object belongs to.
    This entry stores the organisation, so the site history report and
    each object's history show it only to that organisation's owners and
    editors.
    """

    object_id = models.CharField(max_length=255, db_index=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OrganizationLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = "organisation log entry"
        verbose_name_plural = "organisation log entries"
        indexes = [
            *BaseLogEntry.Meta.indexes,
            models.Index(fields=["organization", "-timestamp"]),
        ]

    def __str__(self) -> str:
        return (
            f"OrganizationLogEntry {self.pk}: {self.action!r} on "
            f"{self.object_verbose_name} {self.object_id}"
        )
