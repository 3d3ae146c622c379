from django.apps import AppConfig


class StatusCmsConfig(AppConfig):
    name = "statuscms"
    verbose_name = "Status pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from statuscms import signals
        from statuscms.live import broadcast
        from statuscms.snapshots import publishing

        signals.connect(self)
        publishing.connect()
        broadcast.connect()
