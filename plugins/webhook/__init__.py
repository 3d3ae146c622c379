"""The webhook notifier plugin: signed JSON POSTed to a URL."""

from statuscore import hookimpl

from plugins.webhook.notifier import WebhookNotifier


@hookimpl
def statuscore_register_notifiers():
    return [WebhookNotifier]
