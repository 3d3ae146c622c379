"""Form fields for a notifier's target, shared by the public subscribe forms.

A visitor types only the target of a notifier (an email address, a phone
number, a webhook URL), which is given by the required fields of its
``Config`` model and its optional text and secret fields. Optional fields
of other types keep their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import pydantic

from statuscore.notifiers import Notifier

__all__ = ["TargetField", "config_from_data", "target_fields"]


@dataclass(frozen=True)
class TargetField:
    """One input of a subscribe form."""

    name: str
    label: str
    input_type: str
    required: bool
    help_text: str


def _is_text(annotation) -> bool:
    return annotation in (str, str | None) or (
        isinstance(annotation, type) and issubclass(annotation, str)
    )


def _input_type(name: str, annotation) -> str:
    if annotation in (pydantic.SecretStr, pydantic.SecretStr | None):
        return "password"
    if name in ("to", "email") or name.endswith("_email"):
        return "email"
    if name == "url" or name.endswith("_url"):
        return "url"
    return "text"


def target_fields(notifier: type[Notifier]) -> list[TargetField]:
    """Return the inputs a visitor fills in to subscribe through ``notifier``."""
    fields = []
    for name, info in notifier.Config.model_fields.items():
        secret = info.annotation in (pydantic.SecretStr, pydantic.SecretStr | None)
        if not (info.is_required() or secret or _is_text(info.annotation)):
            continue
        input_type = _input_type(name, info.annotation)
        label = info.title or name.replace("_", " ").capitalize()
        fields.append(
            TargetField(
                name=name,
                label=label,
                input_type=input_type,
                required=info.is_required(),
                help_text=info.description or "",
            )
        )
    return fields


def config_from_data(notifier: type[Notifier], data, prefix: str = "") -> dict:
    """Return the notifier configuration typed into a form's ``data``.

    Empty optional inputs are left out, so the model's defaults apply.
    """
    config = {}
    for field in target_fields(notifier):
        value = (data.get(prefix + field.name) or "").strip()
        if value or field.required:
            config[field.name] = value
    return config
