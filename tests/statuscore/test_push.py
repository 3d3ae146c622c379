"""Push tokens and the push URL, with a push checker that judges nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pydantic
import pytest
from django.utils import timezone

from statuscore import hookimpl
from statuscore.checkers import CheckContext, Checker, Outcome
from statuscore.exceptions import NotFound, ValidationFailed
from statuscore.models import CheckState, Heartbeat, OutboxEvent
from statuscore.services.checks import create_check
from statuscore.services.heartbeats import (
    create_push_check,
    get_push_state,
    record_push,
    regenerate_push_token,
)
from statuscore.testing import fake_plugin, temporary_plugin


class PushOnlyConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    note: str = ""


class PushOnlyChecker(Checker):
    """Accepts pushes; its own runs report up."""

    name = "push-only"
    label = "Push only (tests)"
    Config = PushOnlyConfig
    accepts_pushes = True

    async def run(self, config: PushOnlyConfig, context: CheckContext) -> Outcome:
        return Outcome("up")


@hookimpl
def _register_push_only() -> list[type[Checker]]:
    return [PushOnlyChecker]


push_only_plugin = SimpleNamespace(
    __name__="tests.push_only_plugin",
    statuscore_register_checkers=_register_push_only,
)


@pytest.fixture(autouse=True)
def push_checkers():
    with temporary_plugin(push_only_plugin), temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def push_check(page):
    return create_push_check(
        page, "Nightly backup", "push-only", {}, failure_threshold=3
    )


def push_url(token: str) -> str:
    return f"/api/push/{token}"


def state_changes() -> list[tuple[str, str]]:
    events = OutboxEvent.objects.filter(kind="check.state_changed").order_by("id")
    return [(e.payload["old_state"], e.payload["new_state"]) for e in events]


# -- Tokens -------------------------------------------------------------------


def test_token_is_long_and_random(push_check, page):
    _check, token = push_check
    _other, other_token = create_push_check(page, "Other", "push-only", {})

    assert len(token) >= 43
    assert token != other_token


def test_only_token_digest_stored(push_check):
    check, token = push_check
    heartbeat = Heartbeat.objects.get(uptime_check=check)

    assert heartbeat.token_digest != token
    assert len(heartbeat.token_digest) == 64
    assert not Heartbeat.objects.filter(token_digest=token).exists()


def test_regenerated_token_replaces_old(client, push_check):
    check, old_token = push_check

    new_token = regenerate_push_token(check)

    assert new_token != old_token
    assert client.get(push_url(old_token)).status_code == 404
    assert client.get(push_url(new_token)).status_code == 200


def test_regenerate_issues_first_token(client, page):
    check = create_check(page, "Made without token", "push-only", {})

    token = regenerate_push_token(check)

    assert client.get(push_url(token)).status_code == 200


def test_push_check_needs_push_checker(page):
    with pytest.raises(ValidationFailed) as caught:
        create_push_check(page, "HTTP", "fake", {})

    assert list(caught.value.errors) == ["checker"]
    assert "does not accept pushes" in caught.value.errors["checker"][0]


# -- Recording pushes ---------------------------------------------------------


def test_push_recorded_with_own_timestamp(push_check):
    check, token = push_check
    pushed_at = timezone.now() - timedelta(minutes=5)

    result = record_push(token, pushed_at=pushed_at)
    state = get_push_state(check.pk)

    assert result.checked_at == pushed_at
    assert result.status == "up"
    assert result.details == {"source": "push"}
    assert state.last_push_at == pushed_at
    assert state.last_push_status == "up"


def test_older_push_stays_behind_newer(push_check):
    check, token = push_check
    now = timezone.now()
    record_push(token, pushed_at=now)

    record_push(token, "down", "late report", pushed_at=now - timedelta(seconds=1))
    state = get_push_state(check.pk)

    assert state.last_push_at == now
    assert state.last_push_status == "up"


def test_unknown_token_not_found(push_check):
    with pytest.raises(NotFound):
        record_push("not-a-token")


def test_disabled_check_keeps_push_only(push_check):
    check, token = push_check
    check.enabled = False
    check.save(update_fields=["enabled"])

    result = record_push(token, "down", "disk full")
    check.refresh_from_db()

    assert result is None
    assert get_push_state(check.pk).last_push_message == "disk full"
    assert check.results.count() == 0
    assert check.state == CheckState.UNKNOWN


# -- The push URL -------------------------------------------------------------


def test_get_push_records_up(client, push_check):
    check, token = push_check

    response = client.get(push_url(token))
    check.refresh_from_db()

    assert response.status_code == 200
    assert response.json() == {"ok": True, "recorded": True}
    assert response["Cache-Control"] == "no-store"
    assert check.state == CheckState.UP


def test_down_push_skips_failure_threshold(client, push_check):
    check, token = push_check
    client.get(push_url(token))

    response = client.get(push_url(token), {"status": "down", "msg": "disk full"})
    check.refresh_from_db()

    assert response.status_code == 200
    assert check.state == CheckState.DOWN
    assert check.results.first().reason == "disk full"
    assert state_changes() == [("unknown", "up"), ("up", "down")]


def test_down_push_without_message_has_reason(client, push_check):
    check, token = push_check

    client.get(push_url(token), {"status": "down"})

    assert check.results.first().reason == "the job reported down"


def test_post_form_body_read(client, push_check):
    check, token = push_check

    response = client.post(push_url(token), {"status": "down", "msg": "disk full"})
    check.refresh_from_db()

    assert response.status_code == 200
    assert check.state == CheckState.DOWN
    assert check.results.first().reason == "disk full"


def test_post_query_string_read(client, push_check):
    check, token = push_check

    response = client.post(f"{push_url(token)}?status=down&msg=disk+full")
    check.refresh_from_db()

    assert response.status_code == 200
    assert check.state == CheckState.DOWN


def test_unknown_token_is_404(client, push_check):
    response = client.get(push_url("x" * 43))

    assert response.status_code == 404
    assert response.json() == {"detail": "No check has this push token."}


@pytest.mark.parametrize(
    ("method", "params", "location"),
    [
        ("get", {"status": "sideways"}, ["query", "status"]),
        ("get", {"msg": "x" * 501}, ["query", "msg"]),
        ("post", {"status": "sideways"}, ["form", "status"]),
    ],
)
def test_invalid_parameter_is_422(client, push_check, method, params, location):
    check, token = push_check

    response = getattr(client, method)(push_url(token), params)
    errors = response.json()["detail"]

    assert response.status_code == 422
    assert [error["loc"] for error in errors] == [location]
    assert check.results.count() == 0


def test_unknown_parameter_ignored(client, push_check):
    _check, token = push_check

    response = client.get(push_url(token), {"rid": "1b2c"})

    assert response.status_code == 200


def test_push_uses_few_queries(client, push_check, django_assert_max_num_queries):
    _check, token = push_check
    client.get(push_url(token))

    # Five statements (find the token, update the last push, lock the
    # check, insert the result, update the check) and four savepoints.
    with django_assert_max_num_queries(9):
        response = client.get(push_url(token))

    assert response.status_code == 200


def test_push_route_in_openapi(client):
    schema = client.get("/api/openapi.json").json()

    assert "/api/push/{token}" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/push/{token}"])
