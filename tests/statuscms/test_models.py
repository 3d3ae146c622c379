from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page as WagtailPage

from statuscms.models import DEFAULT_BRAND_COLOR, StatusPage

INJECTION = "red;}body{display:none"
# Short enough for the 7-character column, so every database stores it.
SHORT_INJECTION = "red;x:y"


@pytest.mark.parametrize("value", ["#1a2b3c", "#ABCDEF", "#abc"])
def test_brand_color_accepts_hex(status_page, value):
    status_page.brand_color = value

    status_page.full_clean()


@pytest.mark.parametrize(
    "value",
    [
        INJECTION,
        SHORT_INJECTION,
        "red",
        "#12345",
        "#1234567",
        "#ggghhh",
        "#abc\n",
        "1a2b3c",
    ],
)
def test_brand_color_rejects_non_hex(status_page, value):
    status_page.brand_color = value

    with pytest.raises(ValidationError) as error:
        status_page.full_clean()

    assert "brand_color" in error.value.message_dict


def test_safe_brand_color_falls_back(status_page):
    StatusPage.objects.filter(pk=status_page.pk).update(brand_color=SHORT_INJECTION)
    status_page.refresh_from_db()

    assert status_page.safe_brand_color == DEFAULT_BRAND_COLOR


def test_safe_brand_color_keeps_valid(status_page):
    status_page.brand_color = "#1a2b3c"

    assert status_page.safe_brand_color == "#1a2b3c"


def test_created_only_under_root(status_page):
    root = WagtailPage.get_first_root_node()
    welcome = root.get_children().exclude(pk=status_page.pk).get()

    assert StatusPage.can_create_at(root)
    assert not StatusPage.can_create_at(welcome)
    assert not StatusPage.can_create_at(status_page)
