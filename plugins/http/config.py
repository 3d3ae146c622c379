"""The configuration of an HTTP check, validated before a check is saved."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pydantic

from plugins.http.assertions import compile_path
from plugins.http.body import DEFAULT_MAX_BODY_BYTES, supported_encodings
from statuscore.certificates import CaPemText
from statuscore.netsafety import IpFamily

__all__ = ["BasicAuth", "HttpConfig", "JsonAssertion", "status_matches"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_BODY_LIMIT = 64 * 1024 * 1024

# A header name is an RFC 9110 token.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_STATUS_RANGE = re.compile(r"^\s*(\d{3})\s*-\s*(\d{3})\s*$")
# Set by the checker from the other options; a value here would conflict.
_RESERVED_HEADERS = {"content-length", "transfer-encoding", "connection", "host"}

Secret = Annotated[
    pydantic.SecretStr,
    # Stored as text: a check needs the real value to run. Only repr() and
    # str() of the model hide it, which keeps it out of log lines.
    pydantic.PlainSerializer(
        lambda value: value.get_secret_value(), return_type=str, when_used="json"
    ),
]


class BasicAuth(pydantic.BaseModel):
    """A user name and password sent with HTTP basic authentication."""

    model_config = pydantic.ConfigDict(extra="forbid")

    username: str = pydantic.Field(max_length=200)
    password: Secret = pydantic.Field(max_length=500)


class JsonAssertion(pydantic.BaseModel):
    """A comparison of one value of a JSON body, selected by a JSONPath."""

    model_config = pydantic.ConfigDict(extra="forbid")

    path: str = pydantic.Field(
        min_length=1,
        max_length=500,
        description="JSONPath (RFC 9535) of one value, such as $.status or $[0].id.",
    )
    op: Literal["==", "!=", "<", "<=", ">", ">=", "contains", "exists", "absent"] = (
        pydantic.Field(
            default="==",
            description=(
                "Comparison with value. 'exists' and 'absent' test only "
                "whether the path selects a value."
            ),
        )
    )
    value: pydantic.JsonValue = pydantic.Field(
        default=None,
        description="JSON value to compare with. Numbers compare by value (1.0 == 1).",
    )
    length: bool = pydantic.Field(
        default=False,
        description=(
            "Compare the number of items of an array, members of an object or "
            "characters of a string instead of the value."
        ),
    )

    @pydantic.field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        compile_path(value)
        return value

    @pydantic.model_validator(mode="after")
    def _value_fits_op(self) -> JsonAssertion:
        if self.op in ("exists", "absent") and self.length:
            raise ValueError(f"'length' cannot be used with '{self.op}'")
        if self.length and (
            not isinstance(self.value, int) or isinstance(self.value, bool)
        ):
            raise ValueError("a length is compared with an integer value")
        return self


def _parse_status(item: Any) -> int | str:
    """Return a status code as an int, or a range as "200-299"."""
    if isinstance(item, bool):
        raise ValueError(f"{item!r} is not a status code")
    if isinstance(item, int):
        low = high = item
    elif isinstance(item, str) and item.strip().isdigit():
        low = high = int(item)
    elif isinstance(item, str) and (match := _STATUS_RANGE.match(item)):
        low, high = int(match[1]), int(match[2])
    else:
        raise ValueError(f"{item!r} is not a status code or a range such as 200-299")
    if not 100 <= low <= high <= 599:
        raise ValueError(f"{item!r} is not within the HTTP status codes 100-599")
    return low if low == high else f"{low}-{high}"


def status_matches(status: int, expected: list[int | str]) -> bool:
    """Return whether ``status`` is one of the codes or ranges in ``expected``."""
    for item in expected:
        if isinstance(item, int) and status == item:
            return True
        if isinstance(item, str):
            low, _, high = item.partition("-")
            if int(low) <= status <= int(high):
                return True
    return False


class HttpConfig(pydantic.BaseModel):
    """Configuration of an HTTP check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    url: pydantic.AnyHttpUrl
    method: str = pydantic.Field(default="GET", description="HTTP method.")
    headers: dict[str, str] = pydantic.Field(
        default_factory=dict,
        max_length=50,
        description="Request headers added to every request of the check.",
    )
    body: str | None = pydantic.Field(
        default=None,
        max_length=65536,
        description="Request body, sent as UTF-8. Set Content-Type in headers.",
    )
    basic_auth: BasicAuth | None = None
    bearer_token: Secret | None = pydantic.Field(
        default=None,
        max_length=4096,
        description="Token sent as 'Authorization: Bearer <token>'.",
    )
    expected_status: list[int | str] = pydantic.Field(
        default_factory=lambda: ["200-299"],
        description=(
            'Status codes and ranges that count as up, such as ["200-299", 301].'
        ),
    )
    keyword: str | None = pydantic.Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Text searched for in the decoded body.",
    )
    keyword_mode: Literal["present", "absent"] = pydantic.Field(
        default="present",
        description="Whether the keyword must be present in the body or absent.",
    )
    keyword_case_sensitive: bool = pydantic.Field(
        default=True,
        description=(
            "Match the keyword's case exactly. Off compares Unicode case folds."
        ),
    )
    json_assertions: list[JsonAssertion] = pydantic.Field(
        default_factory=list,
        max_length=50,
        description="Assertions on a JSON body; all must hold.",
    )
    follow_redirects: bool = True
    max_redirects: int = pydantic.Field(
        default=10, ge=0, le=30, description="Redirects followed before failing."
    )
    verify_tls: bool = pydantic.Field(
        default=True, description="Verify the server's certificate and host name."
    )
    trusted_ca_pem: CaPemText | None = pydantic.Field(
        default=None,
        max_length=100_000,
        description="PEM certificates of private CAs to trust, besides certifi's.",
    )
    ip_family: IpFamily = pydantic.Field(
        default="auto",
        description=(
            "Address family to connect with: 'auto' tries IPv6 and IPv4 with "
            "Happy Eyeballs, 'ipv4' and 'ipv6' use one family only."
        ),
    )
    max_body_bytes: int = pydantic.Field(
        default=DEFAULT_MAX_BODY_BYTES,
        ge=1024,
        le=MAX_BODY_LIMIT,
        description="Largest body read, in bytes after decompression.",
    )
    degraded_after_ms: float | None = pydantic.Field(
        default=None,
        gt=0,
        description="Response time above which an answer counts as degraded.",
    )

    @pydantic.field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        method = value.upper()
        if method not in METHODS:
            raise ValueError(f"must be one of {', '.join(METHODS)}")
        return method

    @pydantic.field_validator("expected_status", mode="before")
    @classmethod
    def _valid_status_codes(cls, value: Any) -> list[int | str]:
        if not isinstance(value, list) or not value:
            raise ValueError("must list at least one status code or range")
        return [_parse_status(item) for item in value]

    @pydantic.field_validator("headers")
    @classmethod
    def _valid_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not _TOKEN.match(name):
                raise ValueError(f"{name!r} is not a valid header name")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"{name} is set by the checker and cannot be given")
            if any(char in text for char in "\r\n\0"):
                raise ValueError(f"the value of {name} contains a line break or NUL")
            if name.lower() == "accept-encoding":
                _check_accept_encoding(text)
        return value

    @pydantic.model_validator(mode="after")
    def _one_authorization(self) -> HttpConfig:
        given = [self.basic_auth is not None, self.bearer_token is not None]
        given.append(any(name.lower() == "authorization" for name in self.headers))
        if sum(given) > 1:
            raise ValueError(
                "give only one of basic_auth, bearer_token and an Authorization header"
            )
        return self


def _check_accept_encoding(text: str) -> None:
    """Reject an Accept-Encoding that names a coding the checker cannot decode."""
    allowed = {*supported_encodings(), "x-gzip", "identity"}
    for part in text.split(","):
        coding = part.split(";", 1)[0].strip().lower()
        if coding and coding not in allowed:
            raise ValueError(
                f"Accept-Encoding names {coding!r}, which this installation cannot "
                f"decode; supported: {', '.join(supported_encodings())}"
            )
