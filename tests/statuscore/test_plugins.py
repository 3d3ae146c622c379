"""The plugin manager: entry points, STATUSCORE_PLUGINS, contract checks."""

from __future__ import annotations

import importlib.metadata
from types import SimpleNamespace

import pydantic
import pytest
from django.core import checks

from plugins.http.checker import HttpChecker
from plugins.tcp.checker import TcpChecker
from statuscore import hookimpl
from statuscore.checkers import Checker
from statuscore.exceptions import PluginError, UnknownChecker
from statuscore.plugins import (
    ENTRY_POINT_GROUP,
    get_checker,
    get_checkers,
    get_plugin_manager,
    list_plugins,
    register_plugin,
    reset_plugin_manager,
)
from statuscore.system_checks import check_plugins_load
from statuscore.testing import temporary_plugin


class SecondHttpChecker(Checker):
    name = "http"
    label = "Another HTTP"
    Config = pydantic.BaseModel


@hookimpl
def _register_second_http() -> list[type[Checker]]:
    return [SecondHttpChecker]


duplicate_http_plugin = SimpleNamespace(
    statuscore_register_checkers=_register_second_http
)


@hookimpl
def _register_checker_misspelt() -> list[type[Checker]]:
    return []


misspelt_hook_plugin = SimpleNamespace(
    statuscore_register_checker=_register_checker_misspelt
)


@pytest.fixture(autouse=True)
def fresh_plugins():
    """Load plugins anew for each test, with the settings it sets."""
    reset_plugin_manager()
    yield
    reset_plugin_manager()


@pytest.fixture
def extra_entry_point(monkeypatch):
    """Add an entry point to the ``statuscore`` group, as an installed
    distribution would."""
    original = importlib.metadata.entry_points

    def add(name: str, value: str) -> None:
        extra = importlib.metadata.EntryPoint(name, value, ENTRY_POINT_GROUP)

        def entry_points(**params):
            found = original(**params)
            if params.get("group") == ENTRY_POINT_GROUP:
                return importlib.metadata.EntryPoints([*found, extra])
            return found

        monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)

    return add


def plugin_errors() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id == "statuscore.E001"]


def test_builtins_are_entry_points():
    entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    values = {entry_point.name: entry_point.value for entry_point in entry_points}

    assert values.get("http") == "plugins.http"
    assert values.get("tcp") == "plugins.tcp"


def test_builtins_register_checkers():
    checkers = get_checkers()

    assert checkers["http"] is HttpChecker
    assert checkers["tcp"] is TcpChecker


def test_list_plugins_describes_builtins():
    described = {plugin["name"]: plugin for plugin in list_plugins()}

    assert described["http"]["version"] == "0.1.0"
    assert described["http"]["hooks"] == ["statuscore_register_checkers"]
    assert described["tcp"]["hooks"] == ["statuscore_register_checkers"]


def test_unknown_checker_raises():
    with pytest.raises(UnknownChecker):
        get_checker("gopher")


def test_setting_restricts_plugins(settings):
    settings.STATUSCORE_PLUGINS = ["tcp"]
    settings.STATUSCORE_APP_PLUGINS = []
    reset_plugin_manager()

    assert set(get_checkers()) == {"tcp"}
    assert [plugin["name"] for plugin in list_plugins()] == ["tcp"]


def test_app_plugin_registered_by_dotted_path(settings):
    settings.STATUSCORE_PLUGINS = []
    settings.STATUSCORE_APP_PLUGINS = ["plugins.tcp"]
    reset_plugin_manager()

    assert set(get_checkers()) == {"tcp"}
    assert [plugin["name"] for plugin in list_plugins()] == ["plugins.tcp"]


def test_app_plugin_that_fails_to_import_named(settings):
    settings.STATUSCORE_APP_PLUGINS = ["plugins.missing_module"]
    reset_plugin_manager()

    with pytest.raises(PluginError, match="plugins.missing_module"):
        get_checkers()


def test_empty_setting_loads_none(settings):
    settings.STATUSCORE_PLUGINS = []
    reset_plugin_manager()

    assert get_checkers() == {}


def test_duplicate_checker_name_rejected():
    with pytest.raises(PluginError, match="'http'"):
        register_plugin(duplicate_http_plugin, "second-http")

    assert not get_plugin_manager().has_plugin("second-http")
    assert get_checker("http") is HttpChecker


def test_duplicate_plugin_name_rejected():
    with pytest.raises(PluginError, match="'tcp'"):
        register_plugin(SimpleNamespace(), "tcp")


def test_non_checker_rejected():
    @hookimpl
    def statuscore_register_checkers():
        return [object]

    plugin = SimpleNamespace(statuscore_register_checkers=statuscore_register_checkers)

    with pytest.raises(PluginError, match="not a subclass of Checker"):
        register_plugin(plugin, "not-a-checker")


def test_checker_without_config_rejected():
    class NoConfigChecker(Checker):
        name = "no-config"
        label = "No config"

    @hookimpl
    def statuscore_register_checkers():
        return [NoConfigChecker]

    plugin = SimpleNamespace(statuscore_register_checkers=statuscore_register_checkers)

    with pytest.raises(PluginError, match="no Config"):
        register_plugin(plugin, "no-config")


def test_raising_hook_is_plugin_error():
    @hookimpl
    def statuscore_register_checkers():
        raise RuntimeError("database of checkers missing")

    plugin = SimpleNamespace(statuscore_register_checkers=statuscore_register_checkers)

    with pytest.raises(PluginError, match="database of checkers missing"):
        register_plugin(plugin, "raising")


def test_system_check_passes():
    assert plugin_errors() == []


def test_system_check_reports_missing_module(extra_entry_point):
    extra_entry_point("broken", "tests.statuscore.no_such_module")

    errors = plugin_errors()

    assert len(errors) == 1
    assert "'broken'" in errors[0].msg
    assert errors[0].hint


def test_system_check_reports_duplicate(extra_entry_point):
    extra_entry_point("second-http", f"{__name__}:duplicate_http_plugin")

    errors = plugin_errors()

    assert len(errors) == 1
    assert "Two checkers are registered under the name 'http'" in errors[0].msg


def test_system_check_reports_misspelt_hook(extra_entry_point):
    extra_entry_point("misspelt", f"{__name__}:misspelt_hook_plugin")

    errors = check_plugins_load(None)

    assert len(errors) == 1
    assert "statuscore_register_checker" in errors[0].msg


def test_broken_plugin_left_out_by_setting(settings, extra_entry_point):
    extra_entry_point("broken", "tests.statuscore.no_such_module")
    settings.STATUSCORE_PLUGINS = ["http", "tcp"]

    assert plugin_errors() == []


def test_temporary_plugin_rejects_duplicate():
    with pytest.raises(PluginError):
        with temporary_plugin(duplicate_http_plugin, "second-http"):
            pass

    assert get_checker("http") is HttpChecker


def test_unknown_plugin_name_rejected(settings):
    settings.STATUSCORE_PLUGINS = ["http", "nosuch"]
    reset_plugin_manager()
    try:
        with pytest.raises(PluginError, match="not installed: nosuch"):
            get_plugin_manager()
    finally:
        reset_plugin_manager()
