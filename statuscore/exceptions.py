"""The exceptions statuscore raises.

::

    StatusCoreError
    ├── ValidationFailed        bad input; names the field (API: 422)
    ├── NotFound                no such object, or not visible to the caller
    │                           (API: 404)
    ├── AuthenticationFailed    a token, key or password was rejected
    │                           (API: 401)
    ├── PermissionDenied        the caller may see the object but not change
    │                           it (API: 403)
    ├── RateLimited             too many requests from one client or for one
    │                           address (API: 429)
    ├── PluginError             a plugin is missing or misbehaves
    │   └── UnknownChecker      no checker registered under that name
    ├── CheckFailed             raised inside a checker to report DOWN with
    │                           a reason; the runner records it
    └── NotificationFailed      a notifier could not deliver; states whether
                                retrying can help
"""

from __future__ import annotations


class StatusCoreError(Exception):
    """Base class for every error statuscore raises on purpose."""


class ValidationFailed(StatusCoreError):
    """Input was rejected. ``errors`` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        summary = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in errors.items()
        )
        super().__init__(summary)

    @classmethod
    def for_field(cls, field: str, message: str) -> "ValidationFailed":
        return cls({field: [message]})


class NotFound(StatusCoreError):
    """The object does not exist or is not visible to the caller."""


class AuthenticationFailed(StatusCoreError):
    """A credential was missing, invalid, expired or revoked.

    The message is safe to show to the caller: it does not reveal whether a
    username exists.
    """


class PermissionDenied(StatusCoreError):
    """The caller may read the object but is not allowed to change it."""


class RateLimited(StatusCoreError):
    """Too many requests of one kind; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PluginError(StatusCoreError):
    """A plugin is missing, failed to load, or broke its contract."""


class UnknownChecker(PluginError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"No checker is registered under the name {name!r}.")


class CheckFailed(StatusCoreError):
    """Raised by a checker to report DOWN with a reason a person can act on."""

    def __init__(self, reason: str, details: dict | None = None) -> None:
        self.reason = reason
        self.details = details or {}
        super().__init__(reason)


class NotificationFailed(StatusCoreError):
    """A notifier could not deliver a message.

    ``permanent`` is true when retrying cannot help (an invalid address, a
    revoked token); the dispatcher then stops retrying that recipient.
    """

    def __init__(self, reason: str, permanent: bool = False) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)
