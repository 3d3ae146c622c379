"""Settings for the test suite: the base settings with tasks run inline.

``DATABASE_URL`` and ``REDIS_URL`` are honoured, so the same suite runs on
the embedded defaults and on PostgreSQL with Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("STATUS_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))

from statussite.settings.base import *  # noqa: E402,F403
from statussite.settings.base import HUEY, INSTALLED_APPS  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
STATUSCORE_ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Outbox draining runs inline at commit, so tests observe its effects.
HUEY = {**HUEY, "immediate": True}

# Rate-limit counters live in the cache. A per-process cache keeps them from
# leaking between test runs that share one Redis database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Google sign-in is off unless its variables are set, but its tests turn it
# on per test, and social-auth's tables must exist for them.
if "social_django" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "social_django"]
