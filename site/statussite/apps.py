from django.apps import AppConfig


class StatusSiteConfig(AppConfig):
    name = "statussite"
    verbose_name = "Status site"
