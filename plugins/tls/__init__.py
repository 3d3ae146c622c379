"""The TLS certificate checker plugin."""

from plugins.tls.checker import TlsChecker
from statuscore import hookimpl


@hookimpl
def statuscore_register_checkers():
    return [TlsChecker]
