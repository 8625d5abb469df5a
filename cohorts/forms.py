"""Forms of the cohort pages. On the facilitator's pages dates and times are typed as
wall-clock times in the cohort's zone and leave the form as aware datetimes; prices are typed
in major units. The member's forms (list filters, enrolment, submissions, peer reviews) follow."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import F, Q
from django.forms.fields import BaseTemporalField
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.timezones import TimeZoneField
from core.forms import clean_price
from core.money import CURRENCIES, ZERO_DECIMAL, minor_units_per_major
from mentors.models import Skill

from .models import Cohort, CohortEvent, Module
from .services import MAX_SERIES_WEEKS, EventPlan

FIRST_YEAR, LAST_YEAR = 2000, 2100


def aware(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant a wall clock in `zone` shows `at` on `day`; a time skipped by a DST change
    is refused rather than silently moved."""
    moment = datetime.combine(day, at, tzinfo=zone)
    back = moment.astimezone(UTC).astimezone(zone)
    if (back.date(), back.time()) != (day, at):
        raise forms.ValidationError(
            _("%(moment)s does not exist in %(zone)s: the clocks change then.")
            % {"moment": f"{day:%Y-%m-%d} {at:%H:%M}", "zone": zone.key}
        )
    return moment


def local(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """An aware datetime as the naive wall-clock time the inputs show."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DayField(forms.DateField):
    """A date within reach (no year 9999 that overflows once weeks are added)."""

    widget = DateInput

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return day


class LocalDateTimeField(forms.DateTimeField):
    """A naive wall-clock date and time; the form turns it into an instant in the cohort's zone
    (Django's own field would read it in the viewer's zone instead)."""

    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            moment = value.replace(tzinfo=None)
        else:
            moment = BaseTemporalField.to_python(self, str(value).strip())
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return moment

    def prepare_value(self, value):
        return value


def _to_aware(form: forms.Form, name: str, zone: zoneinfo.ZoneInfo) -> None:
    moment = form.cleaned_data.get(name)
    if moment is None:
        return
    try:
        form.cleaned_data[name] = aware(moment.date(), moment.time(), zone)
    except forms.ValidationError as error:
        form.add_error(name, error)


class CohortForm(forms.Form):
    title = forms.CharField(max_length=120, label=gettext_lazy("Title"))
    outcome = forms.CharField(max_length=200, label=gettext_lazy("The outcome it leads to"))
    description = forms.CharField(
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=gettext_lazy("Description"),
        help_text=gettext_lazy("Markdown works."),
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label=gettext_lazy("Skills"),
        help_text=gettext_lazy("Hold Ctrl (⌘ on a Mac) to pick several."),
    )
    start_date = DayField(label=gettext_lazy("Start date"))
    weeks = forms.IntegerField(min_value=1, max_value=26, label=gettext_lazy("Weeks"))
    timezone = TimeZoneField(label=gettext_lazy("Time zone of the cohort"))
    seats_min = forms.IntegerField(min_value=1, max_value=500, label=gettext_lazy("Minimum seats to run"))
    seats_max = forms.IntegerField(min_value=1, max_value=500, label=gettext_lazy("Maximum seats"))
    price = forms.DecimalField(
        min_value=0,
        max_value=100000,
        decimal_places=2,
        label=gettext_lazy("Price per seat"),
        help_text=gettext_lazy("0 makes it free."),
    )
    currency = forms.ChoiceField(choices=CURRENCIES, label=gettext_lazy("Currency"))
    enrollment_deadline = LocalDateTimeField(
        label=gettext_lazy("Enrollment deadline"),
        help_text=gettext_lazy(
            "In the cohort's time zone. Below the minimum by then, the cohort is cancelled and refunded."
        ),
    )
    member_discount_percent = forms.IntegerField(
        min_value=0, max_value=100, initial=0, label=gettext_lazy("Member discount on your 1:1 sessions (%)")
    )
    norms = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Norms"),
        help_text=gettext_lazy("The group's working agreement; each member accepts it when enrolling."),
    )
    outcomes_public = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("Show anonymised outcomes on the cohort page")
    )

    SERVICE_FIELDS = (
        "title",
        "outcome",
        "description",
        "start_date",
        "weeks",
        "timezone",
        "seats_min",
        "seats_max",
        "currency",
        "enrollment_deadline",
        "member_discount_percent",
        "norms",
        "outcomes_public",
    )

    @classmethod
    def for_cohort(cls, cohort: Cohort, data=None) -> CohortForm:
        initial = {name: getattr(cohort, name) for name in cls.SERVICE_FIELDS}
        initial["enrollment_deadline"] = local(cohort.enrollment_deadline, cohort.zone)
        initial["price"] = Decimal(cohort.price_amount) / minor_units_per_major(cohort.currency)
        initial["skills"] = list(cohort.skills.all())
        return cls(data, initial=initial)

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        if data.get("timezone"):
            _to_aware(self, "enrollment_deadline", zoneinfo.ZoneInfo(data["timezone"]))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {**{name: data[name] for name in self.SERVICE_FIELDS}, "price_amount": data["price_amount"]}


class ModuleForm(forms.Form):
    week = forms.IntegerField(min_value=1, max_value=26, label=gettext_lazy("Week"))
    title = forms.CharField(max_length=120, label=gettext_lazy("Title"))
    content = forms.CharField(
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        label=gettext_lazy("Content"),
        help_text=gettext_lazy("Markdown works."),
    )
    assignment = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Assignment"),
        help_text=gettext_lazy("Markdown works. Leave empty for a week without an assignment."),
    )
    release_at = LocalDateTimeField(
        label=gettext_lazy("Released on"), help_text=gettext_lazy("Members see the content from then.")
    )
    assignment_due_at = LocalDateTimeField(required=False, label=gettext_lazy("Assignment due"))

    FIELDS = ("week", "title", "content", "assignment", "release_at", "assignment_due_at")

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["week"].widget.attrs["max"] = cohort.weeks
        self.fields["release_at"].help_text = _(
            "Members see the content from then. Times are in %(zone)s."
        ) % {"zone": cohort.timezone}

    @classmethod
    def for_module(cls, module: Module, data=None) -> ModuleForm:
        zone = module.cohort.zone
        initial = {name: getattr(module, name) for name in cls.FIELDS}
        initial["release_at"] = local(module.release_at, zone)
        initial["assignment_due_at"] = local(module.assignment_due_at, zone)
        return cls(data, cohort=module.cohort, initial=initial)

    def clean_week(self) -> int:
        week = self.cleaned_data["week"]
        if week > self.cohort.weeks:
            raise forms.ValidationError(
                ngettext(
                    "The cohort runs for %(weeks)d week.",
                    "The cohort runs for %(weeks)d weeks.",
                    self.cohort.weeks,
                )
                % {"weeks": self.cohort.weeks}
            )
        return week

    def clean(self):
        data = super().clean()
        for name in ("release_at", "assignment_due_at"):
            _to_aware(self, name, self.cohort.zone)
        if data.get("assignment_due_at") and not data.get("assignment", "").strip():
            self.add_error("assignment_due_at", _("A due date needs an assignment."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class _EventFields(forms.Form):
    kind = forms.ChoiceField(choices=CohortEvent.Kind.choices, label=gettext_lazy("Kind"))
    title = forms.CharField(
        max_length=120,
        required=False,
        label=gettext_lazy("Title"),
        help_text=gettext_lazy("Empty: the kind is the title."),
    )
    duration_minutes = forms.IntegerField(
        min_value=15, max_value=240, initial=60, label=gettext_lazy("Duration (minutes)")
    )
    join_url = forms.URLField(
        max_length=500,
        required=False,
        label=gettext_lazy("Join link"),
        help_text=gettext_lazy("Empty: a video room is made for you."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort


class EventSeriesForm(_EventFields):
    first_day = DayField(label=gettext_lazy("Date"))
    at = forms.TimeField(widget=TimeInput(), label=gettext_lazy("Time"))
    weeks = forms.IntegerField(
        min_value=1,
        max_value=MAX_SERIES_WEEKS,
        initial=1,
        label=gettext_lazy("Repeat weekly for (weeks)"),
        help_text=gettext_lazy("1: once."),
    )

    field_order = ["kind", "title", "first_day", "at", "duration_minutes", "weeks", "join_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].help_text = _("In %(zone)s; the same wall-clock time every week.") % {
            "zone": self.cohort.timezone
        }

    def clean(self):
        data = super().clean()
        day, at, weeks = data.get("first_day"), data.get("at"), data.get("weeks")
        if day and at and weeks:
            try:
                for n in range(weeks):
                    aware(day + timedelta(weeks=n), at, self.cohort.zone)
            except forms.ValidationError as error:
                self.add_error("at", error)
        return data

    def plan(self) -> EventPlan:
        data = self.cleaned_data
        return EventPlan(
            kind=data["kind"],
            first_day=data["first_day"],
            at=data["at"],
            duration_minutes=data["duration_minutes"],
            title=data["title"],
            join_url=data["join_url"],
            weeks=data["weeks"],
        )


class EventForm(_EventFields):
    day = DayField(label=gettext_lazy("Date"))
    at = forms.TimeField(widget=TimeInput(), label=gettext_lazy("Time"))

    field_order = ["kind", "title", "day", "at", "duration_minutes", "join_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].help_text = _("In %(zone)s.") % {"zone": self.cohort.timezone}

    @classmethod
    def for_event(cls, event: CohortEvent, data=None) -> EventForm:
        starts = event.starts_at.astimezone(event.cohort.zone)
        initial = {
            "kind": event.kind,
            "title": event.title,
            "day": starts.date(),
            "at": starts.time().replace(tzinfo=None),
            "duration_minutes": event.duration_minutes,
            "join_url": event.join_url,
        }
        return cls(data, cohort=event.cohort, initial=initial)

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("at"):
            try:
                data["starts_at"] = aware(data["day"], data["at"], self.cohort.zone)
            except forms.ValidationError as error:
                self.add_error("at", error)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("starts_at", "duration_minutes", "title", "join_url", "kind")}


class CancelCohortForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label=gettext_lazy("Why is it cancelled?"),
        help_text=gettext_lazy("Members read this; everyone paid is refunded."),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(max_length=150, label=gettext_lazy("Subject"))
    body = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Body"),
        help_text=gettext_lazy("Markdown works."),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Private notes"),
        help_text=gettext_lazy("Only you see these."),
    )


class CompletionForm(forms.Form):
    completed = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", gettext_lazy("Completed")), ("0", gettext_lazy("Undo"))]
    )
    outcome_note = forms.CharField(max_length=300, required=False, label=gettext_lazy("What they achieved"))


class AttendanceForm(forms.Form):
    enrollment = forms.UUIDField()
    present = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", gettext_lazy("Present")), ("0", gettext_lazy("Absent"))]
    )


# --- the member's side


class CohortFilterForm(forms.Form):
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Any skill"),
        label=gettext_lazy("Skill"),
    )
    month = forms.DateField(
        label=gettext_lazy("Starting in"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    max_price = forms.DecimalField(
        label=gettext_lazy("Max price per seat"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    seats = forms.BooleanField(label=gettext_lazy("Seats left"), required=False)

    def filter(self, cohorts):
        """Apply the valid filters; invalid ones are shown next to their field and ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("skill"):
            cohorts = cohorts.filter(skills=data["skill"])
        if data.get("month"):
            month = data["month"]
            cohorts = cohorts.filter(start_date__year=month.year, start_date__month=month.month)
        if data.get("max_price") is not None:
            limit = data["max_price"]
            cohorts = cohorts.filter(
                Q(currency__in=ZERO_DECIMAL, price_amount__lte=int(limit))
                | (~Q(currency__in=ZERO_DECIMAL) & Q(price_amount__lte=int(limit * 100)))
            )
        if data.get("seats"):
            cohorts = cohorts.filter(seats_taken__lt=F("seats_max"))
        return cohorts


class EnrollForm(forms.Form):
    accept_norms = forms.BooleanField(
        label=gettext_lazy("I have read the cohort's norms and agree to them"),
        error_messages={"required": gettext_lazy("Please read and accept the cohort's norms.")},
    )
    code = forms.CharField(max_length=32, required=False, label=gettext_lazy("Promotion code"))


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your submission"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )
    links = forms.CharField(
        label=gettext_lazy("Links (one per line)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = forms.URLField().clean
        for line in lines:
            try:
                validate(line)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("“%(line)s” is not a web address.") % {"line": line[:80]}
                ) from error
        return "\n".join(lines)


class PeerReviewForm(forms.Form):
    what_works = forms.CharField(
        label=gettext_lazy("What works"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestion = forms.CharField(
        label=gettext_lazy("One suggestion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    question = forms.CharField(
        label=gettext_lazy("One question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
