"""The project's URL root serves the API docs, the health check and the admin."""

import re

import pytest

from tests.statussite.test_settings import run_manage


def test_api_docs_use_local_assets(client):
    response = client.get("/api/docs")

    assets = re.findall(rb'(?:src|href)="([^"]+)"', response.content)
    assert response.status_code == 200
    assert assets
    assert all(asset.startswith(b"/static/") for asset in assets)


@pytest.mark.django_db
def test_admin_login_page_served(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"password" in response.content.lower()


@pytest.mark.django_db
def test_healthz_at_root(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_unknown_host(client, settings):
    settings.STATUSCORE_ALLOWED_HOSTS = ["status.example.test"]

    health = client.get("/healthz", HTTP_HOST="10.1.2.3")
    page = client.get("/", HTTP_HOST="10.1.2.3")

    assert health.status_code == 200
    assert page.status_code == 400


def test_disallowed_host_logged_without_traceback(tmp_path):
    script = (
        "from django.test import Client\n"
        "print(Client(HTTP_HOST='evil.test').get('/').status_code)\n"
    )

    done = run_manage(
        "shell",
        "-c",
        script,
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="status.example.test",
        STATUS_VAR_DIR=str(tmp_path),
    )

    assert done.stdout.strip().endswith("400")
    assert "Invalid HTTP_HOST header: 'evil.test'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_tls_ask_answers_unknown_host(client, settings, page):
    settings.ALLOWED_HOSTS = ["status.example.test"]

    response = client.get(
        "/tls/ask", {"domain": "status.acme.test"}, HTTP_HOST="127.0.0.1:8000"
    )

    assert response.status_code == 200
