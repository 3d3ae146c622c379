"""Every admin URL, requested by an editor and a viewer of organisation A.

Organisation A ("Acme") and organisation B ("Bravoco") each have a status
page, a component group, a component, an incident, a maintenance, a
check, a subscriber, an alert channel, a delivery and an audit log entry.

The admin URLs are read from Django's URL resolver, not listed by hand:

- every URL that takes an id is filled with B's object of the view's model
  (or B's status page, its revision, B's role group or B's owner), and
  must return 403 or 404 to a GET and to a POST;
- every URL without an id (listings, choosers, search, reports, add
  forms) must not show any of B's names, with or without a search query;
- a URL that takes an id whose model belongs to no organisation must be
  named in ``GLOBAL_ROUTES``, so a new admin route is either tested here or
  consciously declared global.

Names of B's objects all contain ``MARKER``, which no response to A's
members may contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.log_actions import log

from statuscms.drafts import DraftKind, IncidentDraft
from statuscms.incident_templates import IncidentTemplate
from statuscms.organization_models import OrganizationGroup
from statuscms.roles import role_permission_codenames
from statuscms.scope import organization_path
from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.models import (
    Delivery,
    Organization,
    OutboxEvent,
    Page,
    Role,
    Subscriber,
    SubscriberState,
)
from statuscore.secrets import digest
from statuscore.testing import fake_plugin, temporary_plugin

MARKER = "Bravoco"

# Words in the names of both organisations' objects, to search listings by.
SEARCH_WORDS = ("Status", "Incident", "Component", "Check", "Channel")

# Routes whose ids name objects that belong to no organisation: Wagtail's
# images, documents, collections, workflows, sites, redirects, settings
# and upload sessions. Editors and viewers have no permission on any of
# them, which ``test_global_routes_are_forbidden`` checks.
GLOBAL_ROUTES = {
    "wagtailadmin_api:documents:detail",
    "wagtailadmin_api:images:detail",
    "wagtailadmin_collections:edit",
    "wagtailadmin_collections:delete",
    "wagtailadmin_collections:set_privacy",
    "wagtailadmin_workflows:add_task",
    "wagtailadmin_workflows:enable",
    "wagtailadmin_workflows:disable",
    "wagtailadmin_workflows:edit",
    "wagtailadmin_workflows:usage",
    "wagtailadmin_workflows:usage_results",
    "wagtailadmin_workflows:edit_task",
    "wagtailadmin_workflows:disable_task",
    "wagtailadmin_workflows:enable_task",
    "wagtailadmin_workflows:task_chosen",
    "wagtailadmin_editing_sessions:release",
    "wagtailadmin_tag_model_autocomplete",
    "wagtailadmin_pages:type_use",
    "wagtailadmin_pages:type_use_results",
    "wagtailadmin_pages:choose_parent",
    "wagtailadmin_password_reset_confirm",
    "wagtailredirects:edit",
    "wagtailredirects:delete",
    "wagtailsettings:edit",
    "wagtailsettings:preview_on_edit",
    "wagtaildocs:edit",
    "wagtaildocs:delete",
    "wagtaildocs:edit_multiple",
    "wagtaildocs:create_multiple_from_uploaded_document",
    "wagtaildocs:delete_multiple",
    "wagtaildocs:delete_upload_multiple",
    "wagtaildocs:document_usage",
    "wagtaildocs_chooser:chosen",
    "wagtailimages:edit",
    "wagtailimages:delete",
    "wagtailimages:url_generator",
    "wagtailimages:url_generator_output",
    "wagtailimages:preview",
    "wagtailimages:image_usage",
    "wagtailimages:edit_multiple",
    "wagtailimages:create_multiple_from_uploaded_image",
    "wagtailimages:delete_multiple",
    "wagtailimages:delete_upload_multiple",
    "wagtailimages_chooser:chosen",
    "wagtailimages_chooser:select_format",
    "wagtailsites:edit",
    "wagtailsites:delete",
    "wagtailsites:history",
    "wagtailsites:history_results",
    "wagtailsites:usage",
    "wagtailsites:copy",
}

# URLs without an id that are not listings: signing out would end the
# test's session.
SKIPPED_PLAIN_ROUTES = {"wagtailadmin_logout", "wagtailadmin_error_test"}

# Route namespaces whose ``pk`` or ``object_id`` is a page id.
PAGE_ID_ROUTES = (
    "wagtailadmin_api:pages:",
    "wagtailadmin_pages:",
    "wagtailadmin_editing_sessions:",
)

# Page-like keyword arguments of Wagtail's page routes.
PAGE_KWARGS = {
    "page_id",
    "parent_page_id",
    "page_to_move_id",
    "destination_id",
    "page_pk",
}


@dataclass
class Route:
    name: str
    route: str
    pattern: URLPattern

    @property
    def kwargs(self) -> list[str]:
        return list(self.pattern.pattern.regex.groupindex)

    @property
    def model(self):
        callback = self.pattern.callback
        initkwargs = getattr(callback, "view_initkwargs", None) or {}
        model = initkwargs.get("model") or getattr(
            getattr(callback, "view_class", None), "model", None
        )
        return model if hasattr(model, "_meta") else None


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            yield Route(
                namespace + pattern.name, prefix + str(pattern.pattern), pattern
            )


def admin_routes() -> list[Route]:
    """Return every named route under ``admin/``, once per name and route."""
    seen = set()
    routes = []
    for route in _walk(get_resolver().url_patterns):
        if not route.route.startswith("admin/"):
            continue
        key = (route.name, route.route)
        if key not in seen:
            seen.add(key)
            routes.append(route)
    return routes


@dataclass
class Organisation:
    organization: Organization
    page: Page
    status_page: object
    objects: dict
    owner: object


def build_organisation(name: str, slug: str, domain: str) -> Organisation:
    """Create an organisation with one object of every kind the admin shows."""
    organization = services.create_organization(name, slug)
    page = services.create_page(organization, f"{name} Status", slug, domain=domain)
    status_page = ensure_status_page(page)
    # A core page that no status page shows yet, offered on the status page form.
    services.create_page(organization, f"{name} Spare", f"{slug}-spare")
    owner = get_user_model().objects.create_user(
        username=f"{slug}-owner", first_name=f"{name} Owner", password="pw"
    )
    services.add_member(organization, owner, Role.OWNER)

    group = services.create_component_group(page, f"{name} Group")
    component = services.create_component(page, f"{name} Component", group=group)
    incident = services.create_incident(
        page,
        f"{name} Incident",
        body=f"{name} body",
        component_statuses={component: "major_outage"},
    )
    now = timezone.now()
    maintenance = services.schedule_maintenance(
        page,
        f"{name} Maintenance",
        now + timedelta(days=1),
        now + timedelta(days=1, hours=1),
        components=[component],
    )
    series = services.create_maintenance_series(
        page,
        f"{name} Series",
        frequency="daily",
        start_time=time(3, 0),
        duration=timedelta(minutes=30),
        time_zone="UTC",
        starts_on=now.date(),
    )
    template = IncidentTemplate.objects.create(
        name=f"{name} Template", title=f"{name} Title", body="Body", page=page
    )
    draft = IncidentDraft(
        kind=DraftKind.UPDATE,
        page=page,
        incident=incident,
        status="monitoring",
        body=f"{name} draft body",
        live=False,
    )
    draft.save()
    draft.save_revision(user=owner)
    with temporary_plugin(fake_plugin):
        check = services.create_check(page, f"{name} Check", "fake", {})
    channel = services.create_alert_channel(
        page,
        f"{name} Channel",
        "webhook",
        {"url": "http://127.0.0.1:9/hook"},
        event_kinds=["incident.created"],
    )
    address = f"{slug}-reader@example.test"
    subscriber = Subscriber.objects.create(
        page=page,
        notifier="email",
        address=address,
        address_key=digest(address),
        config={"to": address},
        state=SubscriberState.ACTIVE,
    )
    event = OutboxEvent.objects.create(kind="incident.created", page=page, payload={})
    delivery = Delivery.objects.create(
        event=event,
        channel=channel,
        key=f"{event.pk}:c:{channel.pk}",
        next_attempt_at=now,
    )
    objects = {
        "component_group": group,
        "component": component,
        "incident": incident,
        "maintenance": maintenance,
        "maintenance_series": series,
        "incident_template": template,
        "incident_draft": draft,
        "check": check,
        "alert_channel": channel,
        "subscriber": subscriber,
        "delivery": delivery,
    }
    for instance in objects.values():
        log(instance, "wagtail.edit", user=owner)
    return Organisation(organization, page, status_page, objects, owner)


@pytest.fixture
def acme(db) -> Organisation:
    return build_organisation("Acme", "acme", "status.acme.test")


@pytest.fixture
def bravoco(db, acme) -> Organisation:
    return build_organisation(MARKER, "bravoco", "status.bravoco.test")


def member_client(client, organisation: Organisation, role: str):
    user = get_user_model().objects.create_user(
        username=f"{role}-of-{organisation.organization.slug}", password="pw"
    )
    services.add_member(organisation.organization, user, role)
    client.force_login(user)
    return client


@pytest.fixture(params=[Role.EDITOR, Role.VIEWER])
def role(request) -> str:
    return request.param


@pytest.fixture
def acme_client(client, acme, bravoco, role):
    """A client signed in as an editor or a viewer of Acme only."""
    return member_client(client, acme, role)


def object_of(organisation: Organisation, model):
    """Return the organisation's instance of ``model`` for a route's id."""
    label = model._meta.label
    if label == "auth.User":
        return organisation.owner
    if label == "auth.Group":
        return OrganizationGroup.objects.get(
            organization=organisation.organization, role=Role.OWNER
        ).group
    if label in ("wagtailcore.Page", "statuscms.StatusPage"):
        return organisation.status_page
    path = organization_path(model)
    if path is None:
        return None
    lookup = path or "pk"
    return model._default_manager.filter(**{lookup: organisation.organization}).first()


def fill_kwargs(route: Route, organisation: Organisation) -> dict | None:
    """Return the route's keyword arguments filled with the organisation's
    ids, or None when the route takes no object of an organisation."""
    status_page = organisation.status_page
    revision = status_page.latest_revision
    if route.model is not None and not route.name.startswith(PAGE_ID_ROUTES):
        # A snippet with revisions: use a revision of its own object.
        instance = object_of(organisation, route.model)
        revision = getattr(instance, "latest_revision", None) or revision
    values = {}
    refers_to_organisation = False
    for name in route.kwargs:
        if name in PAGE_KWARGS:
            values[name] = status_page.pk
            refers_to_organisation = True
        elif name in ("revision_id", "revision_id_a", "revision_id_b"):
            values[name] = revision.pk
        elif name == "action" and route.name == "wagtail_bulk_action":
            # The ids of a bulk action are in the query string.
            values[name] = "delete"
            refers_to_organisation = True
        elif name in ("pk", "object_id", "id", "image_id", "document_id"):
            model = route.model
            if route.name.startswith(PAGE_ID_ROUTES):
                values[name] = status_page.pk
                refers_to_organisation = True
                continue
            instance = None if model is None else object_of(organisation, model)
            if instance is None:
                return None
            values[name] = instance.pk
            refers_to_organisation = True
        elif name == "update_pk":
            values[name] = organisation.objects["incident"].updates.first().pk
            refers_to_organisation = True
        elif name in ("app_label", "app_name", "content_type_app_name"):
            values[name] = "wagtailcore"
        elif name in ("model_name", "content_type_model_name"):
            values[name] = "page"
        elif name == "action":
            values[name] = "delete"
        elif name == "action_name":
            values[name] = "approve"
        else:
            values[name] = 1
    return values if refers_to_organisation else None


def object_routes(organisation: Organisation) -> list[tuple[Route, str]]:
    """Return each admin route that takes an object of the organisation,
    with its URL filled with that object's ids."""
    result = []
    for route in admin_routes():
        if not route.kwargs or route.name in GLOBAL_ROUTES:
            continue
        kwargs = fill_kwargs(route, organisation)
        if kwargs is None:
            continue
        url = reverse(route.name, kwargs=kwargs)
        if route.name == "wagtail_bulk_action":
            url += f"?id={organisation.status_page.pk}"
        result.append((route, url))
    return result


