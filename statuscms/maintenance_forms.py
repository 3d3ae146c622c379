"""Admin forms for scheduled maintenances and recurring maintenance series.

Start and end are typed as wall-clock times in the page's time zone, which
the labels name once the page is known. The services store UTC instants
and keep the zone name on the maintenance. The forms validate input only;
the views pass ``cleaned_data`` to ``statuscore.services``.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms

from statuscms.forms import (
    NOTIFY_HELP,
    OnlyPageDefaultMixin,
    PageComponentsField,
    writable_pages,
)
from statuscms.zoned import LocalDateTimeField, PageZoneFormMixin
from statuscore.models import (
    Component,
    Maintenance,
    MaintenanceFrequency,
    MaintenanceSeries,
    MaintenanceStatus,
)
from statuscore.services.maintenance_series import MAX_DURATION

__all__ = [
    "MaintenanceCompleteForm",
    "MaintenanceCreateForm",
    "MaintenanceEditForm",
    "MaintenanceSeriesCreateForm",
    "MaintenanceSeriesEditForm",
    "MaintenanceUpdatePostForm",
]

LONGEST_WINDOW_MINUTES = int(max(MAX_DURATION.values()).total_seconds() // 60)
"""The largest duration any frequency allows, which also keeps huge numbers
out of ``timedelta``."""

WEEKDAY_CHOICES = [
    ("", "—"),
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
WEEK_OF_MONTH_CHOICES = [
    ("", "—"),
    (1, "First"),
    (2, "Second"),
    (3, "Third"),
    (4, "Fourth"),
    (-1, "Last"),
]


def _scope_to_user(form: forms.BaseForm, user) -> None:
    """Offer only the pages, and their components, that ``user`` may write."""
    if user is None:
        return
    pages = writable_pages(user)
    if "page" in form.fields:
        form.fields["page"].queryset = pages
        only = list(pages[:2])
        if len(only) == 1:
            form.fields["page"].initial = only[0].pk
    components = form.fields["components"]
    components.queryset = components.queryset.filter(page__in=pages)


class MaintenanceWindowMixin(PageZoneFormMixin, forms.Form):
    """Name, window and message of a maintenance."""

    name = forms.CharField(max_length=255, label="Title")
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Description",
        help_text="What will happen and what visitors will notice. Markdown is "
        "allowed.",
    )

    zoned_fields = ("starts_at", "ends_at")

    def clean(self):
        cleaned_data = super().clean()
        starts_at = cleaned_data.get("starts_at")
        ends_at = cleaned_data.get("ends_at")
        both_aware = starts_at and ends_at and starts_at.tzinfo and ends_at.tzinfo
        if both_aware and ends_at <= starts_at:
            self.add_error("ends_at", "The end must be after the start.")
        return cleaned_data


class MaintenanceCreateForm(
    OnlyPageDefaultMixin, MaintenanceWindowMixin, forms.ModelForm
):
    """A new maintenance window on the page the editor chooses."""

    components = PageComponentsField(
        queryset=Component.objects.select_related("page"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
        help_text="They go under maintenance while the work runs. Must belong to "
        "the same page.",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
    )

    field_order = [
        "page",
        "name",
        "starts_at",
        "ends_at",
        "components",
        "body",
        "notify_subscribers",
    ]

    class Meta:
        model = Maintenance
        fields = ["page"]

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scope_to_user(self, for_user)
        pages = list(self.fields["page"].queryset[:2])
        if len(pages) == 1:
            self.show_zone(pages[0].time_zone)

    def zone_name(self) -> str | None:
        page = self.cleaned_data.get("page")
        return None if page is None else page.time_zone


class MaintenanceEditForm(MaintenanceWindowMixin, forms.ModelForm):
    """The window, components and message of an existing maintenance.

    No field is a model field, so validating the form leaves the
    maintenance untouched; ``update_maintenance`` makes the change.
    """

    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
    )

    class Meta:
        model = Maintenance
        fields: list[str] = []

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        maintenance = self.instance
        self.fields["components"].queryset = Component.objects.filter(
            page_id=maintenance.page_id
        )
        self.show_zone(self.zone_name())
        self.initial.update(
            name=maintenance.name,
            starts_at=maintenance.scheduled_for,
            ends_at=maintenance.scheduled_until,
            body=maintenance.body,
            components=[c.pk for c in maintenance.components.all()],
        )

    def zone_name(self) -> str:
        maintenance = self.instance
        return maintenance.time_zone or maintenance.page.time_zone


class MaintenanceUpdatePostForm(forms.Form):
    """An entry on the maintenance's timeline, optionally moving its status."""

    status = forms.ChoiceField(
        choices=[("", "Keep the current status"), *MaintenanceStatus.choices],
        required=False,
        help_text="In progress starts the work, Completed ends it and Cancelled "
        "calls it off, as the scheduler would.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Message",
        help_text="Markdown is allowed.",
    )
    notify_subscribers = forms.BooleanField(
        required=False, initial=True, label="Notify subscribers", help_text=NOTIFY_HELP
    )


