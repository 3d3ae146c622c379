"""The any-apprise-URL notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.apprise.notifier import AppriseNotifier


@hookimpl
def statuscore_register_notifiers():
    return [AppriseNotifier]
