"""The HTTP(S) checker plugin."""

from statuscore import hookimpl

from plugins.http.checker import HttpChecker


@hookimpl
def statuscore_register_checkers():
    return [HttpChecker]
