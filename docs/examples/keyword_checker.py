"""An example checker plugin: a page is up when its body contains a keyword.

``docs/plugins.md`` walks through this file, and
``tests/statuscore/test_plugin_example.py`` runs it, so the guide stays true.
"""

import time

import httpx
import pydantic

from statuscore import hookimpl
from statuscore.checkers import CheckContext, Checker, Outcome, describe_connect_error


class KeywordConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    url: pydantic.AnyHttpUrl
    keyword: str = pydantic.Field(min_length=1)


class KeywordChecker(Checker):
    name = "example-keyword"
    label = "Keyword on a page (example)"
    Config = KeywordConfig

    async def run(self, config: KeywordConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        try:
            response = await context.http_client.get(
                str(config.url), timeout=context.timeout
            )
        except httpx.TransportError as error:
            return Outcome("down", None, describe_connect_error(error))

        elapsed = round((time.perf_counter() - started) * 1000, 1)
        if config.keyword not in response.text:
            return Outcome("down", elapsed, f"keyword {config.keyword!r} not found")
        return Outcome("up", elapsed)


@hookimpl
def statuscore_register_checkers():
    return [KeywordChecker]
