"""Django system checks for statuscore's configuration."""

from __future__ import annotations

from django.core import checks

from statuscore.exceptions import PluginError


@checks.register()
def check_plugins_load(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Report a plugin that fails to load, or a checker name registered twice."""
    from statuscore.plugins import get_plugin_manager, reset_plugin_manager

    reset_plugin_manager()
    try:
        get_plugin_manager()
    except PluginError as error:
        return [
            checks.Error(
                str(error),
                hint="Fix or uninstall the plugin, or leave it out of STATUSCORE_PLUGINS.",
                id="statuscore.E001",
            )
        ]
    return []
