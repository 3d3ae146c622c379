"""Keyword and JSON assertions on a response body.

Keywords are matched on decoded text. Both sides are normalised to Unicode
NFC, so a keyword typed with a combining accent matches the precomposed
character, and a case-insensitive match compares Unicode case folds, so
``STRASSE`` matches ``Straße``.

JSON assertions select one value with a JSONPath (RFC 9535, evaluated by
python-jsonpath in strict mode) and compare it by JSON type:

- Numbers compare by value, so ``1.0 == 1``. Integers are exact and numbers
  with a fraction are IEEE 754 doubles, as Python's ``json`` reads them.
- A string never equals a number and ``true`` never equals ``1``; nothing
  is converted. Ordering (``<``, ``>``...) needs two numbers or two strings.
- A path that selects nothing fails with the first segment that found no
  value, and never satisfies a comparison.
"""

from __future__ import annotations

import json
import operator
import unicodedata
from collections.abc import Callable
from typing import Any

import jsonpath

__all__ = [
    "JSON_PATH_ENVIRONMENT",
    "compile_path",
    "evaluate_assertion",
    "keyword_found",
    "parse_json",
]

JSON_PATH_ENVIRONMENT = jsonpath.JSONPathEnvironment(strict=True)

# Characters of a value shown in a failure reason.
SHOWN_VALUE_CHARS = 120

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _normalise(text: str, case_sensitive: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    if case_sensitive:
        return text
    return unicodedata.normalize("NFC", text.casefold())


def keyword_found(text: str, keyword: str, case_sensitive: bool) -> bool:
    """Return whether ``keyword`` occurs in ``text`` after normalisation."""
    return _normalise(keyword, case_sensitive) in _normalise(text, case_sensitive)


def compile_path(path: str) -> jsonpath.JSONPath:
    """Compile a JSONPath; raise ``ValueError`` for invalid or compound paths."""
    try:
        compiled = JSON_PATH_ENVIRONMENT.compile(path)
    except jsonpath.JSONPathError as error:
        raise ValueError(f"invalid JSONPath: {str(error).splitlines()[0]}") from None
    if not isinstance(compiled, jsonpath.JSONPath):
        raise ValueError("a JSONPath combined with | or & cannot be asserted")
    return compiled


def parse_json(body: bytes) -> Any:
    """Parse a body as JSON; raise ``ValueError`` with "body is not JSON"."""
    try:
        return json.loads(body)
    except ValueError as error:
        start = body[:40].decode("utf-8", errors="replace")
        raise ValueError(f"body is not JSON ({error}), it starts {start!r}") from None


def json_type(value: Any) -> str:
    """Name the JSON type of a parsed value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values by type and value, recursively.

    Python alone would find ``True == 1`` and ``[1] == [True]``.
    """
    if json_type(left) != json_type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            json_equal(left[key], right[key]) for key in left
        )
    return bool(left == right)


def show(value: Any) -> str:
    """Write a value as JSON with its type, shortened for a reason."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > SHOWN_VALUE_CHARS:
        text = text[: SHOWN_VALUE_CHARS - 3] + "..."
    return f"{text} ({json_type(value)})"


def _missing_segment(path: jsonpath.JSONPath, document: Any) -> str:
    """Describe the first segment of ``path`` that selects nothing."""
    segments = path.segments
    for index in range(1, len(segments) + 1):
        prefix = jsonpath.JSONPath(env=path.env, segments=segments[:index])
        if not prefix.findall(document):
            parent = jsonpath.JSONPath(env=path.env, segments=segments[: index - 1])
            found = parent.findall(document)
            where = f"; {parent} is {show(found[0])}" if len(found) == 1 else ""
            return f"segment {segments[index - 1]}{where}"
    return "the end"


def evaluate_assertion(
    document: Any, path: str, op: str, expected: Any, length: bool
) -> str | None:
    """Check one assertion against a parsed document.

    Returns None when it holds, else a reason that shows the actual value.
    ``length`` compares the number of items of an array, members of an
    object or characters of a string instead of the value itself.
    """
    compiled = compile_path(path)
    values = compiled.findall(document)

    if op == "absent":
        if values:
            return f"{path}: expected no value, found {show(values[0])}"
        return None
    if not values:
        return f"{path}: path not found at {_missing_segment(compiled, document)}"
    if len(values) > 1:
        return f"{path}: selects {len(values)} values; an assertion needs one"
    actual = values[0]
    if op == "exists":
        return None

    if length:
        if not isinstance(actual, list | dict | str):
            return f"{path}: has no length, it is {show(actual)}"
        actual = len(actual)
    return _compare(path if not length else f"length({path})", actual, op, expected)


def _compare(label: str, actual: Any, op: str, expected: Any) -> str | None:
    failure = f"{label}: expected {op} {show(expected)}, got {show(actual)}"
    if op == "==":
        return None if json_equal(actual, expected) else failure
    if op == "!=":
        return failure if json_equal(actual, expected) else None
    if op == "contains":
        if isinstance(actual, str) and isinstance(expected, str):
            return None if expected in actual else failure
        if isinstance(actual, list):
            return (
                None if any(json_equal(item, expected) for item in actual) else failure
            )
        return f"{label}: 'contains' needs a string or an array, got {show(actual)}"

    if json_type(actual) != json_type(expected) or json_type(actual) not in (
        "number",
        "string",
    ):
        return (
            f"{label}: cannot compare {show(actual)} with {show(expected)}; "
            f"{op} needs two numbers or two strings"
        )
    return None if _ORDERINGS[op](actual, expected) else failure
