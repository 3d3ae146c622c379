"""The Content-Security-Policy of every public response, and the 404 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from statuscms.csp import CONTENT_SECURITY_POLICY
from statuscms.postmortems import IncidentPostmortem
from statuscore import services


@pytest.fixture
def incident(page):
    return services.create_incident(page, "Checkout failing", body="Looking.")


@pytest.fixture
def postmortem(status_page, incident) -> IncidentPostmortem:
    postmortem = IncidentPostmortem(
        title="What broke checkout",
        slug="checkout-postmortem",
        incident=incident,
        summary="A full disk.",
        body=[("heading", "Root cause")],
        live=True,
    )
    status_page.add_child(instance=postmortem)
    postmortem.save_revision().publish()
    return postmortem


PUBLIC_PATHS = [
    "/",
    "/history/",
    "/history/2026/12/",
    "/api/v2/summary.json?page=acme",
    "/subscriptions/confirm/not-a-token/",
    "/subscriptions/acme/code/",
]

NOT_FOUND_PATHS = [
    "/no-such-page/",
    "/incidents/999999/",
    "/history/1969/01/",
    "/history/2026/13/",
    "/history/10000/01/",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_route_has_policy(client, status_page, path):
    response = client.get(path)

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_incident_page_has_policy(client, status_page, incident):
    response = client.get(f"/incidents/{incident.pk}/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_postmortem_page_has_policy(client, postmortem):
    response = client.get(postmortem.url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
def test_not_found_has_policy(client, status_page, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_rejected_subscribe_post_has_policy(client, status_page):
    url = reverse("statuscms-subscribe", args=[status_page.pk])

    response = client.post(url, {"notifier": "carrier-pigeon"})

    assert response.status_code == 400
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_policy_without_status_page(client, db):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_admin_keeps_its_inline_scripts(client, status_page):
    response = client.get(reverse("wagtailadmin_login"))

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_not_found_page_is_translated(client, status_page):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")

    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in html
    assert "Page introuvable" in html


def test_not_found_page_carries_page_title(client, status_page):
    html = client.get("/no-such-page/").content.decode()

    assert "Page not found" in html
    assert status_page.title in html


def test_unknown_incident_uses_page_language(client, status_page, page):
    page.language = "de"
    page.save()

    response = client.get("/incidents/999999/")

    assert response["Content-Language"] == "de"
    assert "Seite nicht gefunden" in response.content.decode()


def test_postmortem_in_visitor_language(client, postmortem):
    response = client.get(postmortem.url, HTTP_ACCEPT_LANGUAGE="es")

    assert response["Content-Language"] == "es"
    assert "Análisis posterior del incidente" in response.content.decode()
