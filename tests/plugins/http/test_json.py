"""JSON assertions of the HTTP checker, against bodies served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from plugins.http.assertions import evaluate_assertion, json_equal
from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import http_server

JSON = [("Content-Type", "application/json")]
ROUTES = {
    "/name": (200, JSON, json.dumps({"data": {"name": "john"}}).encode()),
    "/people": (
        200,
        JSON,
        json.dumps([{"age": 18, "adult": True}, {"age": 30, "adult": False}]).encode(),
    ),
    "/html": (200, [("Content-Type", "text/html")], b"Service Unavailable"),
    "/float": (200, JSON, b'{"v": 1.0, "s": "1", "b": true}'),
}


@pytest.fixture(scope="module")
def base_url():
    with http_server(ROUTES) as url:
        yield url


def check(url: str, *assertions: dict) -> Outcome:
    config = {"url": url, "json_assertions": list(assertions)}

    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "http", config, 5.0, client)

    return asyncio.run(run())


def test_missing_path_names_segment(base_url):
    outcome = check(
        f"{base_url}/name",
        {"path": "$.data.name.invalid", "op": "==", "value": "john"},
    )

    assert outcome.status == "down"
    assert outcome.reason == (
        "$.data.name.invalid: path not found at segment ['invalid']; "
        "$['data']['name'] is \"john\" (string)"
    )


@pytest.mark.parametrize(
    "assertion",
    [
        {"path": "$", "op": "==", "value": 2, "length": True},
        {"path": "$[0].adult", "op": "==", "value": True},
        {"path": "$[1].age", "op": ">", "value": 20},
        {"path": "$[1].adult", "op": "==", "value": False},
        {"path": "$[0]", "op": "==", "value": 2, "length": True},
        {"path": "$[0].age", "op": "exists"},
        {"path": "$[5]", "op": "absent"},
    ],
)
def test_array_root_assertion_holds(base_url, assertion):
    outcome = check(f"{base_url}/people", assertion)

    assert outcome.status == "up"
    assert outcome.reason == ""


def test_non_json_body_fails(base_url):
    outcome = check(f"{base_url}/html", {"path": "$.status", "value": "ok"})

    assert outcome.status == "down"
    assert outcome.reason.startswith("body is not JSON")
    assert "Service Unavailable" in outcome.reason


def test_float_equals_integer(base_url):
    outcome = check(f"{base_url}/float", {"path": "$.v", "op": "==", "value": 1})

    assert outcome.status == "up"


@pytest.mark.parametrize(
    ("assertion", "reason"),
    [
        (
            {"path": "$.s", "op": "==", "value": 1},
            '$.s: expected == 1 (number), got "1" (string)',
        ),
        (
            {"path": "$.v", "op": "==", "value": "1"},
            '$.v: expected == "1" (string), got 1.0 (number)',
        ),
        (
            {"path": "$.b", "op": "==", "value": 1},
            "$.b: expected == 1 (number), got true (boolean)",
        ),
        (
            {"path": "$.s", "op": ">", "value": 0},
            '$.s: cannot compare "1" (string) with 0 (number); '
            "> needs two numbers or two strings",
        ),
        (
            {"path": "$.v", "op": "<", "value": 1},
            "$.v: expected < 1 (number), got 1.0 (number)",
        ),
    ],
)
def test_no_type_coercion(base_url, assertion, reason):
    outcome = check(f"{base_url}/float", assertion)

    assert outcome.status == "down"
    assert outcome.reason == reason


def test_every_failure_reported(base_url):
    outcome = check(
        f"{base_url}/people",
        {"path": "$[0].age", "op": "==", "value": 19},
        {"path": "$[1].age", "op": "==", "value": 30},
        {"path": "$[1].name", "op": "exists"},
    )

    assert outcome.status == "down"
    assert outcome.details["json_failures"] == [
        "$[0].age: expected == 19 (number), got 18 (number)",
        "$[1].name: path not found at segment ['name']; "
        '$[1] is {"age": 30, "adult": false} (object)',
    ]


def test_wildcard_selecting_many_fails(base_url):
    outcome = check(f"{base_url}/people", {"path": "$[*].age", "op": ">", "value": 1})

    assert outcome.status == "down"
    assert outcome.reason == "$[*].age: selects 2 values; an assertion needs one"


@pytest.mark.parametrize(
    ("actual", "op", "expected", "holds"),
    [
        ("service ok", "contains", "ok", True),
        (["a", "b"], "contains", "b", True),
        ([1, 2], "contains", True, False),
        ("b", ">", "a", True),
        ({"a": [1]}, "==", {"a": [1.0]}, True),
        ({"a": [1]}, "==", {"a": [True]}, False),
        (None, "==", None, True),
        (None, "!=", 0, True),
    ],
)
def test_comparison(actual, op, expected, holds):
    result = evaluate_assertion({"x": actual}, "$.x", op, expected, length=False)

    assert (result is None) == holds


def test_length_of_number_fails():
    result = evaluate_assertion({"x": 5}, "$.x", "==", 1, length=True)

    assert result == "$.x: has no length, it is 5 (number)"


def test_bool_never_equals_number():
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal(1.0, 1)


@pytest.mark.parametrize(
    "assertion",
    [
        {"path": "data.name"},
        {"path": "$.a | $.b"},
        {"path": "$.a", "op": "matches"},
        {"path": "$.a", "op": "exists", "length": True},
        {"path": "$.a", "op": "==", "value": "2", "length": True},
    ],
)
def test_invalid_assertion_rejected(assertion):
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http", {"url": "http://127.0.0.1/", "json_assertions": [assertion]}
        )

    assert all(
        field.startswith("config.json_assertions.0") for field in caught.value.errors
    )
