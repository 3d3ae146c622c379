"""Admin forms that change one incident: its details, one of its updates, and
its resolution.

Like the other admin forms they validate input only, and the views pass
``cleaned_data`` to ``statuscore.services``. Times are typed in the page's
time zone, which each time field's label names.
"""

from __future__ import annotations

from django import forms

from statuscms.forms import NOTIFY_HELP
from statuscms.zoned import LocalDateTimeField, PageZoneFormMixin
from statuscore.models import Incident, IncidentImpact, IncidentStatus, IncidentUpdate

__all__ = [
    "IncidentDetailsForm",
    "IncidentResolveForm",
    "IncidentUpdateEditForm",
]


class IncidentDetailsForm(PageZoneFormMixin, forms.Form):
    """Title, impact, start and resolution time of an existing incident."""

    name = forms.CharField(max_length=255, label="Title")
    impact = forms.ChoiceField(choices=IncidentImpact.choices)
    started_at = LocalDateTimeField(label="Started")
    resolved_at = LocalDateTimeField(
        required=False,
        label="Resolved",
        help_text="Only for a resolved incident: when it ended.",
    )

    zoned_fields = ("started_at", "resolved_at")

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.show_zone(incident.page.time_zone)
        self.initial.update(
            name=incident.name,
            impact=incident.impact,
            started_at=incident.started_at,
            resolved_at=incident.resolved_at,
        )

    def zone_name(self) -> str:
        return self.incident.page.time_zone

    def clean(self):
        cleaned_data = super().clean()
        started_at = cleaned_data.get("started_at")
        resolved_at = cleaned_data.get("resolved_at")
        if resolved_at is None:
            return cleaned_data

        if not self.incident.is_resolved:
            self.add_error(
                "resolved_at",
                "The incident is not resolved; resolve it to give a resolution time.",
            )
        elif started_at is not None and resolved_at <= started_at:
            self.add_error("resolved_at", "The resolution must come after the start.")
        return cleaned_data


class IncidentUpdateEditForm(PageZoneFormMixin, forms.Form):
    """Status, message and shown time of one update on the timeline."""

    status = forms.ChoiceField(choices=IncidentStatus.choices)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Message",
        help_text="Markdown is allowed.",
    )
    display_at = LocalDateTimeField(
        label="Shown at",
        help_text="The time visitors see for this update.",
    )

    zoned_fields = ("display_at",)

    def __init__(self, *args, update: IncidentUpdate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.update = update
        self.show_zone(update.incident.page.time_zone)
        self.initial.update(
            status=update.status, body=update.body, display_at=update.display_at
        )

    def zone_name(self) -> str:
        return self.update.incident.page.time_zone


class IncidentResolveForm(forms.Form):
    """The closing update of an incident."""

    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Message",
        initial="This incident has been resolved.",
        help_text="Markdown is allowed.",
    )
    restore_components = forms.BooleanField(
        required=False,
        initial=True,
        label="Return affected components to operational",
        help_text="Untick to leave each affected component at its current status.",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
    )
