"""The demo loader watches this machine and is safe to run twice."""

import pytest

from statuscore.exceptions import ValidationFailed
from statuscore.models import Check, Component, Incident, Organization, Page
from statussite.demo import demo_targets, load_demo

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": 5433}


def test_targets_on_embedded_defaults():
    targets = demo_targets(8123, SQLITE, None, [])

    urls = [target.config["url"] for target in targets]
    assert urls == [
        "http://127.0.0.1:8123/healthz",
        "http://127.0.0.1:8123/api/v2/status.json?page=demo",
        "http://127.0.0.1:8123/admin/login/",
    ]


def test_targets_include_database_and_redis():
    targets = demo_targets(8000, POSTGRES, "redis://127.0.0.1:6380/0", [])

    by_name = {target.component: target for target in targets}
    assert by_name["PostgreSQL"].config == {"host": "127.0.0.1", "port": 5433}
    assert by_name["Redis"].config == {"host": "127.0.0.1", "port": 6380}
    assert by_name["Redis"].checker == "tcp"


def test_targets_include_extra_urls():
    targets = demo_targets(8000, SQLITE, None, ["http://127.0.0.1:9/app/"])

    assert targets[-1].component == "127.0.0.1:9/app"
    assert targets[-1].config == {"url": "http://127.0.0.1:9/app/"}


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "127.0.0.1:80", "http://"])
def test_bad_extra_url_names_variable(url):
    with pytest.raises(ValidationFailed) as raised:
        demo_targets(8000, SQLITE, None, [url])

    assert list(raised.value.errors) == ["STATUS_DEMO_URLS"]


@pytest.mark.django_db
def test_load_twice_creates_nothing_twice():
    load_demo(8000, SQLITE, None, ["http://127.0.0.1:9/"])
    counts = [
        model.objects.count() for model in (Organization, Page, Component, Check, Incident)
    ]

    load_demo(8000, SQLITE, None, ["http://127.0.0.1:9/"])

    assert counts == [1, 1, 4, 4, 1]
    assert [
        model.objects.count() for model in (Organization, Page, Component, Check, Incident)
    ] == counts


@pytest.mark.django_db
def test_new_port_updates_check():
    load_demo(8000, SQLITE, None, [])

    load_demo(8010, SQLITE, None, [])

    check = Check.objects.get(name="Status site")
    assert check.config["url"] == "http://127.0.0.1:8010/healthz"
    assert Check.objects.filter(name="Status site").count() == 1


@pytest.mark.django_db
def test_demo_page_is_site_root(client):
    load_demo(8000, SQLITE, None, [])

    response = client.get("/")

    assert response.status_code == 200
    assert b"Demo Status" in response.content
