"""A child process for the delivery kill test: seeds data or sends.

``python tests/e2e/notification_worker.py seed N`` creates a page with N
active email subscribers and opens one incident on it.
``python tests/e2e/notification_worker.py send`` runs
``manage.py send_notifications`` until it is killed.
"""

from __future__ import annotations

import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")
    import django

    django.setup()


def seed(count: int) -> None:
    from statuscore import services
    from statuscore.models import Subscriber, SubscriberState
    from statuscore.secrets import digest

    organization = services.create_organization("Kill test", "kill-test")
    page = services.create_page(organization, "Kill test", "kill-test")
    api = services.create_component(page, "API")
    Subscriber.objects.bulk_create(
        Subscriber(
            page=page,
            notifier="email",
            address=f"user{index}@example.test",
            address_key=digest(f"user{index}@example.test"),
            config={"to": f"user{index}@example.test"},
            state=SubscriberState.ACTIVE,
        )
        for index in range(count)
    )
    services.create_incident(
        page,
        "Errors",
        body="Looking into it.",
        component_statuses={api: "major_outage"},
    )


def send() -> None:
    from django.core.management import call_command

    call_command("send_notifications", poll=0.05)


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    else:
        send()
