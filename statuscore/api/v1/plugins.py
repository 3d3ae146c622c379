"""The plugin catalogue: which checkers and notifiers exist, and what
their configuration looks like, so clients can build forms and validate
before they send."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from statuscore.api.errors import error_responses
from statuscore.api.v1.schemas import example
from statuscore.plugins import get_checkers, get_notifiers
from statuscore.services.channels import secret_fields

__all__ = ["TAG", "router"]

TAG = "Plugins"

router = Router(tags=[TAG])


class CheckerOut(Schema):
    name: str = Field(description="The value of a check's checker field.")
    label: str
    accepts_pushes: bool = Field(description="Checks of it get a push URL.")
    config_schema: dict[str, Any] = Field(description="JSON Schema of the config.")


class NotifierOut(Schema):
    name: str = Field(description="The value of a channel's notifier field.")
    label: str
    subscribable: bool = Field(description="Visitors may subscribe through it.")
    confirmation: str = Field(
        description="How a subscriber confirms: link, code, call or none."
    )
    secret_fields: list[str] = Field(description="Config fields shown masked.")
    config_schema: dict[str, Any] = Field(description="JSON Schema of the config.")


class CatalogueOut(Schema):
    model_config = example(
        {
            "checkers": [
                {
                    "name": "tcp",
                    "label": "TCP port",
                    "accepts_pushes": False,
                    "config_schema": {
                        "type": "object",
                        "properties": {"host": {"type": "string"}},
                    },
                }
            ],
            "notifiers": [
                {
                    "name": "slack",
                    "label": "Slack",
                    "subscribable": True,
                    "confirmation": "none",
                    "secret_fields": ["webhook_url"],
                    "config_schema": {
                        "type": "object",
                        "properties": {"webhook_url": {"type": "string"}},
                    },
                }
            ],
        }
    )

    checkers: list[CheckerOut]
    notifiers: list[NotifierOut]


@router.get(
    "/plugins",
    response={200: CatalogueOut, **error_responses()},
    summary="List checker and notifier plugins",
)
def list_plugins(request: HttpRequest):
    """List the installed checkers and notifiers with the JSON Schema of
    their configuration."""
    checkers = [
        {
            "name": name,
            "label": checker.label,
            "accepts_pushes": checker.accepts_pushes,
            "config_schema": checker.Config.model_json_schema(),
        }
        for name, checker in sorted(get_checkers().items())
    ]
    notifiers = [
        {
            "name": name,
            "label": notifier.label,
            "subscribable": notifier.subscribable,
            "confirmation": notifier.confirmation,
            "secret_fields": sorted(secret_fields(notifier)),
            "config_schema": notifier.Config.model_json_schema(),
        }
        for name, notifier in sorted(get_notifiers().items())
    ]
    return {"checkers": checkers, "notifiers": notifiers}
