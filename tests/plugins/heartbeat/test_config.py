"""The heartbeat checker's configuration: each invalid value names its field."""

from __future__ import annotations

import pytest

from statuscore.exceptions import ValidationFailed
from statuscore.services.checks import validate_check_config

NIGHTLY = {
    "cron": "0 4 * * *",
    "timezone": "Europe/Berlin",
    "degraded_after_seconds": 1800,
    "down_after_seconds": 3600,
}


def errors_of(config: dict) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("heartbeat", config)
    return caught.value.errors


def test_cron_config_accepted():
    config = validate_check_config("heartbeat", NIGHTLY)

    assert config["cron"] == "0 4 * * *"
    assert config["timezone"] == "Europe/Berlin"
    assert config["early_tolerance_seconds"] == 120


def test_period_config_accepted():
    config = validate_check_config("heartbeat", {"period_seconds": 600})

    assert config["period_seconds"] == 600
    assert config["cron"] is None


def test_cron_spaces_normalised():
    config = validate_check_config("heartbeat", {"cron": " 0  4 * * * "})

    assert config["cron"] == "0 4 * * *"


@pytest.mark.parametrize(
    ("config", "field", "words"),
    [
        ({}, "config.cron", "Set either period_seconds or cron"),
        ({"period_seconds": 60, "cron": "0 4 * * *"}, "config.cron", "not both"),
        ({"cron": "61 * * * *"}, "config.cron", "Invalid cron expression"),
        ({"cron": "0 0 30 2 *"}, "config.cron", "Invalid cron expression"),
        ({"cron": "0 4 * * * *"}, "config.cron", "Must have 5 fields"),
        ({"cron": "@daily"}, "config.cron", "Must have 5 fields"),
        (
            {"cron": "0 4 * * *", "timezone": "Mars/Olympus"},
            "config.timezone",
            "Unknown time zone 'Mars/Olympus'",
        ),
        (
            {"period_seconds": 60, "grace_seconds": -1},
            "config.grace_seconds",
            "greater than or equal to 0",
        ),
        ({"period_seconds": 5}, "config.period_seconds", "greater than or equal to 10"),
        (
            {"period_seconds": 60, "grace_seconds": 60, "down_after_seconds": 60},
            "config.down_after_seconds",
            "not both",
        ),
        (
            {"period_seconds": 60, "degraded_after_seconds": 300},
            "config.degraded_after_seconds",
            "(300 s)",
        ),
        (
            {
                "period_seconds": 60,
                "down_after_seconds": 60,
                "degraded_after_seconds": 90,
            },
            "config.degraded_after_seconds",
            "(60 s)",
        ),
        ({"period_seconds": 60, "interval": 60}, "config.interval", "Extra inputs"),
    ],
)
def test_invalid_config_names_field(config, field, words):
    errors = errors_of(config)

    assert list(errors) == [field]
    assert words in " ".join(errors[field])


def test_bad_period_not_reported_twice():
    errors = errors_of({"period_seconds": "often"})

    assert list(errors) == ["config.period_seconds"]
