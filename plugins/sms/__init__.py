"""The SMS (Twilio) notifier plugin, sent through apprise."""

from statuscore import hookimpl

from plugins.sms.notifier import SmsNotifier


@hookimpl
def statuscore_register_notifiers():
    return [SmsNotifier]
