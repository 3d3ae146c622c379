"""The demo page that ``make run`` loads: real checks on this machine.

Loading is idempotent. Objects are found by their slug or name, so running
it twice creates nothing twice. A check whose target changed, because of
another ``PORT``, is updated in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Check,
    Component,
    ComponentGroup,
    IncidentImpact,
    IncidentStatus,
    Organization,
    Page,
)

logger = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DEMO_INTERVAL_SECONDS = 10
DEMO_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class DemoTarget:
    """One thing the demo watches: a component in a group, and its check."""

    group: str
    component: str
    checker: str
    config: dict


def demo_targets(
    port: int,
    database: dict,
    redis_url: str | None,
    extra_urls: list[str],
) -> list[DemoTarget]:
    """List what to watch: the site's own /healthz, public API and admin
    login, the database and Redis ports when they are in use, and each
    extra URL.

    Raises ``ValidationFailed`` naming ``STATUS_DEMO_URLS`` for a URL that
    is not http or https.
    """
    site = f"http://127.0.0.1:{port}"
    targets = [
        DemoTarget("Website", "Status site", "http", {"url": f"{site}/healthz"}),
        DemoTarget(
            "Website",
            "Public API",
            "http",
            {"url": f"{site}/api/v2/status.json?page={DEMO_SLUG}"},
        ),
        DemoTarget("Website", "Admin", "http", {"url": f"{site}/admin/login/"}),
    ]

    if database["ENGINE"] == "django.db.backends.postgresql":
        host = database.get("HOST") or "127.0.0.1"
        if not host.startswith("/"):
            targets.append(
                DemoTarget(
                    "Infrastructure",
                    "PostgreSQL",
                    "tcp",
                    {"host": host, "port": int(database.get("PORT") or 5432)},
                )
            )

    if redis_url:
        parts = urlsplit(redis_url)
        if parts.scheme in ("redis", "rediss") and parts.hostname:
            targets.append(
                DemoTarget(
                    "Infrastructure",
                    "Redis",
                    "tcp",
                    {"host": parts.hostname, "port": parts.port or 6379},
                )
            )

    for url in extra_urls:
        parts = urlsplit(url)
        try:
            parts.port
        except ValueError:
            raise ValidationFailed.for_field(
                "STATUS_DEMO_URLS", f"{url!r} has an invalid port."
            ) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationFailed.for_field(
                "STATUS_DEMO_URLS", f"{url!r} is not an http or https URL."
            )
        label = (parts.netloc + parts.path).rstrip("/")[:200]
        targets.append(DemoTarget("Monitored URLs", label, "http", {"url": url}))
    return targets


def _organization() -> Organization:
    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    return existing or services.create_organization("Demo", DEMO_SLUG)


def _page(organization: Organization, base_url: str) -> Page:
    existing = Page.objects.filter(slug=DEMO_SLUG).first()
    return existing or services.create_page(
        organization, "Demo Status", DEMO_SLUG, url=base_url
    )


def _group(page: Page, name: str, position: int) -> ComponentGroup:
    existing = page.component_groups.filter(name=name).first()
    return existing or services.create_component_group(page, name, position=position)


def _component(
    page: Page, group: ComponentGroup, name: str, position: int
) -> Component:
    existing = page.components.filter(name=name).first()
    return existing or services.create_component(
        page, name, group=group, position=position
    )


def _check(page: Page, component: Component, target: DemoTarget) -> Check:
    existing = page.checks.filter(name=target.component).first()
    if existing is None:
        return services.create_check(
            page,
            target.component,
            target.checker,
            target.config,
            component=component,
            interval_seconds=DEMO_INTERVAL_SECONDS,
            timeout_seconds=DEMO_TIMEOUT_SECONDS,
        )
    if existing.config != services.checks.validate_check_config(
        target.checker, target.config
    ):
        return services.update_check(existing, config=target.config)
    return existing


def _past_incident(page: Page, component: Component) -> None:
    """Add one resolved incident, so the history is not empty."""
    name = "Elevated response times"
    if page.incidents.filter(name=name).exists():
        return

    # A past incident: it started two hours ago and was resolved half an
    # hour ago, with an update at each end of its timeline.
    started_at = timezone.now() - timedelta(hours=2)
    incident = services.create_incident(
        page,
        name,
        body="We are investigating slow responses from the status site.",
        impact=IncidentImpact.MINOR,
        started_at=started_at,
    )
    services.post_incident_update(
        incident,
        status=IncidentStatus.RESOLVED,
        body="A slow disk was replaced; response times are back to normal.",
        display_at=started_at + timedelta(minutes=90),
    )


@transaction.atomic
def load_demo(
    port: int, database: dict, redis_url: str | None, extra_urls: list[str]
) -> Page:
    """Create or update the demo organisation, page, components and checks."""
    base_url = f"http://127.0.0.1:{port}/"
    page = _page(_organization(), base_url)

    for position, target in enumerate(
        demo_targets(port, database, redis_url, extra_urls)
    ):
        group = _group(page, target.group, position)
        component = _component(page, group, target.component, position)
        _check(page, component, target)

    _past_incident(page, page.components.order_by("position").first())

    from statuscms.setup import ensure_status_page

    ensure_status_page(page, make_site_root=True)
    logger.info("Demo page %s loaded with %s checks", page.pk, page.checks.count())
    return page
