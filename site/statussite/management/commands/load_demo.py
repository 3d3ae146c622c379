"""Load the demo status page; safe to run again."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from statuscore.exceptions import ValidationFailed
from statussite.demo import load_demo
from statussite.env import env_int


class Command(BaseCommand):
    help = (
        "Create or update the demo page, which checks this site's /healthz, "
        "the database and Redis ports when in use, and STATUS_DEMO_URLS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("PORT", 8000, minimum=1, maximum=65535),
            help="Port the web server listens on (default: PORT or 8000).",
        )

    def handle(self, *args, port: int, **options) -> None:
        try:
            page = load_demo(
                port,
                settings.DATABASES["default"],
                settings.REDIS_URL,
                settings.STATUS_DEMO_URLS,
            )
        except ValidationFailed as error:
            raise CommandError(str(error)) from None

        checks = page.checks.count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo page {page.name!r} ready with {checks} checks.")
        )
