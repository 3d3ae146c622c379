from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuscms.models import DEFAULT_BRAND_COLOR, StatusPage
from statuscore import services
from statuscore.models import CheckResult, Maintenance
from statuscore.testing import fake_plugin, temporary_plugin

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def section(html: str, marker: str) -> str:
    """Return the HTML from ``marker`` to the first ``</section>`` after it."""
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def group_block(html: str, group) -> str:
    """Return the HTML of a component group's ``<details>`` element."""
    start = html.index(f'data-group-id="{group.pk}"')
    return html[start : html.index("</details>", start)]


def component_row(html: str, component) -> str:
    start = html.index(f'data-component-id="{component.pk}"')
    return html[start : html.index("</li>", start)]


def render(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def started_yesterday():
    return timezone.now() - timedelta(days=1)


def test_banner_all_operational(client, status_page, component):
    html = render(client)

    assert 'data-indicator="none"' in html
    assert "All Systems Operational" in html


def test_banner_major_outage(client, status_page, component):
    services.set_component_status(component, "major_outage", source="test")

    html = render(client)

    assert 'data-indicator="critical"' in html
    assert "Major System Outage" in html


def test_banner_maintenance(client, status_page, page):
    now = timezone.now()
    Maintenance.objects.create(
        page=page,
        name="Database upgrade",
        status="in_progress",
        scheduled_for=now - timedelta(hours=1),
        scheduled_until=now + timedelta(hours=1),
    )

    html = render(client)

    assert 'data-indicator="maintenance"' in html
    assert "Service Under Maintenance" in html


def test_page_shows_groups_and_components(client, status_page, page):
    group = services.create_component_group(page, "Core services")
    api = services.create_component(page, "Public API", group=group)
    web = services.create_component(
        page, "Dashboard", group=group, status="partial_outage"
    )
    docs = services.create_component(page, "Documentation")

    html = render(client)

    group_html = group_block(html, group)
    assert "Core services" in group_html
    assert f'data-component-id="{api.pk}"' in group_html
    assert f'data-component-id="{web.pk}"' in group_html
    assert f'data-component-id="{docs.pk}"' not in group_html
    assert 'data-status="operational"' in component_row(html, api)
    assert 'data-status="partial_outage"' in component_row(html, web)
    assert "Partial outage" in component_row(html, web)
    assert "Documentation" in component_row(html, docs)


def test_page_hides_unshowcased_component(client, status_page, page):
    hidden = services.create_component(page, "Internal queue", showcase=False)

    html = render(client)

    assert f'data-component-id="{hidden.pk}"' not in html


def test_page_shows_degraded_only_when_degraded(client, status_page, component):
    services.update_component(component, only_show_if_degraded=True)
    operational_html = render(client)

    services.set_component_status(component, "degraded_performance", source="test")
    degraded_html = render(client)

    assert f'data-component-id="{component.pk}"' not in operational_html
    assert f'data-component-id="{component.pk}"' in degraded_html


def test_open_incident_shows_latest_update(client, status_page, page, component):
    incident = services.create_incident(
        page,
        "Elevated error rates",
        body="We are investigating.",
        impact="major",
        component_statuses={component: "partial_outage"},
    )
    services.post_incident_update(
        incident, status="identified", body="A bad deploy; rolling back."
    )

    html = render(client)

    open_html = section(html, '<section class="open-incidents"')
    assert "Elevated error rates" in open_html
    assert "A bad deploy; rolling back." in open_html
    assert "Identified" in open_html
    assert "We are investigating." not in open_html
    assert "API" in open_html
    assert 'data-indicator="major"' in html


def test_resolved_incident_only_in_history(
    client, status_page, page, started_yesterday
):
    incident = services.create_incident(
        page, "Login outage", body="Logins fail.", started_at=started_yesterday
    )
    services.post_incident_update(incident, status="resolved", body="Fixed.")

    html = render(client)

    assert '<section class="open-incidents"' not in html
    local_day = timezone.localtime(started_yesterday, zoneinfo.ZoneInfo("UTC"))
    day_html = section(html, f'data-date="{local_day:%Y-%m-%d}"')
    assert "Login outage" in day_html
    assert "Logins fail." in day_html
    assert "Fixed." in day_html
    assert 'data-indicator="none"' in html


def test_history_has_fourteen_days(client, status_page):
    html = render(client)

    assert html.count('class="history-day"') == 14
    assert html.count("No incidents reported.") == 14


def test_history_uses_page_time_zone(client, status_page, page):
    page.time_zone = "Pacific/Kiritimati"
    page.save()
    zone = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    started_at = timezone.now() - timedelta(days=2)
    services.create_incident(
        page, "Slow search", body="Searches are slow.", started_at=started_at
    )

    html = render(client)

    local = timezone.localtime(started_at, zone)
    day_html = section(html, f'data-date="{local:%Y-%m-%d}"')
    assert "Slow search" in day_html
    assert f"{local:%H:%M} UTC+14:00" in day_html
    assert "Times are shown in Pacific/Kiritimati." in html


@pytest.mark.parametrize("where", ["component", "group", "incident", "update"])
def test_user_text_is_escaped(client, status_page, page, where):
    names = {"component": "API", "group": "Core", "incident": "Outage", "update": "x"}
    names[where] = XSS
    group = services.create_component_group(page, names["group"])
    component = services.create_component(page, names["component"], group=group)
    services.create_incident(
        page,
        names["incident"],
        body=names["update"],
        component_statuses={component: "major_outage"},
    )

    html = render(client)

    assert XSS not in html
    assert XSS_ESCAPED in html


def test_brand_color_in_style(client, status_page):
    status_page.brand_color = "#1a2b3c"
    status_page.save_revision().publish()

    html = render(client)

    assert "--brand: #1a2b3c; --on-brand: #ffffff;" in html


def test_invalid_brand_color_not_rendered(client, status_page):
    StatusPage.objects.filter(pk=status_page.pk).update(brand_color="red;x:y")

    html = render(client)

    assert "red;x:y" not in html
    assert f"--brand: {DEFAULT_BRAND_COLOR};" in html


def test_intro_and_footer_escaped(client, status_page):
    status_page.intro = XSS
    status_page.footer_text = "Contact <b>us</b>"
    status_page.save_revision().publish()

    html = render(client)

    assert XSS not in html
    assert XSS_ESCAPED in html
    assert "Contact &lt;b&gt;us&lt;/b&gt;" in html


def add_components_and_incidents(page, count: int) -> None:
    group = services.create_component_group(page, f"Group {count}")
    for number in range(count):
        component = services.create_component(page, f"Component {number}", group=group)
        incident = services.create_incident(
            page,
            f"Incident {number}",
            body="Looking into it.",
            component_statuses={component: "degraded_performance"},
        )
        services.post_incident_update(incident, status="monitoring", body="Better.")


def test_page_queries_do_not_grow(client, status_page, page):
    render(client)
    add_components_and_incidents(page, 2)
    with CaptureQueriesContext(connection) as few:
        render(client)

    add_components_and_incidents(page, 20)
    with CaptureQueriesContext(connection) as many:
        html = render(client)

    assert html.count('class="component"') == 22
    assert len(many) == len(few)


def test_page_query_budget(client, status_page, page, django_assert_max_num_queries):
    add_components_and_incidents(page, 10)
    render(client)

    # Wagtail's routing and the page's own reads take 11 queries with
    # Wagtail 8.0; the rest leaves room for a logo's rendition.
    with django_assert_max_num_queries(15):
        render(client)


@pytest.fixture
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def add_minute_results(check, hours: float, status: str = "up") -> None:
    """Add one result a minute for the last ``hours`` hours."""
    now = timezone.now()
    count = int(hours * 60)
    CheckResult.objects.bulk_create(
        CheckResult(
            uptime_check=check,
            checked_at=now - timedelta(minutes=count - index),
            status=status,
        )
        for index in range(count)
    )


def named_row(html: str, name: str) -> str:
    start = html.index(f">{name}</a>")
    return html[start : html.index("</li>", start)]


def test_check_without_results_no_data(client, status_page, page, fake_checker):
    component = services.create_component(page, "Search")
    services.create_check(page, "Search check", "fake", {}, component=component)

    row = named_row(render(client), "Search")

    assert "No data yet" in row
    assert "%" not in row
    assert "uptime over" not in row
    assert "up for" not in row
    assert "down for" not in row


def test_uptime_with_coverage_note(client, status_page, page, fake_checker):
    component = services.create_component(page, "Search")
    check = services.create_check(page, "Search check", "fake", {}, component=component)
    add_minute_results(check, hours=2)

    row = named_row(render(client), "Search")

    assert "100.00% uptime over the last 90 days" in row
    assert "(data for less than a day of the last 90)" in row
    assert "No data yet" not in row


def test_component_without_checks_no_uptime(client, status_page, page):
    services.create_component(page, "Docs")

    row = named_row(render(client), "Docs")

    assert "uptime" not in row
    assert "No data yet" not in row


def test_page_queries_do_not_grow_with_checks(client, status_page, page, fake_checker):
    def add_checked_components(count: int) -> None:
        for number in range(count):
            component = services.create_component(page, f"Checked {count}-{number}")
            check = services.create_check(
                page, f"Check {count}-{number}", "fake", {}, component=component
            )
            add_minute_results(check, hours=1, status="down")

    add_checked_components(1)
    render(client)
    with CaptureQueriesContext(connection) as few:
        render(client)

    add_checked_components(5)
    with CaptureQueriesContext(connection) as many:
        html = render(client)

    assert html.count("0.00% uptime over the last 90 days") == 6
    assert len(many) == len(few)


def test_open_incident_links_to_its_page(client, status_page, page):
    incident = services.create_incident(page, "Checkout failing", body="Looking.")

    html = render(client)

    open_html = section(html, '<section class="open-incidents"')
    assert f'<a href="/incidents/{incident.pk}/">Checkout failing</a>' in open_html


def test_non_public_incident_not_on_page(client, status_page, page, component):
    services.create_incident(
        page,
        "Awaiting approval",
        body="Auto-opened.",
        impact="critical",
        is_public=False,
    )

    html = render(client)

    assert "Awaiting approval" not in html
    assert '<section class="open-incidents"' not in html
    assert 'data-indicator="none"' in html


def test_update_body_rendered_as_markdown(client, status_page, page):
    services.create_incident(page, "Slow", body="We are **on it**.")

    html = render(client)

    assert "We are <strong>on it</strong>." in html


@pytest.fixture
def berlin_page(page):
    page.time_zone = "Europe/Berlin"
    page.save()
    return page


def test_maintenances_on_main_page(client, status_page, berlin_page):
    database = services.create_component(berlin_page, "Database")
    # Mid-January of next year: always ahead, and always winter time in Berlin.
    next_year = timezone.now().year + 1
    starts_at = datetime(next_year, 1, 15, 10, 0, tzinfo=UTC)
    upcoming = services.schedule_maintenance(
        berlin_page,
        "Database upgrade",
        starts_at,
        starts_at + timedelta(hours=2),
        components=[database],
        body="Planned *downtime*.",
    )
    running = services.schedule_maintenance(
        berlin_page,
        "Network work",
        timezone.now() - timedelta(hours=1),
        timezone.now() + timedelta(hours=1),
    )
    services.post_maintenance_update(
        running, body="Work **started**.", status="in_progress"
    )

    html = render(client)

    listing = section(html, '<section class="maintenances"')
    assert listing.index("Network work") < listing.index("Database upgrade")
    assert "Work <strong>started</strong>." in listing
    assert "Latest update: In progress" in listing
    assert "Planned <em>downtime</em>." in listing
    item = listing[listing.index(f'data-maintenance-id="{upcoming.pk}"') :]
    assert "Affects Database" in item
    day = f"15 Jan {next_year}"
    start = f'datetime="{next_year}-01-15T10:00:00Z">{day}, 11:00 UTC+01:00'
    end = f'datetime="{next_year}-01-15T12:00:00Z">{day}, 13:00 UTC+01:00'
    assert start in item
    assert end in item


def test_no_maintenance_section_without_maintenance(client, status_page):
    html = render(client)

    assert '<section class="maintenances"' not in html


def test_page_sends_content_security_policy(client, status_page):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
