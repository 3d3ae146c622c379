"""Admin forms for components and incidents.

The forms validate input only. The views pass ``cleaned_data`` to
``statuscore.services``, which write the change and its event. A
``ValidationFailed`` raised there is put back on the form with
:func:`add_service_errors`.
"""

from __future__ import annotations

import json

from django import forms
from django.utils.html import format_html

from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    Incident,
    IncidentImpact,
    IncidentStatus,
    Page,
)

__all__ = [
    "parse_config_json",
    "ComponentCreateForm",
    "ComponentEditForm",
    "ComponentGroupCreateForm",
    "ComponentGroupEditForm",
    "IncidentCreateForm",
    "IncidentUpdateForm",
    "add_service_errors",
]

LEAVE_UNCHANGED = ""
COMPONENT_STATUS_CHOICES = [
    (LEAVE_UNCHANGED, "Leave unchanged"),
    *ComponentStatus.choices,
]


def add_service_errors(form: forms.BaseForm, error: ValidationFailed) -> None:
    """Attach each message of ``error`` to the form field it names.

    Services name nested values with dots, such as ``config.url``. The
    part before the first dot is taken as the form field, and the rest
    starts the message, as in "url: Field required". A message for a field
    the form does not have becomes a non-field error that starts with the
    field's whole name.
    """
    for field, messages in error.errors.items():
        name, _, path = field.partition(".")
        for message in messages:
            if name not in form.fields:
                form.add_error(None, f"{field}: {message}")
            elif path:
                form.add_error(name, f"{path}: {message}")
            else:
                form.add_error(name, message)


class PageLabelMixin:
    """Label choices with their page's name, because one list may mix pages."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.page.name} – {obj.name}"


class PageComponentGroupField(PageLabelMixin, forms.ModelChoiceField):
    pass


class PageComponentsField(PageLabelMixin, forms.ModelMultipleChoiceField):
    pass


class OnlyPageDefaultMixin:
    """Preselect the page when the installation has only one."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pages = list(Page.objects.values_list("pk", flat=True)[:2])
        if len(pages) == 1:
            self.fields["page"].initial = pages[0]


class ComponentGroupEditForm(forms.ModelForm):
    """Name, description and position of an existing component group."""

    class Meta:
        model = ComponentGroup
        fields = ["name", "description", "position"]
        help_texts = {"position": "Groups are listed by position, smallest first."}


class ComponentGroupCreateForm(OnlyPageDefaultMixin, ComponentGroupEditForm):
    """A new component group, on the page the editor chooses."""

    position = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="Groups are listed by position, smallest first. "
        "Leave empty to place the group after the last one.",
    )

    class Meta(ComponentGroupEditForm.Meta):
        fields = ["page", "name", "description", "position"]


class ComponentEditForm(forms.ModelForm):
    """Name, description, group, position and status of an existing component."""

    class Meta:
        model = Component
        fields = ["name", "description", "group", "position", "status"]
        help_texts = {
            "position": "Components are listed by position within their group, "
            "smallest first."
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            groups = ComponentGroup.objects.filter(page_id=self.instance.page_id)
            self.fields["group"].queryset = groups


class ComponentCreateForm(OnlyPageDefaultMixin, ComponentEditForm):
    """A new component, on the page the editor chooses."""

    group = PageComponentGroupField(
        queryset=ComponentGroup.objects.select_related("page"),
        required=False,
        help_text="Must belong to the same page as the component.",
    )

    position = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="Components are listed by position within their group, "
        "smallest first. Leave empty to place the component at the end.",
    )

    class Meta(ComponentEditForm.Meta):
        fields = ["page", "name", "description", "group", "position", "status"]


class AffectedComponentsMixin(forms.Form):
    """Affected components and the status to move them to.

    Every chosen component is recorded as affected by the incident, and
    moves to ``component_status`` unless that is "Leave unchanged".
    """

    component_status = forms.ChoiceField(
        choices=COMPONENT_STATUS_CHOICES,
        required=False,
        initial=LEAVE_UNCHANGED,
        label="Set affected components to",
    )

    def chosen_status(self) -> str | None:
        """Return the status for the affected components, or None to keep theirs."""
        return self.cleaned_data.get("component_status") or None


class IncidentCreateForm(
    OnlyPageDefaultMixin, AffectedComponentsMixin, forms.ModelForm
):
    """A new incident with its first update."""

    components = PageComponentsField(
        queryset=Component.objects.select_related("page"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
        help_text="Must belong to the same page as the incident.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="First update",
        help_text="What visitors read first: what is wrong and what you are doing.",
    )

    field_order = [
        "page",
        "name",
        "impact",
        "status",
        "body",
        "components",
        "component_status",
    ]

    class Meta:
        model = Incident
        fields = ["page", "name", "impact", "status", "components"]
        labels = {"name": "Title"}


class IncidentUpdateForm(AffectedComponentsMixin, forms.ModelForm):
    """A further update to an incident's timeline.

    The ticked components become the incident's affected components:
    unticked ones are removed from the incident and keep their status.
    The fields are not model fields, so validating the form leaves the
    incident untouched; ``post_incident_update`` makes the change.
    """

    status = forms.ChoiceField(choices=IncidentStatus.choices)
    impact = forms.ChoiceField(choices=IncidentImpact.choices)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Message",
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
    )
    restore_operational = forms.BooleanField(
        required=False,
        initial=True,
        label="Return affected components to operational",
        help_text="Applies only when the status is Resolved, and then replaces "
        "the status chosen above.",
    )

    field_order = [
        "status",
        "impact",
        "body",
        "components",
        "component_status",
        "restore_operational",
    ]

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        incident = self.instance
        self.fields["components"].queryset = Component.objects.filter(
            page_id=incident.page_id
        )
        affected = list(incident.components.order_by("position", "id"))
        self.fields["components"].help_text = self._describe_affected(affected)
        if not self.is_bound:
            self.initial.update(status=incident.status, impact=incident.impact)
            self.initial["components"] = [component.pk for component in affected]

    @staticmethod
    def _describe_affected(affected: list[Component]) -> str:
        # format_html escapes the names, because form templates render
        # help text without escaping it.
        untick = "Untick a component to remove it from this incident."
        if not affected:
            return format_html("No components are affected now. {}", untick)
        names = ", ".join(component.name for component in affected)
        return format_html("Affected now: {}. {}", names, untick)

    def chosen_status(self) -> str | None:
        """Return the status for the affected components, or None to keep theirs.

        Resolving with ``restore_operational`` ticked returns them to
        operational and overrides ``component_status``.
        """
        data = self.cleaned_data
        resolving = data.get("status") == IncidentStatus.RESOLVED
        if resolving and data.get("restore_operational"):
            return ComponentStatus.OPERATIONAL
        return super().chosen_status()


def parse_config_json(text: str) -> dict:
    """Return the JSON object of a plugin configuration field, or raise a
    ``ValidationError`` saying what is wrong with the text.

    The plugin's own model validates the content afterwards; this only
    reads the JSON, which the admin shows as a text area.
    """
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise forms.ValidationError(
            f"Invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise forms.ValidationError(
            "Invalid JSON: nested too deeply to read."
        ) from None
    if not isinstance(config, dict):
        raise forms.ValidationError(
            'The configuration must be a JSON object, such as {"url": "..."}.'
        )
    return config
