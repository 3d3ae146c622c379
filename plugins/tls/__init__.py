"""The TLS certificate checker plugin."""

from statuscore import hookimpl

from plugins.tls.checker import TlsChecker


@hookimpl
def statuscore_register_checkers():
    return [TlsChecker]