def test_every_admin_route_with_an_id_is_classified(acme, bravoco):
    unclassified = [
        f"{route.name} ({route.route})"
        for route in admin_routes()
        if route.kwargs
        and route.name not in GLOBAL_ROUTES
        and fill_kwargs(route, bravoco) is None
    ]

    assert unclassified == [], "\n".join(unclassified) + (
        "These admin routes take an id of no organisation's object: give "
        "organisation B such an object in build_organisation, or list the "
        "route in GLOBAL_ROUTES if its objects belong to no organisation."
    )


def test_object_routes_include_status_screens(acme, bravoco):
    names = {route.name for route, _ in object_routes(bravoco)}

    for name in (
        "status_incidents:edit",
        "status_incidents:history",
        "status_components:edit",
        "status_component_groups:edit",
        "status_checks:edit",
        "status_subscribers:inspect",
        "status_alert_channels:edit",
        "status_alert_channels:enable",
        "status_members:edit",
        "status_members:delete",
        "wagtailadmin_pages:edit",
        "wagtailadmin_choose_page_child",
        "wagtailusers_groups:edit",
        "wagtailusers_users:edit",
    ):
        assert name in names, name


def test_other_organisation_urls_not_found_or_forbidden(acme_client, bravoco):
    leaks = []
    for route, url in object_routes(bravoco):
        for method in ("get", "post"):
            response = getattr(acme_client, method)(url)
            body = response.content.decode(errors="replace")
            if response.status_code not in (403, 404) or MARKER in body:
                leaks.append(
                    f"{method.upper()} {url} ({route.name}): {response.status_code}"
                )

    assert leaks == [], "\n".join(leaks)


