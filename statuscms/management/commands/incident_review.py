"""Turn the review step for an organisation's incident drafts on or off."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from statuscms.incident_review import disable_incident_review, enable_incident_review
from statuscore.models import Organization


class Command(BaseCommand):
    help = (
        "Make incident drafts of an organisation wait for approval by a member "
        "of the given groups before they are published, or with --off, stop."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", help="Slug of the organisation.")
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            dest="groups",
            help="Name of a group whose members approve drafts; repeat for more.",
        )
        parser.add_argument(
            "--off", action="store_true", help="Turn the review step off."
        )

    def handle(self, *args, organization: str, groups: list[str], off: bool, **opts):
        try:
            org = Organization.objects.get(slug=organization)
        except Organization.DoesNotExist:
            raise CommandError(
                f"Organisation {organization!r} not found; give its slug."
            ) from None

        if off:
            if disable_incident_review(org):
                self.stdout.write(f"Incident review turned off for {org}.")
            else:
                self.stdout.write(f"Incident review was already off for {org}.")
            return

        if not groups:
            raise CommandError("Name the approving group with --group NAME.")
        found = list(Group.objects.filter(name__in=groups))
        missing = sorted(set(groups) - {group.name for group in found})
        if missing:
            raise CommandError(f"Group not found: {', '.join(missing)}.")

        workflow = enable_incident_review(org, found)
        names = ", ".join(sorted(group.name for group in found))
        self.stdout.write(
            f"Incident review turned on for {org}: workflow {workflow.name!r}, "
            f"approved by {names}."
        )
