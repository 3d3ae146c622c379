"""The email notifier plugin: SMTP with the server from Django's settings."""

from statuscore import hookimpl

from plugins.email.notifier import EmailNotifier


@hookimpl
def statuscore_register_notifiers():
    return [EmailNotifier]
