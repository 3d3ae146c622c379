import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    """Accept ``UTC`` and IANA zones of the Area/Location form, such as
    ``Europe/Berlin``.

    The zone database also contains names that are not places: ``localtime``
    (the server's own zone, which differs between machines),
    ``posixrules``, ``Factory`` and legacy abbreviations. They are
    rejected, so every stored zone means the same on every server.
    """
    if value != "UTC" and (
        "/" not in value or value not in zoneinfo.available_timezones()
    ):
        raise ValidationError(f"{value!r} is not an IANA time zone name.")


HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")

DOMAIN_IN_USE = "This domain is already in use."


def validate_domain(value: str) -> None:
    """Accept a fully qualified host name such as ``status.example.com``.

    The public API picks a page by the request's host, so a page's domain
    must be a real name: lower-case letters, digits and hyphens in dotted
    labels, with at least two labels and a top-level label that is not a
    number. That rules out ports, schemes, paths, IP addresses and
    single-label names such as ``localhost``. Internationalised names are
    checked in their ASCII (IDNA) form.
    """
    if not value:
        return

    message = (
        f"{value!r} is not a host name; give a name such as status.example.com, "
        "without a scheme, port or path."
    )
    try:
        ascii_name = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(message, code="invalid") from None

    labels = ascii_name.split(".")
    if (
        ascii_name != ascii_name.lower()
        or len(ascii_name) > 253
        or len(labels) < 2
        or labels[-1].isdigit()
        or not all(HOST_LABEL.fullmatch(label) for label in labels)
    ):
        raise ValidationError(message, code="invalid")


def default_subscriber_notifiers() -> list[str]:
    return ["email"]


class Page(models.Model):
    """A public status page: what visitors see at one address.

    ``domain`` is the custom host name that serves this page, if any. The
    public API picks the page by request host, with ``?page=<slug>`` as a
    fallback.
    """

    organization = models.ForeignKey(
        "statuscore.Organization", on_delete=models.PROTECT, related_name="pages"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    domain = models.CharField(
        max_length=253, blank=True, default="", validators=[validate_domain]
    )
    url = models.URLField(
        blank=True, default="", help_text="Canonical public address of this page."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        max_length=16,
        default="en",
        help_text="Language of messages to subscribers who did not choose one.",
    )
    subscriber_notifiers = models.JSONField(
        default=default_subscriber_notifiers,
        blank=True,
        help_text="Names of the notifiers visitors may subscribe through.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=~models.Q(domain=""),
                name="unique_page_domain",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def validate_constraints(self, exclude=None) -> None:
        """Check the constraints, reporting a domain another page already
        serves on ``domain`` itself: Django reports a conditional unique
        constraint on no field, which a form or API client cannot place."""
        exclude = set(exclude or ())
        errors: dict = {}
        try:
            super().validate_constraints(exclude={*exclude, "domain"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        if "domain" not in exclude and self.domain:
            taken = Page.objects.filter(domain=self.domain).exclude(pk=self.pk)
            if taken.exists():
                errors.setdefault("domain", []).append(
                    ValidationError(DOMAIN_IN_USE, code="unique")
                )
        if errors:
            raise ValidationError(errors)
