"""Admin forms for components and incidents.

The forms validate input only. The views pass ``cleaned_data`` to
``statuscore.services``, which write the change and its event. A
``ValidationFailed`` raised there is put back on the form with
:func:`add_service_errors`.
"""

from __future__ import annotations

import json

from django import forms
from django.db.models import Q, QuerySet
from django.utils.html import format_html

from statuscms.incident_templates import IncidentTemplate
from statuscms.scope import writable_organizations
from statuscms.zoned import LocalDateTimeField, PageZoneFormMixin
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
    field's whole name. A form's ``service_field_names`` maps a service's
    field name to the form field that contains it, such as ``duration`` to
    ``duration_minutes``.
    """
    aliases = getattr(form, "service_field_names", {})
    for field, messages in error.errors.items():
        name, _, path = field.partition(".")
        name = aliases.get(name, name)
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
    """Affected components, each with the status to move it to.

    Every ticked component is recorded as affected by the incident. Each
    component also has its own status field, and a component given a
    status there counts as affected even when it is not ticked. A component
    without its own status moves to ``component_status``, unless that is
    "Leave unchanged".
    """

    component_status = forms.ChoiceField(
        choices=COMPONENT_STATUS_CHOICES,
        required=False,
        initial=LEAVE_UNCHANGED,
        label="Set affected components to",
        help_text="For every affected component without a status of its own below.",
    )

    def add_component_status_fields(self, components) -> None:
        """Add one status field, ``component_<id>_status``, per component,
        placed after ``component_status``."""
        added = {}
        for component in components:
            added[component_status_field(component)] = forms.ChoiceField(
                choices=COMPONENT_STATUS_CHOICES,
                required=False,
                initial=LEAVE_UNCHANGED,
                label=f"Status of {component.name}",
            )

        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "component_status":
                ordered.update(added)
        self.fields = ordered

    def chosen_status(self) -> str | None:
        """Return the status for the affected components, or None to keep theirs."""
        return self.cleaned_data.get("component_status") or None

    def status_fields_set(self) -> list[str]:
        """Return the names of the status fields that are not "Leave unchanged"."""
        names = ["component_status"]
        names += [component_status_field(c) for c in self.fields["components"].queryset]
        return [name for name in names if self.cleaned_data.get(name)]

    def chosen_component_statuses(self) -> dict[Component, str | None]:
        """Map each affected component to its new status, or None to keep it.

        The affected components are the ticked ones and those given a
        status of their own.
        """
        data = self.cleaned_data
        default = self.chosen_status()
        queryset = self.fields["components"].queryset
        chosen: dict[Component, str | None] = {
            component: default for component in data.get("components") or []
        }
        for component in queryset:
            own = data.get(component_status_field(component))
            if own:
                chosen[component] = own
        return self.override_statuses(chosen)

    def override_statuses(
        self, chosen: dict[Component, str | None]
    ) -> dict[Component, str | None]:
        return chosen


def component_status_field(component: Component) -> str:
    return f"component_{component.pk}_status"


NOTIFY_HELP = (
    "Untick to publish without sending the update to subscribers. The team's "
    "alert channels are told either way."
)


class IncidentCreateForm(
    OnlyPageDefaultMixin, PageZoneFormMixin, AffectedComponentsMixin, forms.ModelForm
):
    """A new incident with its first update, or a past incident written afterwards.

    ``started_at`` and ``resolved_at`` are read in the chosen page's time
    zone. Giving ``resolved_at`` records a past incident that is already
    over: it is stored as resolved at that time.
    """

    template = forms.ModelChoiceField(
        queryset=IncidentTemplate.objects.none(),
        required=False,
        label="Template",
        help_text="The template the title, impact and first update came from.",
    )
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
        help_text="What visitors read first: what is wrong and what you are doing. "
        "Markdown is allowed.",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
    )
    started_at = LocalDateTimeField(
        required=False,
        label="Started",
        help_text="Leave empty for now. For an incident written afterwards, when "
        "it began, in the page's time zone.",
    )
    resolved_at = LocalDateTimeField(
        required=False,
        label="Resolved",
        help_text="Only for an incident that is already over: when it ended, in "
        "the page's time zone. The incident is recorded as resolved.",
    )

    zoned_fields = ("started_at", "resolved_at")
    field_order = [
        "template",
        "page",
        "name",
        "impact",
        "status",
        "body",
        "notify_subscribers",
        "components",
        "component_status",
    ]

    class Meta:
        model = Incident
        fields = ["page", "name", "impact", "status", "components"]
        labels = {"name": "Title"}

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if for_user is not None:
            pages = writable_pages(for_user)
            self.fields["page"].queryset = pages
            self.fields["components"].queryset = Component.objects.filter(
                page__in=pages
            ).select_related("page")
        self.fields["template"].queryset = templates_for(for_user)
        self.add_component_status_fields(self.fields["components"].queryset)

        pages = list(self.fields["page"].queryset[:2])
        if len(pages) == 1:
            self.fields["page"].initial = pages[0].pk
            self.show_zone(pages[0].time_zone)

    def zone_name(self) -> str | None:
        page = self.cleaned_data.get("page")
        return None if page is None else page.time_zone

    def clean(self):
        cleaned_data = super().clean()
        started_at = cleaned_data.get("started_at")
        resolved_at = cleaned_data.get("resolved_at")
        if resolved_at is None or self.has_error("started_at"):
            return cleaned_data

        # A past incident records its components as affected without moving
        # them, so a chosen status would be dropped without a word.
        for name in self.status_fields_set():
            self.add_error(
                name,
                "An incident that is already resolved leaves component statuses "
                "unchanged. Choose 'Leave unchanged'.",
            )

        if started_at is None:
            self.add_error(
                "started_at", "Give the start of an incident that is already resolved."
            )
        elif resolved_at.tzinfo and started_at.tzinfo and resolved_at <= started_at:
            self.add_error("resolved_at", "The resolution must come after the start.")
        return cleaned_data


def writable_pages(user) -> QuerySet[Page]:
    """Return the pages of the organisations where ``user`` may write."""
    return Page.objects.filter(organization__in=writable_organizations(user))


def templates_for(user) -> QuerySet[IncidentTemplate]:
    """Return the incident templates ``user`` may use: those of the pages of
    organisations where they may write incidents, and those without a page."""
    templates = IncidentTemplate.objects.select_related("page")
    if user is None:
        return templates
    writable = writable_organizations(user)
    return templates.filter(Q(page__isnull=True) | Q(page__organization__in=writable))


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
        help_text="Markdown is allowed.",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
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
        "the statuses chosen above.",
    )

    field_order = [
        "status",
        "impact",
        "body",
        "notify_subscribers",
        "components",
        "component_status",
    ]

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        incident = self.instance
        components = Component.objects.filter(page_id=incident.page_id)
        self.fields["components"].queryset = components
        affected = list(incident.components.order_by("position", "id"))
        self.fields["components"].help_text = self._describe_affected(affected)
        self.add_component_status_fields(components)
        self.order_fields([*self.field_order, "restore_operational"])
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

    def resolving_with_restore(self) -> bool:
        data = self.cleaned_data
        resolving = data.get("status") == IncidentStatus.RESOLVED
        return resolving and bool(data.get("restore_operational"))

    def chosen_status(self) -> str | None:
        """Return the status for the affected components, or None to keep theirs.

        Resolving with ``restore_operational`` ticked returns them to
        operational and overrides ``component_status``.
        """
        if self.resolving_with_restore():
            return ComponentStatus.OPERATIONAL
        return super().chosen_status()

    def override_statuses(
        self, chosen: dict[Component, str | None]
    ) -> dict[Component, str | None]:
        if self.resolving_with_restore():
            return dict.fromkeys(chosen, ComponentStatus.OPERATIONAL)
        return chosen


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
