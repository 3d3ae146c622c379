"""Create the first admin user, once."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a superuser from ADMIN_USERNAME and ADMIN_PASSWORD, or with a "
        "generated password printed once. Does nothing if the user exists."
    )

    def handle(self, *args, **options) -> None:
        username = os.environ.get("ADMIN_USERNAME", "admin").strip() or "admin"
        password = os.environ.get("ADMIN_PASSWORD", "")
        users = get_user_model()

        if users.objects.filter(username=username).exists():
            self.stdout.write(f"Admin user {username!r} already exists.")
            return

        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(
                "ADMIN_PASSWORD is invalid: " + " ".join(error.messages)
            ) from None

        users.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created admin user {username!r} with password {password} "
                    "(shown once; set ADMIN_PASSWORD to choose it)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Created admin user {username!r}."))
