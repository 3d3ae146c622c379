"""The ICMP echo (ping) checker plugin."""

from statuscore import hookimpl

from plugins.ping.checker import PingChecker


@hookimpl
def statuscore_register_checkers():
    return [PingChecker]
