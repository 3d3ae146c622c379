"""schemathesis against /api/openapi.json: no 5xx, nothing off the schema.

Every operation of the document, /api/v1/ and the public ones, is called
with 10 generated requests, authenticated as the owner of a populated
organisation. Half of the generated path ids are swapped for ids of that
organisation's objects, so the requests reach real objects and not only
404s. Hypothesis runs derandomized, so each run sends the same requests.
"""

# ruff: noqa: F811

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.statuscore.api_fixtures import Tenant, tenant_a  # noqa: F401

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10

# Only the fuzzing phase, with the document's own examples: the coverage
# and stateful phases send far more than MAX_EXAMPLES requests per
# operation, and a fixed seed makes every run send the same requests.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260801,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", get_wsgi_application(), config=CONFIG
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

OWN_IDS = {
    "organization_id": lambda a: a.organization.pk,
    "member_id": lambda a: a.owner_membership.pk,
    "page_id": lambda a: a.page.pk,
    "group_id": lambda a: a.group.pk,
    "component_id": lambda a: a.component.pk,
    "check_id": lambda a: a.check.pk,
    "channel_id": lambda a: a.channel.pk,
    "subscriber_id": lambda a: a.subscriber.pk,
}


def _use_own_ids(case, tenant: Tenant) -> None:
    """Swap even generated ids for ids of the caller's own objects."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in OWN_IDS and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = OWN_IDS[name](tenant)


@pytest.fixture(autouse=True)
def _no_request_limit(settings):
    settings.STATUSCORE_API_RATE_LIMIT = 1_000_000


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Keep the test's database connection open across requests.

    Requests go through Django's WSGI handler, which closes the connection
    when a request finishes. Inside the test's transaction that would close
    it under the test, so the signal is disconnected, as Django's own test
    client does.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def statuses(request):
    """Collect the statuses of an operation that needs credentials, and
    check after the last example that they were accepted, so that the run
    tested the operation and not only its 401."""
    seen: list[int] = []
    yield seen

    assert 401 not in seen, f"the API rejected the test's credentials: {seen}"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema(case, tenant_a, statuses):
    _use_own_ids(case, tenant_a)

    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {tenant_a.user_token}"}, checks=CHECKS
    )
    if case.operation.definition.raw.get("security"):
        statuses.append(response.status_code)
