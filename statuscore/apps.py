from django.apps import AppConfig


class StatusCoreConfig(AppConfig):
    name = "statuscore"
    verbose_name = "Status core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from statuscore import system_checks, tasks  # noqa: F401  (registers them)
