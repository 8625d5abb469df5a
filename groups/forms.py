from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import clean_price
from core.money import CURRENCIES

from .models import MAX_MINUTES, MAX_SEATS, MIN_MINUTES, MIN_SEATS


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class WallClockField(forms.DateTimeField):
    """A naive date and time as the mentor's wall clock shows it (read in their zone by the form)."""

    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = BaseTemporalField.to_python(self, str(value).strip())
        if not 2000 <= moment.year <= 2100:
            raise forms.ValidationError(gettext("Enter a date between 2000 and 2100."))
        return moment.replace(tzinfo=None)

    def prepare_value(self, value):
        return value


class GroupSessionForm(forms.Form):
    title = forms.CharField(
        max_length=120, label=_("Title"), help_text=_("A workshop, office hours, an AMA…")
    )
    description = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 5}), label=_("What attendees get")
    )
    starts_at = WallClockField(label=_("Starts at"))
    duration_minutes = forms.IntegerField(
        min_value=MIN_MINUTES, max_value=MAX_MINUTES, initial=60, label=_("Duration (minutes)")
    )
    seats = forms.IntegerField(
        min_value=MIN_SEATS, max_value=MAX_SEATS, initial=10, label=_("Seats"), help_text=_("2 to 50.")
    )
    seats_min = forms.IntegerField(
        min_value=1,
        max_value=MAX_SEATS,
        initial=2,
        label=_("Minimum to run"),
        help_text=_("Below this 24 hours before the start, it is cancelled and everyone refunded."),
    )
    price = forms.DecimalField(
        min_value=0,
        max_value=100000,
        decimal_places=2,
        initial=0,
        label=_("Price per seat"),
        help_text=_("0 makes it free."),
    )
    currency = forms.ChoiceField(choices=CURRENCIES, label=_("Currency"))
    cancellation_hours = forms.IntegerField(
        min_value=0,
        max_value=168,
        initial=24,
        label=_("Full refund if an attendee cancels up to (hours before)"),
    )
    join_url = forms.URLField(
        max_length=500,
        required=False,
        label=_("Join link"),
        help_text=_("Empty: your meeting link, or a generated room."),
    )

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["starts_at"].help_text = gettext("In your time zone, %(zone)s.") % {"zone": zone.key}

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        moment = data.get("starts_at")
        if moment is not None:
            aware = moment.replace(tzinfo=self.zone)
            back = aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
            if back != moment:
                self.add_error(
                    "starts_at", gettext("This time does not exist in your zone: the clocks change then.")
                )
            else:
                data["starts_at"] = aware
        if data.get("seats") and data.get("seats_min") and data["seats_min"] > data["seats"]:
            self.add_error("seats_min", gettext("The minimum cannot be more than the seats."))
        return data

    def service_fields(self) -> dict:
        names = ("title", "description", "starts_at", "duration_minutes", "seats", "seats_min")
        names += ("currency", "join_url", "cancellation_hours", "price_amount")
        return {name: self.cleaned_data[name] for name in names}


def local(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)
