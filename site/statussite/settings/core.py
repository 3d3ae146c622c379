"""A plain Django project with statuscore and nothing of Wagtail.

statuscore promises to run without Wagtail. This module keeps that promise
honest: it blocks ``wagtail``, ``statuscms`` and their helpers from being
imported at all, as if they were not installed, and ``make test`` runs
statuscore's tests under it.
"""

import importlib.abc
import os
import sys

BLOCKED_PACKAGES = ("wagtail", "statuscms", "modelcluster", "taggit", "treebeard")


class BlockedImportFinder(importlib.abc.MetaPathFinder):
    """Make the blocked packages unimportable, as if uninstalled."""

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (blocked by statussite.settings.core)",
                name=fullname,
            )
        return None


if not any(isinstance(finder, BlockedImportFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, BlockedImportFinder())

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("STATUS_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))

from statussite.env import database_from_env, redis_url_from_env  # noqa: E402

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "statuscore.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "statuscore",
    "huey.contrib.djhuey",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": ["django.template.context_processors.request"]
        },
    }
]
STATIC_URL = "/static/"
BASE_URL = "http://testserver"

DATABASES = {"default": database_from_env("DATABASE_URL", "sqlite:///:memory:")}
REDIS_URL = redis_url_from_env("REDIS_URL")
HUEY = {"huey_class": "huey.MemoryHuey", "name": "statuscore-core", "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
