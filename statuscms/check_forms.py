"""Admin forms for uptime checks.

The forms validate the shape of the input: a JSON object for the
configuration, numbers for the timing. ``create_check`` and
``update_check`` validate the rest, including the configuration against
the checker's pydantic ``Config`` model. Their errors, such as
``config.url``, show on the form field they name, and nothing is stored.
"""

from __future__ import annotations

import json

import pydantic
from django import forms
from django.utils.html import format_html, format_html_join

from statuscms.forms import OnlyPageDefaultMixin, PageLabelMixin, parse_config_json
from statuscore.models import Check, Component, ComponentStatus
from statuscore.plugins import get_checkers
from statuscore.services.checks import OUTAGE_STATUSES

__all__ = ["CheckCreateForm", "CheckEditForm", "describe_config"]

# Shown in the form in place of each secret configuration value.
SECRET_PLACEHOLDER = "********"


def _secret_fields(config_model: type[pydantic.BaseModel]) -> set[str]:
    """Return the top-level fields the JSON schema marks as secret.

    pydantic marks ``SecretStr`` and ``SecretBytes`` fields with
    ``writeOnly`` and ``format: password`` in the schema.
    """
    properties = config_model.model_json_schema().get("properties", {})
    return {
        name
        for name, schema in properties.items()
        if schema.get("writeOnly") or schema.get("format") == "password"
    }


def _schema_type(schema: dict) -> str:
    if "type" in schema:
        return str(schema["type"])
    choices = [_schema_type(option) for option in schema.get("anyOf", [])]
    return " or ".join(choices) or "any"


def describe_config(label: str, config_model: type[pydantic.BaseModel]) -> str:
    """Return HTML help listing a checker's configuration fields.

    Each field shows its JSON type, whether it is required, its default if
    the schema states one, and the description from the pydantic model,
    all escaped.
    """
    schema = config_model.model_json_schema()
    required = set(schema.get("required", []))
    rows = []
    for name, field in schema.get("properties", {}).items():
        if name in required:
            need = "required"
        elif "default" in field:
            need = f"default {json.dumps(field['default'])}"
        else:
            # A default_factory leaves no default in the schema.
            need = "optional"
        rows.append((name, _schema_type(field), need, field.get("description", "")))
    items = format_html_join(
        "", "<li><code>{}</code> ({}, {}) {}</li>", rows
    ) or format_html("<li>No fields; enter {{}}.</li>")
    return format_html("<strong>{}</strong><ul>{}</ul>", label, items)


class ComponentChoiceField(PageLabelMixin, forms.ModelChoiceField):
    pass


class CheckEditForm(forms.ModelForm):
    """The settings of an existing check; its page and checker stay fixed."""

    config = forms.CharField(
        label="Configuration",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="A JSON object with the checker's fields.",
    )
    outage_status = forms.ChoiceField(
        choices=[
            (value, label)
            for value, label in ComponentStatus.choices
            if value in OUTAGE_STATUSES
        ],
        initial=ComponentStatus.MAJOR_OUTAGE,
        help_text="Component status while the check is down.",
    )
    regions = forms.CharField(
        required=False,
        help_text="Comma-separated names of the regions that run the check, "
        "such as eu-west, us-east. Empty: any monitor started without --region.",
    )

    # Meta.fields leaves out ``config``, because the model's validation
    # would reject {} as blank before the checker's Config model could name
    # the missing fields.
    field_order = ["page", "checker", "name", "component", "config"]

    class Meta:
        model = Check
        fields = [
            "name",
            "component",
            "interval_seconds",
            "timeout_seconds",
            "failure_threshold",
            "recovery_threshold",
            "outage_status",
            "enabled",
            "retries",
            "regions",
            "region_quorum",
            "open_incident",
            "incident_impact",
            "incident_title",
            "incident_body",
            "resolve_body",
        ]
        widgets = {
            "incident_body": forms.Textarea(attrs={"rows": 3}),
            "resolve_body": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "interval_seconds": "Seconds between two runs of the check.",
            "timeout_seconds": "Seconds a run may take before it counts as down; "
            "no longer than the interval.",
        }

    # Names of the configuration fields shown as SECRET_PLACEHOLDER.
    secret_fields: set[str] = set()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check = self.instance
        if check.pk is None:
            return

        self.fields["component"].queryset = Component.objects.filter(
            page_id=check.page_id
        )
        checker = get_checkers().get(check.checker)
        if checker is not None:
            self.secret_fields = _secret_fields(checker.Config)
            self.fields["config"].help_text = describe_config(
                checker.label, checker.Config
            )
        if not self.is_bound:
            self.initial["config"] = json.dumps(self._masked_config(), indent=2)
            self.initial["regions"] = ", ".join(check.regions)

    def _masked_config(self) -> dict:
        config = dict(self.instance.config)
        for name in self.secret_fields & set(config):
            config[name] = SECRET_PLACEHOLDER
        return config

    def clean_regions(self) -> list[str]:
        """Split the comma-separated names; the service validates each name."""
        raw = self.cleaned_data["regions"]
        return [name.strip() for name in raw.split(",") if name.strip()]

    def clean_config(self) -> dict:
        config = parse_config_json(self.cleaned_data["config"])

        # A placeholder sent back unchanged keeps the stored secret.
        stored = self.instance.config if self.instance.pk else {}
        for name in self.secret_fields:
            if config.get(name) == SECRET_PLACEHOLDER and name in stored:
                config[name] = stored[name]
        return config


class CheckCreateForm(OnlyPageDefaultMixin, CheckEditForm):
    """A new check: its page, checker and settings."""

    checker = forms.ChoiceField(help_text="What the check runs.")
    component = ComponentChoiceField(
        queryset=Component.objects.select_related("page"),
        required=False,
        help_text="Moves to the outage status while the check is down. "
        "Must belong to the same page as the check.",
    )

    class Meta(CheckEditForm.Meta):
        fields = ["page", "checker", *CheckEditForm.Meta.fields]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        checkers = sorted(get_checkers().items())
        self.fields["checker"].choices = [
            (name, checker.label) for name, checker in checkers
        ]
        self.fields["config"].help_text = format_html(
            "A JSON object with the chosen checker's fields.{}",
            format_html_join(
                "",
                "{}",
                ((describe_config(c.label, c.Config),) for _, c in checkers),
            ),
        )
        if not self.is_bound:
            self.initial["config"] = "{}"
