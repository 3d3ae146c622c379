import ipaddress
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


MAX_IP_ALLOWLIST_ENTRIES = 200


def parse_ip_allowlist(
    entries: object,
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse a list of IPv4 or IPv6 addresses and CIDR networks.

    Raises ``ValidationError`` naming the first invalid entry. A network
    with host bits set, such as ``10.0.0.5/8``, is invalid rather than
    silently widened, because the editor probably meant something else.
    """
    if not isinstance(entries, list | tuple) or not all(
        isinstance(entry, str) for entry in entries
    ):
        raise ValidationError(
            "Expected a list of IP addresses or networks, such as "
            '["192.0.2.0/24", "2001:db8::/32"].',
            code="invalid",
        )
    if len(entries) > MAX_IP_ALLOWLIST_ENTRIES:
        raise ValidationError(
            f"The list has {len(entries)} entries; the maximum is "
            f"{MAX_IP_ALLOWLIST_ENTRIES}.",
            code="invalid",
        )

    networks = []
    for position, entry in enumerate(entries, start=1):
        if "%" in entry:
            # ip_network accepts a zone such as fe80::1%eth0, which names an
            # interface of one machine and never matches a client address.
            raise ValidationError(
                f"Entry {position}, {entry!r}, has a zone (%); an allowlist "
                "entry must be an address or network without one.",
                code="invalid",
            )
        try:
            networks.append(ipaddress.ip_network(entry.strip()))
        except ValueError:
            raise ValidationError(
                f"Entry {position}, {entry!r}, is not an IP address or a network "
                "in CIDR notation such as 192.0.2.0/24 or 2001:db8::/32 "
                "(the address part must have no bits set beyond the prefix).",
                code="invalid",
            ) from None
    return networks


def format_network(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """Write a network as its address alone when it contains one address."""
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def validate_ip_allowlist(value: object) -> None:
    parse_ip_allowlist(value)


def default_ip_allowlist() -> list[str]:
    return []


class PageAccess(models.TextChoices):
    """Who may read a status page, besides any IP allowlist."""

    PUBLIC = "public", "Public"
    PASSWORD = "password", "Anyone with the password"
    MEMBERS = "members", "Signed-in members of the organisation"


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
    access = models.CharField(
        max_length=16,
        choices=PageAccess.choices,
        default=PageAccess.PUBLIC,
        help_text="Who may read the page, its JSON, feeds and live updates.",
    )
    # A Django password hash (see django.contrib.auth.hashers), never the
    # password itself; empty until a password is set.
    access_password = models.CharField(max_length=128, blank=True, default="")
    ip_allowlist = models.JSONField(
        default=default_ip_allowlist,
        blank=True,
        validators=[validate_ip_allowlist],
        help_text=(
            "IP addresses and CIDR networks that may read the page; "
            "empty allows every address."
        ),
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
