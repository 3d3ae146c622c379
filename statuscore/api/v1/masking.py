"""Secrets in plugin configurations, hidden on the way out.

A checker's or notifier's ``Config`` marks a secret by typing the field
``pydantic.SecretStr`` (at any depth, such as the HTTP checker's
``basic_auth.password``). The API shows such a value as :data:`MASK`.
A client that edits a configuration may send :data:`MASK` back for a
secret it does not change, and the stored secret is kept.
"""

from __future__ import annotations

from typing import Any

import pydantic

__all__ = ["MASK", "masked_config", "restore_masked"]

MASK = "**********"


def _masked(python: Any, dumped: Any) -> Any:
    if isinstance(python, pydantic.SecretStr | pydantic.SecretBytes):
        return MASK if python.get_secret_value() else ""
    if isinstance(python, dict) and isinstance(dumped, dict):
        return {key: _masked(python[key], dumped.get(key)) for key in python}
    if isinstance(python, list | tuple) and isinstance(dumped, list):
        return [_masked(item, json) for item, json in zip(python, dumped, strict=False)]
    return dumped


def masked_config(config_model: type[pydantic.BaseModel] | None, config: dict) -> dict:
    """Return ``config`` as the API shows it, every secret field masked.

    The stored configuration is read through the plugin's model to find
    the secrets. When there is no model (the plugin was uninstalled) or
    the stored value no longer validates, nothing of it is shown, because
    the secret fields can no longer be found.
    """
    if config_model is None:
        return {}
    try:
        model = config_model.model_validate(config)
    except pydantic.ValidationError:
        return {}
    return _masked(model.model_dump(), model.model_dump(mode="json"))


def restore_masked(new: Any, stored: Any) -> Any:
    """Return ``new`` with each :data:`MASK` replaced by the stored value
    at the same place, so an edit that sends the mask keeps the secret."""
    if new == MASK and stored is not None:
        return stored
    if isinstance(new, dict) and isinstance(stored, dict):
        return {
            key: restore_masked(value, stored.get(key)) for key, value in new.items()
        }
    return new
