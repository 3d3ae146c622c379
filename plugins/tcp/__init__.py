"""The TCP port checker plugin."""

from statuscore import hookimpl

from plugins.tcp.checker import TcpChecker


@hookimpl
def statuscore_register_checkers():
    return [TcpChecker]