def test_other_organisation_bulk_page_actions_rejected(acme_client, bravoco):
    for action in ("delete", "move", "publish", "unpublish"):
        url = reverse(
            "wagtail_bulk_action",
            kwargs={"app_label": "wagtailcore", "model_name": "page", "action": action},
        )
        response = acme_client.get(url, {"id": bravoco.status_page.pk})

        assert MARKER not in response.content.decode(), action


def plain_routes() -> list[Route]:
    return [
        route
        for route in admin_routes()
        if not route.kwargs and route.name not in SKIPPED_PLAIN_ROUTES
    ]


def test_listings_show_no_other_organisation_names(acme_client, acme, bravoco):
    leaks = []
    errors = []
    for route in plain_routes():
        url = reverse(route.name)
        # Searching for the marker itself would only find it echoed back.
        for query in ({}, *({"q": word} for word in SEARCH_WORDS)):
            response = acme_client.get(url, query)
            body = response.content.decode(errors="replace")
            if response.status_code >= 500:
                errors.append(f"{url} {query}: {response.status_code}")
            if MARKER in body:
                leaks.append(f"{url} {query} ({route.name})")

    assert errors == []
    assert leaks == [], "\n".join(leaks)


# Listings every role may open, with a search query where they take one.
LISTINGS = [
    ("status_incidents:index", "Incident"),
    ("status_incidents:index_results", "Incident"),
    ("status_components:index", "Component"),
    ("status_components:index_results", "Component"),
    ("status_component_groups:index", "Group"),
    ("status_component_groups:index_results", "Group"),
    ("status_checks:index", "Check"),
    ("status_checks:index_results", "Check"),
    ("status_subscribers:index", None),
    ("status_subscribers:index_results", None),
    ("wagtailadmin_home", None),
    ("wagtailadmin_reports:site_history", None),
    ("wagtailadmin_api:pages:listing", None),
]


