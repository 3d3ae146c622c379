"""The ICMP echo (ping) checker plugin."""

from plugins.ping.checker import PingChecker
from statuscore import hookimpl


@hookimpl
def statuscore_register_checkers():
    return [PingChecker]
