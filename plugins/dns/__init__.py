"""The DNS record checker plugin."""

from statuscore import hookimpl

from plugins.dns.checker import DnsChecker


@hookimpl
def statuscore_register_checkers():
    return [DnsChecker]
