"""The DNS record checker plugin."""

from plugins.dns.checker import DnsChecker
from statuscore import hookimpl


@hookimpl
def statuscore_register_checkers():
    return [DnsChecker]
