"""The Checks admin screen: listing, creating and editing uptime checks."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pydantic
import pytest
from django.urls import reverse
from django.utils.html import escape

from plugins.http.config import HttpConfig
from statuscore import hookimpl, services
from statuscore.checkers import Checker
from statuscore.models import Check, Page
from statuscore.testing import fake_plugin, temporary_plugin

CHECKS_ADD = reverse("status_checks:add")
CHECKS_INDEX = reverse("status_checks:index")


class TokenConfig(pydantic.BaseModel):
    url: str
    token: pydantic.SecretStr = pydantic.Field(description="Bearer token.")

    @pydantic.field_serializer("token", when_used="json")
    def _reveal(self, token: pydantic.SecretStr) -> str:
        return token.get_secret_value()


class TokenChecker(Checker):
    name = "token"
    label = "Token-protected endpoint"
    Config = TokenConfig


@hookimpl
def _register_token_checker():
    return [TokenChecker]


token_plugin = SimpleNamespace(
    __name__="tests.statuscms.token_plugin",
    statuscore_register_checkers=_register_token_checker,
)


@pytest.fixture(autouse=True)
def checkers():
    with temporary_plugin(fake_plugin), temporary_plugin(token_plugin):
        yield


def edit_url(check) -> str:
    return reverse("status_checks:edit", args=[check.pk])


def check_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "checker": "http",
        "name": "Website",
        "component": "",
        "config": json.dumps({"url": "https://example.test/"}),
        "interval_seconds": 60,
        "timeout_seconds": 10,
        "failure_threshold": 2,
        "recovery_threshold": 1,
        "outage_status": "major_outage",
        "enabled": "on",
        "retries": 1,
        "regions": "",
        "region_quorum": "",
        "incident_impact": "major",
        "incident_title": "{check} is down",
        "incident_body": "{check} is failing: {reason}",
        "resolve_body": "{check} has recovered.",
    }
    data.update(changes)
    return data


def edit_form(check, **changes) -> dict:
    data = check_form(check.page, config=json.dumps(check.config))
    del data["page"]
    del data["checker"]
    data.update(changes)
    return data


def test_check_create(admin_client, page, component):
    data = check_form(page, component=component.pk, failure_threshold=3)

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 302
    check = Check.objects.get()
    assert check.checker == "http"
    assert check.config["url"] == "https://example.test/"
    assert check.component == component
    assert check.failure_threshold == 3
    assert check.enabled


def test_check_create_with_incident(admin_client, page, component):
    data = check_form(
        page,
        component=component.pk,
        open_incident="on",
        incident_impact="critical",
        incident_title="{component} is down",
        resolve_body="{component} is back.",
    )

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 302
    check = Check.objects.get()
    assert check.open_incident
    assert check.incident_impact == "critical"
    assert check.incident_title == "{component} is down"
    assert check.incident_body == "{check} is failing: {reason}"
    assert check.resolve_body == "{component} is back."


def test_check_create_bad_template(admin_client, page, component):
    data = check_form(page, component=component.pk, incident_title="{check.page}")

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["incident_title"]
    assert len(errors) == 1
    assert "{check.page}" in errors[0]
    assert not Check.objects.exists()


def test_check_create_bad_config(admin_client, page):
    data = check_form(page, config=json.dumps({"url": "not a url"}))

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["config"]
    assert len(errors) == 1
    assert errors[0].startswith("url: ")
    assert not Check.objects.exists()


def test_check_create_missing_field(admin_client, page):
    response = admin_client.post(CHECKS_ADD, check_form(page, config="{}"))

    assert response.status_code == 200
    assert response.context["form"].errors["config"] == ["url: Field required"]
    assert "url: Field required" in response.content.decode()
    assert not Check.objects.exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("{not json", "Invalid JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_check_create_config_not_object(admin_client, page, config, message):
    response = admin_client.post(CHECKS_ADD, check_form(page, config=config))

    assert response.status_code == 200
    assert message in response.context["form"].errors["config"][0]
    assert not Check.objects.exists()


def test_check_create_timeout_over_interval(admin_client, page):
    data = check_form(page, interval_seconds=30, timeout_seconds=60)

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 200
    assert "timeout_seconds" in response.context["form"].errors
    assert not Check.objects.exists()


def test_check_create_other_page_component(admin_client, page, organization):
    other_page = Page.objects.create(organization=organization, name="O", slug="o")
    foreign = services.create_component(other_page, "Foreign")

    response = admin_client.post(CHECKS_ADD, check_form(page, component=foreign.pk))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["component"] == ["The component belongs to another page."]
    assert not Check.objects.exists()


def test_check_add_form_lists_checkers(admin_client, page):
    response = admin_client.get(CHECKS_ADD)

    choices = dict(response.context["form"].fields["checker"].choices)
    assert choices["http"] == "HTTP(S)"
    assert choices["fake"] == "Fake (tests only)"


def test_check_add_form_describes_config(admin_client, page):
    response = admin_client.get(CHECKS_ADD)

    html = response.content.decode()
    described = HttpConfig.model_fields["expected_status"].description
    assert "<code>url</code> (string, required)" in html
    assert escape(described) in html
    assert "<code>expected_status</code> (array, optional)" in html
    assert "<code>max_redirects</code> (integer, default 10)" in html


def test_check_edit(admin_client, page):
    check = services.create_check(
        page, "Website", "http", {"url": "https://example.test/"}
    )
    config = json.dumps({"url": "https://example.test/health"})
    data = edit_form(check, name="Health", config=config, enabled="")

    response = admin_client.post(edit_url(check), data)

    assert response.status_code == 302
    check.refresh_from_db()
    assert check.name == "Health"
    assert check.config["url"] == "https://example.test/health"
    assert not check.enabled


def test_check_edit_bad_config_kept(admin_client, page):
    check = services.create_check(
        page, "Website", "http", {"url": "https://example.test/"}
    )
    data = edit_form(check, name="Renamed", config=json.dumps({"url": "nope"}))

    response = admin_client.post(edit_url(check), data)

    assert response.status_code == 200
    assert response.context["form"].errors["config"][0].startswith("url: ")
    check.refresh_from_db()
    assert check.name == "Website"
    assert check.config["url"] == "https://example.test/"


def test_check_edit_describes_own_checker(admin_client, page):
    check = services.create_check(page, "Fake", "fake", {})

    response = admin_client.get(edit_url(check))

    html = response.content.decode()
    assert "Fake (tests only)" in html
    assert "<code>raise_check_failed</code>" in html
    assert "<code>url</code>" not in html


def test_check_edit_masks_secret(admin_client, page):
    check = services.create_check(
        page, "API", "token", {"url": "https://x.test", "token": "s3cr3t"}
    )

    response = admin_client.get(edit_url(check))

    assert "s3cr3t" not in response.content.decode()
    assert "********" in response.context["form"]["config"].value()


def test_check_edit_placeholder_keeps_secret(admin_client, page):
    check = services.create_check(
        page, "API", "token", {"url": "https://x.test", "token": "s3cr3t"}
    )
    config = json.dumps({"url": "https://y.test", "token": "********"})

    response = admin_client.post(edit_url(check), edit_form(check, config=config))

    assert response.status_code == 302
    check.refresh_from_db()
    assert check.config["token"] == "s3cr3t"
    assert check.config["url"] == "https://y.test"


def test_check_listing(admin_client, page, component):
    services.create_check(
        page,
        "API health",
        "token",
        {"url": "https://x.test", "token": "s3cr3t"},
        component=component,
        interval_seconds=45,
    )

    response = admin_client.get(CHECKS_INDEX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "API health" in html
    assert "Token-protected endpoint" in html
    assert "Unknown" in html
    assert "45" in html
    assert "s3cr3t" not in html


def test_check_create_with_regions(admin_client, page):
    data = check_form(page, retries=2, regions="eu-west, us-east,ap-south", region_quorum=2)

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 302
    check = Check.objects.get()
    assert check.retries == 2
    assert check.regions == ["eu-west", "us-east", "ap-south"]
    assert check.region_quorum == 2


def test_check_quorum_above_regions_rejected(admin_client, page):
    data = check_form(page, regions="eu-west", region_quorum=3)

    response = admin_client.post(CHECKS_ADD, data)

    assert response.status_code == 200
    assert "region_quorum" in response.context["form"].errors
    assert not Check.objects.exists()


def test_check_edit_shows_regions(admin_client, page):
    check = services.create_check(
        page, "Website", "http", {"url": "https://example.test/"}, regions=["eu-west", "us-east"]
    )

    response = admin_client.get(edit_url(check))

    assert response.context["form"].initial["regions"] == "eu-west, us-east"
