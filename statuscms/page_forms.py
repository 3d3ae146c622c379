"""The Wagtail editor form of ``StatusPage``.

A new status page either takes a core page that no status page shows yet,
or leaves the choice empty and gets a new core page, created through
``statuscore.services.create_page`` from the page's title and slug.
"""

from __future__ import annotations

import logging
import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from wagtail.admin.forms import WagtailAdminPageForm

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Organization, PageAccess, Role
from statuscore.models import Page as CorePage
from statuscore.models.pages import format_network, parse_ip_allowlist
from statuscore.plugins import get_notifiers
from statuscore.services.pages import (
    MAX_PAGE_PASSWORD_LENGTH,
    MIN_PAGE_PASSWORD_LENGTH,
)
from statuscore.services.validation import full_clean

__all__ = ["StatusPageForm"]

logger = logging.getLogger(__name__)

# Form field of the status page that shows each core page field's errors.
CORE_TO_FORM_FIELD = {"name": "title", "slug": "slug", "organization": "organization"}


def _subscribable_choices() -> list[tuple[str, str]]:
    return sorted(
        (name, notifier.label)
        for name, notifier in get_notifiers().items()
        if notifier.subscribable
    )


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class StatusPageForm(WagtailAdminPageForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        required=False,
        label="Organisation",
        help_text="The organisation of the new core page, when Core page is empty.",
    )
    subscriber_channels = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Visitors may subscribe by",
        help_text=(
            "The channels offered in the page's Subscribe form and API. "
            "Applies when the page is saved, draft or not."
        ),
    )
    message_language = forms.ChoiceField(
        required=False,
        label="Language",
        help_text=(
            "The page's language, for visitors whose browser asks for none of "
            "the shipped languages, and for messages to subscribers who did "
            "not choose one."
        ),
    )
    page_time_zone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text=(
            "IANA time zone in which the page, the admin's time fields and "
            "the messages show times, such as Europe/Berlin."
        ),
    )

    page_domain = forms.CharField(
        required=False,
        max_length=253,
        label="Custom domain",
        help_text=(
            "Host name that serves this page on its own, such as "
            "status.example.com; a Wagtail site is made for it. Point its DNS "
            "at this server. Every page is also served at /pages/<slug>/ on "
            "the main site."
        ),
    )
    access_mode = forms.ChoiceField(
        choices=PageAccess.choices,
        required=False,
        label="Who may read the page",
        help_text=(
            "Applies to the page, its JSON, feeds, badge, widget and live "
            "updates. Private pages are kept out of search engines."
        ),
    )
    access_password = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_PAGE_PASSWORD_LENGTH,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        label="Page password",
        help_text=(
            "For pages readable with a password. Leave empty to keep the "
            "current password; a new one signs out everyone who entered the "
            "old one. It is stored as a hash and never shown."
        ),
    )
    ip_allowlist = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="IP allowlist",
        help_text=(
            "IPv4 or IPv6 addresses and CIDR networks, one per line, such as "
            "192.0.2.0/24. Only these addresses may read the page. Empty "
            "allows every address."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._limit_core_pages()
        self.fields["subscriber_channels"].choices = _subscribable_choices()
        self.fields["message_language"].choices = list(settings.LANGUAGES)
        self.fields["page_time_zone"].choices = _time_zone_choices()
        core_page = self.instance.core_page if self.instance.core_page_id else None
        if core_page is not None:
            self.fields["subscriber_channels"].initial = core_page.subscriber_notifiers
            self.fields["message_language"].initial = core_page.language
            self.fields["page_time_zone"].initial = core_page.time_zone
            self.fields["page_domain"].initial = core_page.domain
            self.fields["access_mode"].initial = core_page.access
            self.fields["ip_allowlist"].initial = "\n".join(core_page.ip_allowlist)
        else:
            self.fields["subscriber_channels"].initial = ["email"]
            self.fields["message_language"].initial = "en"
            self.fields["page_time_zone"].initial = "UTC"
            self.fields["access_mode"].initial = PageAccess.PUBLIC

        if self.instance.pk is not None:
            del self.fields["organization"]
            return

        self.fields["core_page"].required = False
        self.fields["core_page"].help_text = (
            "The core page whose components and incidents this page shows. "
            "Leave empty to create a new one, named after the title and using "
            "this page's slug."
        )
        owned = self._owned_organizations()
        self.fields["organization"].queryset = owned
        organizations = list(owned[:2])
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk

    def _limit_core_pages(self) -> None:
        """Offer only core pages that no other status page shows, of the
        organisations the user owns."""
        free = Q(cms_page__isnull=True)
        if self.instance.core_page_id is not None:
            free |= Q(pk=self.instance.core_page_id)
        self.fields["core_page"].queryset = CorePage.objects.filter(
            free, organization__in=self._owned_organizations()
        )

    def _owned_organizations(self):
        """Return the organisations whose pages the user may set up: every
        one for a superuser, those they own for anyone else."""
        user = getattr(self, "for_user", None)
        if user is not None and user.is_superuser:
            return Organization.objects.all()
        return Organization.objects.filter(
            memberships__user=user, memberships__role=Role.OWNER
        )

    def clean_page_domain(self) -> str:
        domain = self.cleaned_data["page_domain"].strip().lower().rstrip(".")
        if not domain:
            return ""
        draft = CorePage(pk=self.instance.core_page_id, domain=domain)
        others = [
            field.name for field in CorePage._meta.fields if field.name != "domain"
        ]
        try:
            draft.clean_fields(exclude=others)
            draft.validate_constraints(exclude=others)
        except ValidationError as error:
            messages = error.message_dict.get("domain", error.messages)
            raise ValidationError(messages) from None
        return domain

    def clean_ip_allowlist(self) -> list[str]:
        text = self.cleaned_data["ip_allowlist"]
        entries = [entry.strip() for entry in text.replace(",", "\n").splitlines()]
        networks = parse_ip_allowlist([entry for entry in entries if entry])
        return list(dict.fromkeys(format_network(network) for network in networks))

    def clean_access_password(self) -> str:
        password = self.cleaned_data["access_password"]
        if password and len(password) < MIN_PAGE_PASSWORD_LENGTH:
            raise ValidationError(
                f"The password must be at least {MIN_PAGE_PASSWORD_LENGTH} "
                f"characters long; it is {len(password)}."
            )
        return password

    def _check_access(self, cleaned_data) -> None:
        """Require a password for the password mode when none is given or
        stored. A password that failed its own check was given, so it gets
        only that field's message."""
        if "access_password" in self.errors:
            return
        core_page = self.instance.core_page if self.instance.core_page_id else None
        has_password = bool(core_page and core_page.access_password)
        if (
            cleaned_data.get("access_mode") == PageAccess.PASSWORD
            and not cleaned_data.get("access_password")
            and not has_password
        ):
            self.add_error(
                "access_password", "A page readable with a password needs a password."
            )

    def clean(self):
        cleaned_data = super().clean()
        self._check_access(cleaned_data)
        self._check_title_fits_core_name(cleaned_data.get("title"))
        if self.instance.pk is None and not cleaned_data.get("core_page"):
            self._check_new_core_page(cleaned_data)
        return cleaned_data

    def _check_title_fits_core_name(self, title: str | None) -> None:
        # The core page's name follows the title on publish, so a longer
        # title would fail there instead of here.
        max_length = CorePage._meta.get_field("name").max_length
        if title and len(title) > max_length:
            self.add_error(
                "title",
                f"The title is {len(title)} characters long; the maximum is "
                f"{max_length}, because it is also the core page's name.",
            )

    def _new_core_page_organization(self, cleaned_data) -> Organization | None:
        chosen = cleaned_data.get("organization")
        if chosen is not None:
            return chosen

        organizations = list(self._owned_organizations()[:2])
        if len(organizations) == 1:
            return organizations[0]
        if not organizations:
            self.add_error(
                "core_page",
                "No organisation exists to create a new core page in; "
                "choose an existing core page.",
            )
        else:
            self.add_error(
                "organization",
                "Choose the organisation of the new core page, "
                "or choose an existing core page.",
            )
        return None

    def _check_new_core_page(self, cleaned_data) -> None:
        """Validate the core page that ``save`` will create, without storing it."""
        organization = self._new_core_page_organization(cleaned_data)
        if organization is None or self.errors:
            return

        self.new_core_page_organization = organization
        draft = CorePage(
            organization=organization,
            name=cleaned_data.get("title", ""),
            slug=cleaned_data.get("slug", ""),
        )
        try:
            full_clean(draft)
        except ValidationFailed as error:
            for field, messages in error.errors.items():
                form_field = CORE_TO_FORM_FIELD.get(field)
                for message in messages:
                    self.add_error(form_field, f"Core page {field}: {message}")

    def save(self, commit: bool = True):
        status_page = self.instance
        if status_page.pk is None and status_page.core_page_id is None:
            # NOTE: Wagtail's create view saves the new page outside a
            # transaction, so if that save fails, the core page created here
            # stays without a status page. It can then be chosen as Core page.
            status_page.core_page = services.create_page(
                self.new_core_page_organization,
                status_page.title,
                status_page.slug,
            )
            logger.info(
                "Core page %s created for new status page %r",
                status_page.core_page.pk,
                status_page.slug,
            )
        self._save_subscription_settings(status_page.core_page)
        self._save_access_settings(status_page.core_page)
        return super().save(commit=commit)

    def _save_access_settings(self, core_page: CorePage) -> None:
        """Save the domain and access fields through the page service, which
        hashes the password and points a Wagtail site at the domain."""
        changes: dict = {}
        if self.cleaned_data["page_domain"] != core_page.domain:
            changes["domain"] = self.cleaned_data["page_domain"]
        access = self.cleaned_data["access_mode"] or core_page.access
        if access != core_page.access:
            changes["access"] = access
        if self.cleaned_data["access_password"]:
            changes["password"] = self.cleaned_data["access_password"]
        if self.cleaned_data["ip_allowlist"] != core_page.ip_allowlist:
            changes["ip_allowlist"] = self.cleaned_data["ip_allowlist"]
        if changes:
            services.update_page(core_page, **changes)
            logger.info(
                "Domain and access settings of core page %s changed in the admin: %s",
                core_page.pk,
                ", ".join(sorted(changes)),
            )

    def _save_subscription_settings(self, core_page: CorePage) -> None:
        changes = {
            "subscriber_notifiers": list(self.cleaned_data["subscriber_channels"]),
            "language": self.cleaned_data["message_language"] or core_page.language,
            "time_zone": self.cleaned_data["page_time_zone"] or core_page.time_zone,
        }
        current = {
            "subscriber_notifiers": core_page.subscriber_notifiers,
            "language": core_page.language,
            "time_zone": core_page.time_zone,
        }
        if changes != current:
            services.update_page(core_page, **changes)
            logger.info(
                "Subscription and time zone settings of core page %s changed "
                "in the admin",
                core_page.pk,
            )