@pytest.mark.parametrize(("name", "word"), LISTINGS)
def test_listing_hides_other_organisation(acme_client, acme, bravoco, name, word):
    query = {} if word is None else {"q": word}

    response = acme_client.get(reverse(name), query)

    assert response.status_code == 200
    assert MARKER not in response.content.decode()


# Page screens an editor may open; viewers have no page permissions, and
# Wagtail sends them back to the dashboard.
PAGE_LISTINGS = [
    ("wagtailadmin_pages:search", "Status"),
    ("wagtailadmin_choose_page", None),
    ("wagtailadmin_choose_page_search", "Status"),
    ("wagtailadmin_explore_root", None),
]


@pytest.mark.parametrize(("name", "word"), PAGE_LISTINGS)
def test_page_listing_shows_own_page_only(client, acme, bravoco, name, word):
    editor = member_client(client, acme, Role.EDITOR)
    query = {} if word is None else {"q": word}

    response = editor.get(reverse(name), query, follow=True)

    assert response.status_code == 200
    assert "Acme Status" in response.content.decode()
    assert MARKER not in response.content.decode()


def test_owner_listings_show_no_other_organisation(client, acme, bravoco):
    acme_owner = member_client(client, acme, Role.OWNER)
    for name in (
        "status_alert_channels:index",
        "status_deliveries:index",
        "status_members:index",
        "wagtailadmin_reports:site_history",
    ):
        response = acme_owner.get(reverse(name))

        assert response.status_code == 200, name
        assert MARKER not in response.content.decode(), name
        assert "Acme" in response.content.decode(), name


def test_other_organisation_group_not_found(acme_client, acme, bravoco):
    group = Group.objects.get(name=f"{MARKER} owners")

    response = acme_client.get(reverse("wagtailusers_groups:edit", args=[group.pk]))

    assert response.status_code == 404


def test_global_routes_are_denied(acme_client, acme, bravoco):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)

    response = acme_client.get(reverse("wagtailsites:edit", args=[site.pk]))

    # Wagtail's own screens respond to a missing permission with a redirect to
    # the dashboard and an error message.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


