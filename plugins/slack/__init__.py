"""The Slack notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.slack.notifier import SlackNotifier


@hookimpl
def statuscore_register_notifiers():
    return [SlackNotifier]