class MaintenanceCompleteForm(forms.Form):
    """Confirmation that the work is finished now."""

    restore_components = forms.BooleanField(
        required=False,
        initial=True,
        label="Return affected components to their status from before the work",
        help_text="Untick to leave them under maintenance and set them yourself.",
    )


class SeriesRuleMixin(forms.Form):
    """The recurrence rule and content of a maintenance series."""

    name = forms.CharField(max_length=255, label="Title")
    frequency = forms.ChoiceField(choices=MaintenanceFrequency.choices)
    weekday = forms.TypedChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For weekly and monthly series.",
    )
    week_of_month = forms.TypedChoiceField(
        choices=WEEK_OF_MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Week of the month",
        help_text="For monthly series, such as the last Sunday.",
    )
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Wall-clock time in the page's time zone.",
    )
    duration_minutes = forms.IntegerField(
        min_value=1,
        max_value=LONGEST_WINDOW_MINUTES,
        label="Duration (minutes)",
        help_text="Elapsed time of each window.",
    )
    starts_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="First day",
    )
    ends_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        label="Last day",
        help_text="Leave empty for no end.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Description",
        help_text="Markdown is allowed.",
    )

    service_field_names = {"duration": "duration_minutes"}

    def clean(self):
        cleaned_data = super().clean()
        starts_on = cleaned_data.get("starts_on")
        ends_on = cleaned_data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day must not come before the first.")

        frequency = cleaned_data.get("frequency")
        minutes = cleaned_data.get("duration_minutes")
        longest = MAX_DURATION.get(frequency)
        if minutes and longest and timedelta(minutes=minutes) > longest:
            days = f"{longest.days} day{'s' if longest.days > 1 else ''}"
            minutes = int(longest.total_seconds() // 60)
            self.add_error(
                "duration_minutes",
                f"A {frequency} window lasts at most {days} ({minutes} minutes), "
                "so that it ends before the next one starts.",
            )
        return cleaned_data

    def duration(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["duration_minutes"])


class MaintenanceSeriesCreateForm(
    OnlyPageDefaultMixin, SeriesRuleMixin, forms.ModelForm
):
    """A new recurring window, read in the chosen page's time zone."""

    components = PageComponentsField(
        queryset=Component.objects.select_related("page"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
    )

    field_order = ["page", "name", "frequency", "weekday", "week_of_month"]

    class Meta:
        model = MaintenanceSeries
        fields = ["page"]

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scope_to_user(self, for_user)


class MaintenanceSeriesEditForm(SeriesRuleMixin, forms.ModelForm):
    """The rule and content of an existing series, whose page stays fixed.

    No field is a model field, so validating the form leaves the series
    untouched; ``update_maintenance_series`` makes the change.
    """

    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected components",
    )

    class Meta:
        model = MaintenanceSeries
        fields: list[str] = []

    def __init__(self, *args, for_user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        series = self.instance
        self.fields["components"].queryset = Component.objects.filter(
            page_id=series.page_id
        )
        self.fields["start_time"].help_text = f"Wall-clock time in {series.time_zone}."
        if not self.is_bound:
            self.initial.update(
                name=series.name,
                frequency=series.frequency,
                weekday=series.weekday,
                week_of_month=series.week_of_month,
                start_time=series.start_time,
                duration_minutes=int(series.duration.total_seconds() // 60),
                starts_on=series.starts_on,
                ends_on=series.ends_on,
                body=series.body,
                components=[c.pk for c in series.components.all()],
            )
