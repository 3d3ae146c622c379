"""Settings for the deployable project, read from the environment.

Every variable is documented in ``.env.example``. Unset variables fall back to
the embedded defaults: SQLite under ``var/``, huey on SQLite and the in-memory
channel layer. A malformed one stops start-up with a message naming it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from statussite.env import (
    database_from_env,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_log_level,
    env_str,
    env_time_zone,
    redis_url_from_env,
)

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(env_str("STATUS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """Return ``SECRET_KEY``; in DEBUG, fall back to a key kept under ``var/``."""
    try:
        return env_str("SECRET_KEY")
    except ImproperlyConfigured:
        if not DEBUG:
            raise ImproperlyConfigured(
                "The environment variable SECRET_KEY is missing. Set it to a long "
                "random string, or set DEBUG=1 for a local development key."
            ) from None

    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "statuscore",
    "statuscms",
    "statussite",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "huey.contrib.djhuey",
    "ninja",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "statussite.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "statuscms.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "statuscms.middleware.AdminObjectScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "statussite.urls"
ASGI_APPLICATION = "statussite.asgi.application"
WSGI_APPLICATION = "statussite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_env(
        "DATABASE_URL", f"sqlite:///{VAR_DIR / 'statuspage.sqlite3'}"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The languages whose translations ship with the project: messages to
# subscribers, and the pages visitors see.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every request while the folder is missing, as it is
# before the first collectstatic.
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Queue and live updates: Redis when REDIS_URL is set, embedded otherwise.
REDIS_URL = redis_url_from_env("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "statuspage",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    # Rate limits of subscribe requests count in the cache, which must be
    # shared by every web process to hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "statuspage",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Email: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "The environment variables EMAIL_USE_TLS and EMAIL_USE_SSL are both on; "
        "turn one of them off."
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "status@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

WAGTAIL_SITE_NAME = env_str("WAGTAIL_SITE_NAME", "Status")
# Links in messages to subscribers are built from a page's own URL, else
# from BASE_URL, and never from a request's Host header.
BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

STATUSCORE_PLUGINS = env_list("STATUSCORE_PLUGINS", []) or None
# The CMS opens approval items for incidents that wait for approval.
STATUSCORE_APP_PLUGINS = ["statuscms.approvals"]
STATUSCORE_MIN_CHECK_INTERVAL = env_int("STATUSCORE_MIN_CHECK_INTERVAL", 10, minimum=1)
STATUSCORE_MONITOR_TICK = env_float("STATUSCORE_MONITOR_TICK", 1.0, minimum=0.05)
STATUSCORE_ALLOW_PRIVATE_TARGETS = env_bool("STATUSCORE_ALLOW_PRIVATE_TARGETS", True)
STATUSCORE_RETRY_DELAY = env_float("STATUSCORE_RETRY_DELAY", 1.0, minimum=0.0)
STATUSCORE_FLAP_THRESHOLD = env_int("STATUSCORE_FLAP_THRESHOLD", 4, minimum=1)
STATUSCORE_FLAP_WINDOW = env_int("STATUSCORE_FLAP_WINDOW", 1800, minimum=60)
STATUSCORE_MAX_CONCURRENT_CHECKS = env_int(
    "STATUSCORE_MAX_CONCURRENT_CHECKS", 200, minimum=1
)
# Empty leaves /metrics open; set it where check names are not public.
STATUSCORE_METRICS_TOKEN = env_str("STATUSCORE_METRICS_TOKEN", "")
STATUSCORE_FAN_OUT_BATCH_SIZE = env_int("STATUSCORE_FAN_OUT_BATCH_SIZE", 2000, minimum=1)
STATUSCORE_DELIVERY_BATCH_SIZE = env_int(
    "STATUSCORE_DELIVERY_BATCH_SIZE", 200, minimum=1
)
STATUSCORE_DELIVERY_CLAIM_SECONDS = env_int(
    "STATUSCORE_DELIVERY_CLAIM_SECONDS", 300, minimum=1
)
STATUSCORE_DELIVERY_MAX_ATTEMPTS = env_int(
    "STATUSCORE_DELIVERY_MAX_ATTEMPTS", 8, minimum=1
)
STATUSCORE_DELIVERY_RETRY_BASE = env_float(
    "STATUSCORE_DELIVERY_RETRY_BASE", 30.0, minimum=0.0
)
STATUSCORE_DELIVERY_RETRY_MAX = env_float(
    "STATUSCORE_DELIVERY_RETRY_MAX", 3600.0, minimum=0.0
)
STATUSCORE_DISABLE_AFTER_FAILURES = env_int(
    "STATUSCORE_DISABLE_AFTER_FAILURES", 5, minimum=1
)
# Seconds before a maintenance starts at which subscribers are reminded;
# 0 sends no reminders.
STATUSCORE_MAINTENANCE_REMINDER = env_int(
    "STATUSCORE_MAINTENANCE_REMINDER", 3600, minimum=0
)
# Days ahead for which the scheduler creates the occurrences of recurring
# maintenance windows.
STATUSCORE_MAINTENANCE_SERIES_AHEAD = env_int(
    "STATUSCORE_MAINTENANCE_SERIES_AHEAD", 30, minimum=1
)

# Fernet keys for notifier secrets; the first encrypts, all decrypt. Empty
# derives one key from SECRET_KEY (see docs/notifications.md).
STATUSCORE_ENCRYPTION_KEYS = env_list("STATUSCORE_ENCRYPTION_KEYS", [])
for _position, _key in enumerate(STATUSCORE_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable STATUSCORE_ENCRYPTION_KEYS is invalid: item "
            f"{_position} is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None

# Subscribing: how long confirmation links work, and how many subscribe
# requests one address and one client IP may make per hour.
STATUSCORE_CONFIRMATION_LINK_MAX_AGE = env_int(
    "STATUSCORE_CONFIRMATION_LINK_MAX_AGE", 48 * 3600, minimum=60
)
STATUSCORE_SUBSCRIBE_LIMIT_PER_ADDRESS = env_int(
    "STATUSCORE_SUBSCRIBE_LIMIT_PER_ADDRESS", 5, minimum=1
)
STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = env_int(
    "STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT", 30, minimum=1
)

# Twilio account for SMS subscribers; a team channel may name its own.
STATUSCORE_TWILIO_ACCOUNT_SID = env_str("STATUSCORE_TWILIO_ACCOUNT_SID", "")
STATUSCORE_TWILIO_AUTH_TOKEN = env_str("STATUSCORE_TWILIO_AUTH_TOKEN", "")
STATUSCORE_TWILIO_FROM_NUMBER = env_str("STATUSCORE_TWILIO_FROM_NUMBER", "")

STATUS_DEMO_URLS = env_list("STATUS_DEMO_URLS", [])

# Snapshots of public pages (docs/snapshots.md). Each web process keeps them
# in memory and answers hits before Django; with a root folder set, it also
# writes them as files for nginx or Caddy to serve.
STATUS_SNAPSHOTS = env_bool("STATUS_SNAPSHOTS", True)
STATUS_SNAPSHOT_ROOT = env_str("STATUS_SNAPSHOT_ROOT", "")
STATUS_SNAPSHOT_POLL_INTERVAL = env_float(
    "STATUS_SNAPSHOT_POLL_INTERVAL", 0.25, minimum=0.05
)
STATUS_SNAPSHOT_FULL_INTERVAL = env_float(
    "STATUS_SNAPSHOT_FULL_INTERVAL", 60.0, minimum=1.0
)
# The scheme snapshots are rendered for; requests with the other scheme go
# to Django. Empty means https when SECURE_SSL_REDIRECT is on, else http.
STATUS_SNAPSHOT_SCHEME = env_str("STATUS_SNAPSHOT_SCHEME", "")
if STATUS_SNAPSHOT_SCHEME not in ("", "http", "https"):
    raise ImproperlyConfigured(
        f"The environment variable STATUS_SNAPSHOT_SCHEME={STATUS_SNAPSHOT_SCHEME!r} "
        "is invalid: expected http or https."
    )
STATUS_SNAPSHOT_CACHE_CONTROL = env_str(
    "STATUS_SNAPSHOT_CACHE_CONTROL",
    "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400",
)

# Management API tokens. Access tokens are signed with SECRET_KEY unless
# STATUSCORE_JWT_SIGNING_KEY is set; changing either signs every API user out.
STATUSCORE_ACCESS_TOKEN_TTL = env_int("STATUSCORE_ACCESS_TOKEN_TTL", 300, minimum=30)
STATUSCORE_REFRESH_TOKEN_TTL = env_int(
    "STATUSCORE_REFRESH_TOKEN_TTL", 14 * 24 * 3600, minimum=300
)
STATUSCORE_JWT_SIGNING_KEY = env_str("STATUSCORE_JWT_SIGNING_KEY", "")
# Sign-in, registration and refresh requests accepted per window (seconds)
# from one client IP, and for one username.
STATUSCORE_AUTH_LIMIT_PER_CLIENT = env_int(
    "STATUSCORE_AUTH_LIMIT_PER_CLIENT", 30, minimum=1
)
STATUSCORE_AUTH_LIMIT_PER_USERNAME = env_int(
    "STATUSCORE_AUTH_LIMIT_PER_USERNAME", 10, minimum=1
)
STATUSCORE_AUTH_LIMIT_WINDOW = env_int("STATUSCORE_AUTH_LIMIT_WINDOW", 300, minimum=1)
STATUSCORE_API_REGISTRATION = env_bool("STATUSCORE_API_REGISTRATION", False)

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# Web sign-in with Google: on only when both variables are set. Otherwise
# no URL, backend or button for it exists (see statussite.google).
GOOGLE_OAUTH2_CLIENT_ID = env_str("GOOGLE_OAUTH2_CLIENT_ID", "")
GOOGLE_OAUTH2_CLIENT_SECRET = env_str("GOOGLE_OAUTH2_CLIENT_SECRET", "")
if bool(GOOGLE_OAUTH2_CLIENT_ID) != bool(GOOGLE_OAUTH2_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "Google sign-in needs both GOOGLE_OAUTH2_CLIENT_ID and "
        "GOOGLE_OAUTH2_CLIENT_SECRET; set the missing one or unset both."
    )
GOOGLE_SIGN_IN = bool(GOOGLE_OAUTH2_CLIENT_ID)
if GOOGLE_SIGN_IN:
    from statussite.google import BACKEND as _GOOGLE_BACKEND
    from statussite.google import google_settings as _google_settings

    INSTALLED_APPS.append("social_django")
    AUTHENTICATION_BACKENDS.insert(0, _GOOGLE_BACKEND)
    MIDDLEWARE.append("social_django.middleware.SocialAuthExceptionMiddleware")
    globals().update(
        _google_settings(
            GOOGLE_OAUTH2_CLIENT_ID,
            GOOGLE_OAUTH2_CLIENT_SECRET,
            create_users=env_bool("GOOGLE_OAUTH2_CREATE_USERS", False),
            base_url=BASE_URL,
        )
    )

LOG_LEVEL = env_log_level("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "filters": {"without_traceback": {"()": "statussite.logfilters.WithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "console_brief": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.security.DisallowedHost": {
            "handlers": ["console_brief"],
            "level": "WARNING",
            "propagate": False,
        },
        "statuscore": {"level": LOG_LEVEL},
        "statuscms": {"level": LOG_LEVEL},
        "statussite": {"level": LOG_LEVEL},
        "plugins": {"level": LOG_LEVEL},
        # run_huey adds its own handler to this logger; propagating as well
        # would print every line twice.
        "huey": {"level": LOG_LEVEL, "propagate": False},
    },
}
