"""statuscore's settings, read from Django settings with the STATUSCORE_ prefix."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class StatusCoreSettings:
    plugins: tuple[str, ...] | None
    """Entry-point names of the plugins to load; ``None`` loads all of them."""

    app_plugins: tuple[str, ...]
    """Dotted paths of modules registered as plugins besides the entry points,
    for the Django apps of the project. ``plugins`` does not filter them."""

    min_check_interval: int
    """Shortest check interval accepted, in seconds."""

    max_check_interval: int
    """Maximum check interval accepted, in seconds."""

    retry_delay: float
    """Seconds between two quick re-tries of a failed run."""

    flap_threshold: int
    """A check that changes state more than this many times within
    ``flap_window`` seconds is flapping."""

    flap_window: int
    """Seconds over which state changes are counted; a flapping check settles
    after this long without a state change."""

    result_queue_size: int
    """Results one monitor keeps in memory while the database is unavailable;
    beyond it the oldest are dropped."""

    result_batch_size: int
    """Results the monitor records in one database transaction."""

    monitor_tick: float
    """Seconds between two looks for due checks in the monitor loop."""

    max_concurrent_checks: int
    """Checks one monitor process runs at the same time."""

    outbox_batch_size: int
    """Outbox rows one drain task processes before it re-queues itself."""

    result_retention_days: int
    """Days raw check results are kept. Roll-ups are kept after that."""

    allow_private_targets: bool
    """Whether checks may connect to loopback, private and other non-global
    addresses. Link-local and cloud metadata addresses are refused anyway."""

    host_overrides: dict[str, tuple[str, ...]]
    """Host names mapped to IP addresses, used by checks instead of DNS."""

    metrics_token: str
    """Bearer token that ``/metrics`` requires; empty leaves it open."""

    confirmation_link_max_age: int
    """Seconds a subscriber's confirmation link stays valid."""

    confirmation_code_max_age: int
    """Seconds a confirmation code sent by SMS or chat stays valid."""

    confirmation_code_attempts: int
    """Wrong codes accepted for one subscriber before a new code is needed."""

    subscribe_limit_per_address: int
    """Subscribe and code requests accepted for one address per window."""

    subscribe_limit_per_client: int
    """Subscribe and code requests accepted from one client IP per window."""

    subscribe_limit_window: int
    """Length in seconds of the window the two limits above count in."""

    fan_out_batch_size: int
    """Delivery rows written by one INSERT when an event fans out."""

    delivery_batch_size: int
    """Deliveries one worker claims at a time."""

    delivery_claim_seconds: int
    """Seconds a claimed delivery belongs to its worker; after that another
    worker may claim it again, on the assumption that the first one died."""

    delivery_max_attempts: int
    """Attempts at one delivery before it fails for good."""

    delivery_retry_base: float
    """Seconds of the first retry delay, doubled for each later attempt."""

    delivery_retry_max: float
    """Maximum retry delay in seconds, before jitter."""

    disable_after_failures: int
    """Failed deliveries in a row after which a subscriber or an alert
    channel is disabled."""

    maintenance_reminder: int
    """Seconds before a maintenance starts at which ``maintenance.reminder``
    is emitted, once per maintenance; 0 sends no reminders."""

    access_token_ttl: int
    """Seconds a JWT access token of the API stays valid."""

    refresh_token_ttl: int
    """Seconds a refresh token stays valid; each refresh issues a new one
    with a new lifetime."""

    jwt_signing_key: str
    """HS256 key that signs access tokens; ``SECRET_KEY`` when unset."""

    jwt_issuer: str
    """``iss`` claim written into access tokens and required when reading."""

    jwt_audience: str
    """``aud`` claim written into access tokens and required when reading."""

    auth_limit_per_client: int
    """Sign-in, registration and refresh requests accepted from one client
    IP per window."""

    auth_limit_per_username: int
    """Sign-in and registration requests accepted for one username per
    window."""

    auth_limit_window: int
    """Length in seconds of the window the two limits above count in."""

    maintenance_series_ahead: int
    """Days ahead for which the scheduler creates the occurrences of
    recurring maintenance windows."""

    api_registration: bool
    """Whether ``POST /api/v1/auth/register`` creates accounts. Off by
    default: it then returns 403 and only administrators create users."""

    api_rate_limit: int
    """Requests to /api/v1/ accepted from one user or API key per minute."""