# Screens of Acme's own objects, with the permission each needs.
OWN_OBJECT_SCREENS = [
    ("status_incidents:add", None, "add_incident"),
    ("status_incidents:edit", "incident", "change_incident"),
    ("status_components:add", None, "add_component"),
    ("status_components:edit", "component", "change_component"),
    ("status_component_groups:add", None, "add_componentgroup"),
    ("status_component_groups:edit", "component_group", "change_componentgroup"),
    ("status_checks:add", None, "add_check"),
    ("status_checks:edit", "check", "change_check"),
    ("status_subscribers:import", None, "add_subscriber"),
    ("status_alert_channels:add", None, "add_alertchannel"),
    ("status_alert_channels:edit", "alert_channel", "change_alertchannel"),
]


def expected_status(role: str, codename: str) -> int:
    allowed = codename in role_permission_codenames(role)["statuscore"]
    return 200 if allowed else 403


@pytest.mark.parametrize(("name", "key", "codename"), OWN_OBJECT_SCREENS)
def test_own_object_screens_follow_role(client, acme, bravoco, name, key, codename):
    for role in (Role.OWNER, Role.EDITOR, Role.VIEWER):
        user_client = member_client(client, acme, role)
        args = [] if key is None else [acme.objects[key].pk]

        response = user_client.get(reverse(name, args=args))

        assert response.status_code == expected_status(role, codename), role
        assert MARKER not in response.content.decode(), role
        user_client.logout()


def test_viewer_gets_forbidden_on_own_edit_screens(client, acme, bravoco):
    viewer = member_client(client, acme, Role.VIEWER)

    for name, key in (
        ("status_incidents:add", None),
        ("status_incidents:edit", "incident"),
        ("status_components:edit", "component"),
        ("status_component_groups:edit", "component_group"),
        ("status_checks:edit", "check"),
    ):
        args = [] if key is None else [acme.objects[key].pk]
        assert viewer.get(reverse(name, args=args)).status_code == 403, name
        assert viewer.post(reverse(name, args=args), {}).status_code == 403, name


def test_editor_may_open_own_edit_screens(client, acme, bravoco):
    editor = member_client(client, acme, Role.EDITOR)

    for name, key in (
        ("status_incidents:add", None),
        ("status_incidents:edit", "incident"),
        ("status_components:add", None),
        ("status_components:edit", "component"),
        ("status_component_groups:edit", "component_group"),
        ("status_checks:edit", "check"),
        ("status_subscribers:inspect", "subscriber"),
    ):
        args = [] if key is None else [acme.objects[key].pk]
        response = editor.get(reverse(name, args=args))

        assert response.status_code == 200, name
        assert MARKER not in response.content.decode(), name


