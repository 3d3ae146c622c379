"""The OpenAPI document of /api/v1/: described, exemplified, and declaring
every status an operation can return, so generated clients agree."""

from __future__ import annotations

import functools
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from statuscore.api import api

ALWAYS = {"401", "403", "422", "429"}


@functools.cache
def _document() -> dict:
    """Return the document as clients read it, with string status codes."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


def _v1_operations() -> list[tuple[str, str, dict]]:
    return [
        (method, path, operation)
        for path, operations in _document()["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
    ]


def _resolve(document: dict, schema: dict) -> dict:
    reference = schema.get("$ref")
    if reference is None:
        return schema
    return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]


OPERATIONS = _v1_operations()
IDS = [f"{method.upper()} {path}" for method, path, _operation in OPERATIONS]


def test_document_served(db):
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/pages" in response.json()["paths"]


def test_docs_page_served(db):
    response = Client().get("/api/docs")

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_operation_described(method, path, operation):
    assert operation.get("summary"), "no summary"
    assert len(operation.get("description", "")) > 20, "no description"


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_operation_has_example(method, path, operation):
    document = _document()
    examples = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        examples.append(_resolve(document, body["schema"]).get("examples"))
    for status, response in operation["responses"].items():
        content = response.get("content", {}).get("application/json")
        if status.startswith("2") and content:
            examples.append(_resolve(document, content["schema"]).get("examples"))
    examples.extend(
        parameter["schema"].get("examples")
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    )

    assert any(examples), f"{method.upper()} {path} shows no example"


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_operation_declares_error_statuses(method, path, operation):
    declared = set(operation["responses"])
    expected = set(ALWAYS)
    if "{" in path:
        expected.add("404")
    if method == "post":
        expected.add("400")
    if method == "post" and operation.get("security"):
        # Idempotency-Key applies to authenticated operations only.
        expected.add("409")
    if method in ("patch", "put"):
        expected.add("400")

    assert expected <= declared, f"undeclared: {sorted(expected - declared)}"


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_error_statuses_use_error_shape(method, path, operation):
    for status, response in operation["responses"].items():
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorResponse"), status


def test_every_post_documents_idempotency_key():
    posts = [operation for method, _path, operation in OPERATIONS if method == "post"]

    assert posts
    for operation in posts:
        names = [parameter["name"] for parameter in operation["parameters"]]
        assert "Idempotency-Key" in names
