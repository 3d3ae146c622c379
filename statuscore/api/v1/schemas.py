"""Building blocks shared by the schemas of /api/v1/.

Timestamps are aware datetimes both ways. On input, ``AwareDatetime``
rejects a value without an offset with a 422 naming the field (code
``timezone_aware``), because a bare local time is ambiguous for a server
whose callers sit in any zone. On output every datetime is UTC and
serialised with its offset (``Z``).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict

__all__ = ["AwareDatetime", "InputSchema", "example"]


def example(values: dict[str, Any]) -> ConfigDict:
    """Return a ``model_config`` that shows ``values`` as the schema's example."""
    return ConfigDict(json_schema_extra={"examples": [values]})


class InputSchema(Schema):
    """A request body; unknown fields are rejected, naming each one."""

    model_config = ConfigDict(extra="forbid")
