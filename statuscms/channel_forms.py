"""Admin forms for the team's alert channels.

The notifier's configuration is typed as a JSON object, as for checks, and
validated by ``statuscore.services.channels`` against the notifier's
pydantic ``Config`` model. Its errors, such as ``config.url``, show on the
configuration field.

Secret fields (typed ``SecretStr``) are never written into the page. On
edit each stored secret is shown as ``SECRET_PLACEHOLDER``. A secret sent
back as the placeholder, as an empty string or not at all keeps its stored
value, and ``null`` clears an optional one.
"""

from __future__ import annotations

import json

from django import forms
from django.utils.html import format_html, format_html_join

from statuscms.check_forms import SECRET_PLACEHOLDER, describe_config
from statuscms.forms import parse_config_json
from statuscms.scope import visible_pages
from statuscore.events import EventKind
from statuscore.models import AlertChannel, Page
from statuscore.notifiers import Notifier
from statuscore.plugins import get_notifiers
from statuscore.services.channels import secret_fields

__all__ = ["AlertChannelCreateForm", "AlertChannelEditForm"]

SECRETS_HELP = (
    "Secret fields are shown as {}. Leave that value, or an empty string, to "
    "keep the stored secret; enter null to remove an optional one."
)


def _event_kind_label(kind: EventKind) -> str:
    return kind.value.replace("_", " ").replace(".", ": ", 1).capitalize()


EVENT_KIND_CHOICES = [(kind.value, _event_kind_label(kind)) for kind in EventKind]


class AlertChannelEditForm(forms.ModelForm):
    """The settings of an existing channel; its page and notifier stay fixed."""

    config = forms.CharField(
        label="Configuration",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="A JSON object with the notifier's fields.",
    )
    event_kinds = forms.MultipleChoiceField(
        choices=EVENT_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Events",
        help_text="The events this channel receives. None chosen: it stays quiet.",
    )

    field_order = ["page", "name", "notifier", "config", "event_kinds", "enabled"]

    class Meta:
        model = AlertChannel
        fields = ["name", "enabled"]
        help_texts = {
            "enabled": "Untick to stop sending without losing the settings.",
        }

    # Names of the configuration fields typed SecretStr.
    secret_fields: set[str] = set()

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        channel = self.instance
        if channel.pk is None:
            return

        notifier = get_notifiers().get(channel.notifier)
        if notifier is not None:
            self.secret_fields = secret_fields(notifier)
            self.fields["config"].help_text = _config_help(notifier)
        if not self.is_bound:
            self.initial["config"] = json.dumps(self._masked_config(), indent=2)
            self.initial["event_kinds"] = list(channel.event_kinds)

    def _masked_config(self) -> dict:
        config = dict(self.instance.config)
        for name in self.secret_fields & set(config):
            if config[name]:
                config[name] = SECRET_PLACEHOLDER
        return config

    def clean_config(self) -> dict:
        config = parse_config_json(self.cleaned_data["config"])
        return config

    def clean(self) -> dict:
        """Leave out each secret sent back as the placeholder or blank.

        On edit the service then keeps the stored value. On create the
        model's default applies, or the field is reported as missing.
        """
        cleaned_data = super().clean()
        config = cleaned_data.get("config")
        if isinstance(config, dict):
            for name in self.chosen_secret_fields():
                if config.get(name) in (SECRET_PLACEHOLDER, ""):
                    del config[name]
        return cleaned_data

    def chosen_secret_fields(self) -> set[str]:
        """Return the secret configuration fields of the form's notifier."""
        return self.secret_fields


def _config_help(notifier: type[Notifier]) -> str:
    fields = describe_config(notifier.label, notifier.Config)
    if not secret_fields(notifier):
        return fields
    return format_html("{}{}", fields, SECRETS_HELP.format(SECRET_PLACEHOLDER))


class AlertChannelCreateForm(AlertChannelEditForm):
    """A new channel: its page, notifier and settings.

    The page choice lists only the pages ``for_user`` may see.
    """

    page = forms.ModelChoiceField(queryset=Page.objects.none())
    notifier = forms.ChoiceField(help_text="How the channel sends its messages.")

    class Meta(AlertChannelEditForm.Meta):
        fields = ["page", "name", "enabled"]

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, for_user=for_user, **kwargs)
        pages = visible_pages(for_user)
        self.fields["page"].queryset = pages
        page_ids = list(pages.values_list("pk", flat=True)[:2])
        if len(page_ids) == 1:
            self.fields["page"].initial = page_ids[0]

        notifiers = sorted(get_notifiers().items())
        self.fields["notifier"].choices = [
            (name, notifier.label) for name, notifier in notifiers
        ]
        self.fields["config"].help_text = format_html(
            "A JSON object with the chosen notifier's fields.{}",
            format_html_join(
                "",
                "{}",
                ((describe_config(n.label, n.Config),) for _, n in notifiers),
            ),
        )
        if not self.is_bound:
            self.initial["config"] = "{}"

    def chosen_secret_fields(self) -> set[str]:
        notifier = get_notifiers().get(self.cleaned_data.get("notifier", ""))
        return set() if notifier is None else secret_fields(notifier)
