"""``manage.py sync_roles``: rebuild every organisation's admin groups."""

from django.core.management.base import BaseCommand

from statuscms.roles import sync_all


class Command(BaseCommand):
    help = (
        "Create or update the Wagtail group of each role in each organisation: "
        "its permissions, its page permissions and its members. Safe to run "
        "at any time; it changes only what differs from the memberships."
    )

    def handle(self, *args, **options) -> None:
        count = sync_all()
        self.stdout.write(f"Role groups of {count} organisations synchronised.")
