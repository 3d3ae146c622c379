"""The Telegram notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.telegram.notifier import TelegramNotifier


@hookimpl
def statuscore_register_notifiers():
    return [TelegramNotifier]
