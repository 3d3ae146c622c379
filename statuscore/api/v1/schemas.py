"""Building blocks shared by the schemas of /api/v1/.

Timestamps are aware datetimes both ways. On input, :data:`Timestamp`
rejects a value without an offset with a 422 naming the field (code
``timezone_aware``), because a bare local time is ambiguous for a server
whose callers sit in any zone. On output every datetime is UTC and
serialised with its offset (``Z``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field

__all__ = ["MAX_ID", "InputSchema", "ObjectId", "Position", "Timestamp", "example"]

# The largest id a database row can have (a signed 64-bit integer). A
# larger number in a path or filter is a 422, not a database error.
MAX_ID = 2**63 - 1
MAX_POSITION = 2**31 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID, examples=[42])]
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]


def _representable_in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "The timestamp is out of range once converted to UTC."
        ) from None


Timestamp = Annotated[AwareDatetime, AfterValidator(_representable_in_utc)]
"""An ISO 8601 timestamp with an offset, read as UTC."""


def example(values: dict[str, Any]) -> ConfigDict:
    """Return a ``model_config`` that shows ``values`` as the schema's example."""
    return ConfigDict(json_schema_extra={"examples": [values]})


class InputSchema(Schema):
    """A request body; unknown fields are rejected, naming each one."""

    model_config = ConfigDict(extra="forbid")
