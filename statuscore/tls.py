"""The question a TLS proxy asks before it obtains a certificate on demand.

Caddy's on-demand TLS obtains a certificate for any host name a client
names in its TLS handshake, unless an ``ask`` URL says no. Without that
check anyone could point DNS names at the server and make it request
certificates until the certificate authority's rate limits lock out the
real domains. Caddy calls ``GET <ask URL>?domain=<name>`` and goes ahead
only on a 2xx answer.

:func:`tls_ask` answers 200 for the domain of any status page
(``Page.domain``) and for the host of the ``BASE_URL`` setting, and 404
for any other well-formed host name. A missing, empty or malformed
``domain``, an IP address among them, gets 400 with a message naming the
parameter. Private pages count too: their visitors need TLS to reach the
password form.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from statuscore.models import Page
from statuscore.models.pages import validate_domain

__all__ = ["ASK_PATH", "is_served_domain", "normalise_domain", "tls_ask"]

logger = logging.getLogger(__name__)

ASK_PATH = "/tls/ask"
"""Path of :func:`tls_ask`; the project answers it for any ``Host``."""

MAX_DOMAIN_LENGTH = 253
"""Maximum length of a DNS name in text form, without a trailing dot."""


def normalise_domain(value: str) -> str:
    """Return ``value`` as the page services store a domain: stripped of
    spaces, lower-case, and without the one trailing dot of an absolute
    name. DNS names are case-insensitive (RFC 4343), so ``Status.Example.com``
    and ``status.example.com.`` name the same host as
    ``status.example.com``."""
    value = value.strip().lower()
    if value.endswith("."):
        value = value[:-1]
    return value


def _ascii_and_unicode(domain: str) -> set[str]:
    """Return the IDNA (ASCII) and Unicode spellings of ``domain``, because a
    page may store either and a TLS client sends the ASCII one."""
    spellings = {domain}
    try:
        spellings.add(domain.encode("idna").decode("ascii"))
        spellings.add(domain.encode("ascii").decode("idna"))
    except UnicodeError:
        pass
    return spellings


def _base_url_host() -> str:
    host = urlsplit(getattr(settings, "BASE_URL", "") or "").hostname or ""
    return normalise_domain(host)


def is_served_domain(domain: str) -> bool:
    """Return whether ``domain``, already normalised and valid, is the
    domain of a status page or the host of ``BASE_URL``."""
    spellings = _ascii_and_unicode(domain)
    if _base_url_host() in spellings:
        return True
    return Page.objects.filter(domain__in=spellings).exists()


def _invalid(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "field": "domain"}, status=400)


@never_cache
@require_GET
def tls_ask(request: HttpRequest) -> HttpResponse:
    """Answer whether a certificate may be obtained for ``?domain=``.

    Returns 200 for a served domain, 404 for any other host name, and 400
    when ``domain`` is missing, empty, longer than 253 characters, an IP
    address or not a host name.
    """
    raw = request.GET.get("domain")
    if raw is None:
        return _invalid("The query parameter 'domain' is missing.")
    if len(raw) > MAX_DOMAIN_LENGTH + 1:
        return _invalid(
            f"The query parameter 'domain' is {len(raw)} characters long; "
            f"a host name has at most {MAX_DOMAIN_LENGTH}."
        )

    domain = normalise_domain(raw)
    if not domain:
        return _invalid("The query parameter 'domain' is empty.")
    try:
        validate_domain(domain)
    except ValidationError:
        return _invalid(
            f"The query parameter 'domain' is {raw!r}, which is not a host name "
            "such as status.example.com; IP addresses get no certificate."
        )

    if is_served_domain(domain):
        logger.info("TLS ask: certificate allowed for %s", domain)
        return HttpResponse("yes\n", content_type="text/plain")
    # DEBUG, because anyone can send handshakes for names of their choice.
    logger.debug("TLS ask: certificate rejected for unknown domain %s", domain)
    return HttpResponse("unknown domain\n", content_type="text/plain", status=404)
