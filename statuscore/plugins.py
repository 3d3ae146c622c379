"""Find, load and look up plugins.

Plugins come from the ``statuscore`` entry-point group, built-in ones
included. ``STATUSCORE_PLUGINS`` limits which entry points load.
``STATUSCORE_APP_PLUGINS`` adds modules of the project's Django apps by
dotted path, for apps that statuscore must not import on its own. The manager
is built on first use, not at import time, so settings overrides in tests
take effect after :func:`reset_plugin_manager`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import threading
from types import ModuleType

import pluggy
import pydantic

from statuscore import hookspecs
from statuscore.checkers import Checker
from statuscore.conf import get_settings
from statuscore.exceptions import PluginError, UnknownChecker
from statuscore.notifiers import Notifier

__all__ = [
    "ENTRY_POINT_GROUP",
    "get_checker",
    "get_checkers",
    "get_notifiers",
    "get_plugin_manager",
    "list_plugins",
    "register_plugin",
    "reset_plugin_manager",
    "unregister_plugin",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "statuscore"

_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None
_checkers: dict[str, type[Checker]] = {}
_notifiers: dict[str, type[Notifier]] = {}
_versions: dict[str, str] = {}


def _build_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)

    allowed = get_settings().plugins
    entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    if allowed is not None:
        unknown = sorted(set(allowed) - set(entry_points.names))
        if unknown:
            raise PluginError(
                f"STATUSCORE_PLUGINS names plugins that are not installed: "
                f"{', '.join(unknown)}. Installed: {', '.join(sorted(entry_points.names))}."
            )

    for entry_point in entry_points:
        if allowed is not None and entry_point.name not in allowed:
            logger.debug("Plugin %s skipped by STATUSCORE_PLUGINS", entry_point.name)
            continue
        if manager.get_plugin(entry_point.name) is not None:
            continue
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except Exception as error:
            raise PluginError(
                f"Plugin {entry_point.name!r} ({entry_point.value}) failed to load: "
                f"{error}"
            ) from error
        if entry_point.dist is not None:
            _versions[entry_point.name] = entry_point.dist.version
        logger.info("Loaded plugin %s from %s", entry_point.name, entry_point.value)

    for path in get_settings().app_plugins:
        _register_app_plugin(manager, path)

    # Without this, pluggy ignores an implementation whose name matches no
    # hook specification, such as a misspelt one.
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(
            f"Plugin {error.plugin!r} implements an unknown hook: {error}"
        ) from error
    return manager


def _register_app_plugin(manager: pluggy.PluginManager, path: str) -> None:
    """Import the module at ``path`` and register it under that name."""
    if manager.get_plugin(path) is not None:
        return
    try:
        module = importlib.import_module(path)
    except ImportError as error:
        raise PluginError(
            f"STATUSCORE_APP_PLUGINS names {path!r}, which failed to import: {error}"
        ) from error
    manager.register(module, name=path)
    logger.info("Loaded app plugin %s", path)


def _collect(results: list[list[type]], base: type, kind: str) -> dict[str, type]:
    registry: dict[str, type] = {}
    for classes in results:
        for cls in classes or []:
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise PluginError(f"{cls!r} is not a subclass of {base.__name__}.")
            name = getattr(cls, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(f"{kind.capitalize()} {cls!r} has no name.")
            config = getattr(cls, "Config", None)
            if not (
                isinstance(config, type) and issubclass(config, pydantic.BaseModel)
            ):
                raise PluginError(
                    f"{kind.capitalize()} {name!r} ({cls.__module__}) has no Config "
                    "model; set Config to a pydantic.BaseModel subclass."
                )
            if name in registry:
                raise PluginError(
                    f"Two {kind}s are registered under the name {name!r}: "
                    f"{registry[name].__module__} and {cls.__module__}."
                )
            registry[name] = cls
    return registry


def _collect_classes(
    manager: pluggy.PluginManager,
) -> tuple[dict[str, type[Checker]], dict[str, type[Notifier]]]:
    """Call the registration hooks and check what the plugins returned."""
    try:
        checker_lists = manager.hook.statuscore_register_checkers()
        notifier_lists = manager.hook.statuscore_register_notifiers()
    except Exception as error:
        raise PluginError(f"A plugin's registration hook raised: {error!r}") from error
    return (
        _collect(checker_lists, Checker, "checker"),
        _collect(notifier_lists, Notifier, "notifier"),
    )


def get_plugin_manager() -> pluggy.PluginManager:
    """Return the process-wide plugin manager, building it on first use.

    Raises ``PluginError`` when a plugin fails to load or breaks the
    registration contract; the next call tries again.
    """
    global _manager, _checkers, _notifiers
    with _lock:
        if _manager is None:
            manager = _build_manager()
            _checkers, _notifiers = _collect_classes(manager)
            _manager = manager
        return _manager


def reset_plugin_manager() -> None:
    """Forget the loaded plugins; the next lookup loads them again."""
    global _manager
    with _lock:
        _manager = None
        _versions.clear()


def register_plugin(plugin: ModuleType | object, name: str) -> None:
    """Register a plugin object by hand, for tests and embedding projects.

    Raises ``PluginError``, and leaves the plugin unregistered, when it
    breaks the registration contract, such as a checker name already taken.
    """
    global _checkers, _notifiers
    manager = get_plugin_manager()
    with _lock:
        if manager.has_plugin(name):
            raise PluginError(
                f"A plugin is already registered under the name {name!r}."
            )
        manager.register(plugin, name=name)
        try:
            _checkers, _notifiers = _collect_classes(manager)
        except PluginError:
            manager.unregister(name=name)
            raise
    logger.info("Registered plugin %s by hand", name)


def unregister_plugin(name: str) -> None:
    """Remove a plugin registered under ``name``, with its checkers and notifiers."""
    global _checkers, _notifiers
    manager = get_plugin_manager()
    with _lock:
        if manager.unregister(name=name) is None:
            raise PluginError(f"No plugin is registered under the name {name!r}.")
        _checkers, _notifiers = _collect_classes(manager)


def get_checkers() -> dict[str, type[Checker]]:
    """Return the registered checker classes by name."""
    get_plugin_manager()
    return dict(_checkers)


def get_checker(name: str) -> type[Checker]:
    """Return the checker class registered as ``name``, or raise ``UnknownChecker``."""
    checkers = get_checkers()
    if name not in checkers:
        raise UnknownChecker(name)
    return checkers[name]


def get_notifiers() -> dict[str, type[Notifier]]:
    """Return the registered notifier classes by name."""
    get_plugin_manager()
    return dict(_notifiers)


def list_plugins() -> list[dict]:
    """Describe each loaded plugin: name, distribution version and hooks."""
    manager = get_plugin_manager()
    described = []
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda p: p[0]):
        described.append(
            {
                "name": name,
                "version": _versions.get(name),
                "hooks": sorted(h.name for h in manager.get_hookcallers(plugin) or []),
            }
        )
    return described