def get_settings() -> StatusCoreSettings:
    """Read the settings now, so tests that override them are honoured."""
    plugins = getattr(settings, "STATUSCORE_PLUGINS", None)
    return StatusCoreSettings(
        plugins=tuple(plugins) if plugins is not None else None,
        app_plugins=tuple(getattr(settings, "STATUSCORE_APP_PLUGINS", ())),
        min_check_interval=getattr(settings, "STATUSCORE_MIN_CHECK_INTERVAL", 10),
        max_check_interval=getattr(settings, "STATUSCORE_MAX_CHECK_INTERVAL", 86400),
        retry_delay=getattr(settings, "STATUSCORE_RETRY_DELAY", 1.0),
        flap_threshold=getattr(settings, "STATUSCORE_FLAP_THRESHOLD", 4),
        flap_window=getattr(settings, "STATUSCORE_FLAP_WINDOW", 1800),
        result_queue_size=getattr(settings, "STATUSCORE_RESULT_QUEUE_SIZE", 50_000),
        result_batch_size=getattr(settings, "STATUSCORE_RESULT_BATCH_SIZE", 500),
        monitor_tick=getattr(settings, "STATUSCORE_MONITOR_TICK", 1.0),
        max_concurrent_checks=getattr(
            settings, "STATUSCORE_MAX_CONCURRENT_CHECKS", 200
        ),
        outbox_batch_size=getattr(settings, "STATUSCORE_OUTBOX_BATCH_SIZE", 100),
        result_retention_days=getattr(settings, "STATUSCORE_RESULT_RETENTION_DAYS", 30),
        allow_private_targets=getattr(
            settings, "STATUSCORE_ALLOW_PRIVATE_TARGETS", True
        ),
        host_overrides={
            name.lower().rstrip("."): tuple(addresses)
            for name, addresses in getattr(
                settings, "STATUSCORE_HOST_OVERRIDES", {}
            ).items()
        },
        metrics_token=getattr(settings, "STATUSCORE_METRICS_TOKEN", ""),
        confirmation_link_max_age=getattr(
            settings, "STATUSCORE_CONFIRMATION_LINK_MAX_AGE", 48 * 3600
        ),
        confirmation_code_max_age=getattr(
            settings, "STATUSCORE_CONFIRMATION_CODE_MAX_AGE", 15 * 60
        ),
        confirmation_code_attempts=getattr(
            settings, "STATUSCORE_CONFIRMATION_CODE_ATTEMPTS", 5
        ),
        subscribe_limit_per_address=getattr(
            settings, "STATUSCORE_SUBSCRIBE_LIMIT_PER_ADDRESS", 5
        ),
        subscribe_limit_per_client=getattr(
            settings, "STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT", 30
        ),
        subscribe_limit_window=getattr(
            settings, "STATUSCORE_SUBSCRIBE_LIMIT_WINDOW", 3600
        ),
        fan_out_batch_size=getattr(settings, "STATUSCORE_FAN_OUT_BATCH_SIZE", 2000),
        delivery_batch_size=getattr(settings, "STATUSCORE_DELIVERY_BATCH_SIZE", 200),
        delivery_claim_seconds=getattr(
            settings, "STATUSCORE_DELIVERY_CLAIM_SECONDS", 300
        ),
        delivery_max_attempts=getattr(settings, "STATUSCORE_DELIVERY_MAX_ATTEMPTS", 8),
        delivery_retry_base=getattr(settings, "STATUSCORE_DELIVERY_RETRY_BASE", 30.0),
        delivery_retry_max=getattr(settings, "STATUSCORE_DELIVERY_RETRY_MAX", 3600.0),
        disable_after_failures=getattr(
            settings, "STATUSCORE_DISABLE_AFTER_FAILURES", 5
        ),
        maintenance_reminder=getattr(settings, "STATUSCORE_MAINTENANCE_REMINDER", 3600),
        access_token_ttl=getattr(settings, "STATUSCORE_ACCESS_TOKEN_TTL", 300),
        refresh_token_ttl=getattr(
            settings, "STATUSCORE_REFRESH_TOKEN_TTL", 14 * 24 * 3600
        ),
        jwt_signing_key=getattr(settings, "STATUSCORE_JWT_SIGNING_KEY", "")
        or settings.SECRET_KEY,
        jwt_issuer=getattr(settings, "STATUSCORE_JWT_ISSUER", "statuscore"),
        jwt_audience=getattr(settings, "STATUSCORE_JWT_AUDIENCE", "statuscore-api"),
        auth_limit_per_client=getattr(settings, "STATUSCORE_AUTH_LIMIT_PER_CLIENT", 30),
        auth_limit_per_username=getattr(
            settings, "STATUSCORE_AUTH_LIMIT_PER_USERNAME", 10
        ),
        auth_limit_window=getattr(settings, "STATUSCORE_AUTH_LIMIT_WINDOW", 300),
        maintenance_series_ahead=getattr(
            settings, "STATUSCORE_MAINTENANCE_SERIES_AHEAD", 30
        ),
        api_registration=getattr(settings, "STATUSCORE_API_REGISTRATION", False),
        api_rate_limit=getattr(settings, "STATUSCORE_API_RATE_LIMIT", 600),
    )