def test_editor_cannot_post_other_organisation_ids(client, acme, bravoco):
    editor = member_client(client, acme, Role.EDITOR)
    component = bravoco.objects["component"]

    response = editor.post(
        reverse("status_incidents:add"),
        {
            "page": bravoco.page.pk,
            "name": "Injected",
            "impact": "minor",
            "status": "investigating",
            "body": "Injected body",
            "components": [component.pk],
            "component_status": "",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not bravoco.page.incidents.filter(name="Injected").exists()


def test_editor_page_permissions_stop_at_status_page(client, acme, bravoco):
    editor = member_client(client, acme, Role.EDITOR)
    owner = member_client(client.__class__(), acme, Role.OWNER)
    own_page = acme.status_page.pk

    editor_edit = editor.get(reverse("wagtailadmin_pages:edit", args=[own_page]))
    owner_edit = owner.get(reverse("wagtailadmin_pages:edit", args=[own_page]))
    editor_add = editor.get(reverse("wagtailadmin_pages:add_subpage", args=[own_page]))

    assert editor_edit.status_code == 403
    assert owner_edit.status_code == 200
    assert editor_add.status_code in (200, 302)
    assert not re.search(MARKER, owner_edit.content.decode())


def two_role_client(client, first: Organisation, first_role, second, second_role):
    """Sign in a user with one role in each of two organisations."""
    user = get_user_model().objects.create_user(username="two-roles", password="pw")
    services.add_member(first.organization, user, first_role)
    services.add_member(second.organization, user, second_role)
    client.force_login(user)
    return client


def test_viewer_role_elsewhere_cannot_edit(client, acme, bravoco):
    user_client = two_role_client(client, acme, Role.EDITOR, bravoco, Role.VIEWER)
    own = acme.objects["incident"]
    other = bravoco.objects["incident"]

    own_edit = user_client.get(reverse("status_incidents:edit", args=[own.pk]))
    other_edit = user_client.get(reverse("status_incidents:edit", args=[other.pk]))
    other_post = user_client.post(reverse("status_incidents:edit", args=[other.pk]), {})
    listing = user_client.get(reverse("status_incidents:index"))

    assert own_edit.status_code == 200
    assert other_edit.status_code == 403
    assert other_post.status_code == 403
    assert listing.status_code == 200
    assert f"{MARKER} Incident" in listing.content.decode()


def test_add_form_offers_only_pages_role_may_write(client, acme, bravoco):
    user_client = two_role_client(client, acme, Role.EDITOR, bravoco, Role.VIEWER)

    response = user_client.get(reverse("status_incidents:add"))

    assert response.status_code == 200
    assert "Acme Status" in response.content.decode()
    assert MARKER not in response.content.decode()


def test_owner_role_elsewhere_does_not_reach_channels(client, acme, bravoco):
    user_client = two_role_client(client, acme, Role.EDITOR, bravoco, Role.OWNER)
    own = acme.objects["alert_channel"]

    edit = user_client.get(reverse("status_alert_channels:edit", args=[own.pk]))
    listing = user_client.get(reverse("status_alert_channels:index"))

    assert edit.status_code == 403
    assert listing.status_code == 200
    assert "Acme Channel" not in listing.content.decode()
    assert f"{MARKER} Channel" in listing.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "wagtailadmin_pages:type_use",
        "wagtailadmin_pages:type_use_results",
        "wagtailadmin_pages:choose_parent",
    ],
)
def test_page_type_screens_hide_other_organisation(acme_client, bravoco, name):
    for app_label, model_name in (("statuscms", "statuspage"), ("wagtailcore", "page")):
        if name == "wagtailadmin_pages:choose_parent":
            kwargs = {"app_label": app_label, "model_name": model_name}
        else:
            kwargs = {
                "content_type_app_name": app_label,
                "content_type_model_name": model_name,
            }

        response = acme_client.get(reverse(name, kwargs=kwargs))

        assert response.status_code < 500, model_name
        assert MARKER not in response.content.decode(), model_name


def extra_object_screens(organisation: Organisation) -> list[tuple[str, list[int]]]:
    """The screens the incident and maintenance viewsets add with their own
    ``path()``, each with ``organisation``'s object."""
    incident = organisation.objects["incident"]
    update = incident.updates.first()
    maintenance = organisation.objects["maintenance"]
    series = organisation.objects["maintenance_series"]
    return [
        ("status_incidents:details", [incident.pk]),
        ("status_incidents:resolve", [incident.pk]),
        ("status_incidents:update_edit", [update.pk]),
        ("status_incidents:update_delete", [update.pk]),
        ("status_maintenances:post_update", [maintenance.pk]),
        ("status_maintenances:complete", [maintenance.pk]),
        ("status_maintenances:cancel", [maintenance.pk]),
        ("status_maintenance_series:end", [series.pk]),
    ]


def test_viewer_gets_forbidden_on_own_extra_screens(client, acme, bravoco):
    viewer = member_client(client, acme, Role.VIEWER)

    for name, args in extra_object_screens(acme):
        url = reverse(name, args=args)
        assert viewer.get(url).status_code == 403, name
        assert viewer.post(url, {}).status_code == 403, name


def test_editor_opens_own_extra_screens(client, acme, bravoco):
    editor = member_client(client, acme, Role.EDITOR)

    for name, args in extra_object_screens(acme):
        response = editor.get(reverse(name, args=args))

        assert response.status_code == 200, name
        assert MARKER not in response.content.decode(), name


def test_other_organisation_extra_screens_not_found(client, acme, bravoco):
    editor = member_client(client, acme, Role.EDITOR)

    for name, args in extra_object_screens(bravoco):
        url = reverse(name, args=args)
        assert editor.get(url).status_code == 404, name
        assert editor.post(url, {}).status_code == 404, name


def test_viewer_role_elsewhere_forbidden_on_extra_screens(client, acme, bravoco):
    user_client = two_role_client(client, acme, Role.EDITOR, bravoco, Role.VIEWER)

    for name, args in extra_object_screens(bravoco):
        url = reverse(name, args=args)
        assert user_client.get(url).status_code == 403, name
        assert user_client.post(url, {}).status_code == 403, name
