"""The heartbeat checker plugin: a job pushes, the monitor notices silence."""

from statuscore import hookimpl

from plugins.heartbeat.checker import HeartbeatChecker


@hookimpl
def statuscore_register_checkers():
    return [HeartbeatChecker]
