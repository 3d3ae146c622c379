"""The Discord notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.discord.notifier import DiscordNotifier


@hookimpl
def statuscore_register_notifiers():
    return [DiscordNotifier]
