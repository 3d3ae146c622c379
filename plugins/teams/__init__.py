"""The Microsoft Teams notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.teams.notifier import TeamsNotifier


@hookimpl
def statuscore_register_notifiers():
    return [TeamsNotifier]
