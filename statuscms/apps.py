from django.apps import AppConfig


class StatusCmsConfig(AppConfig):
    name = "statuscms"
    verbose_name = "Status pages"
    default_auto_field = "django.db.models.BigAutoField"
