"""The booking form with a weekly repeat: how many weeks, and which of the previewed dates to keep."""

from django import forms

from core import widgets

from .forms import BookingForm, parse_slot
from .services.series import MAX_WEEKS, MIN_WEEKS

WEEK_CHOICES = [(n, f"{n} weeks") for n in range(MIN_WEEKS, MAX_WEEKS + 1)]


class SeriesForm(BookingForm):
    weeks = forms.TypedChoiceField(
        choices=WEEK_CHOICES, coerce=int, label="Repeat weekly for", widget=widgets.Select
    )

    def __init__(self, *args, with_dates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_dates = with_dates

    def clean(self):
        data = super().clean()
        if self.with_dates:
            try:
                data["dates"] = [parse_slot(value) for value in self.data.getlist("dates")]
            except forms.ValidationError:
                self.add_error(None, "Pick the dates from the weekly list shown.")
            else:
                if not data["dates"]:
                    self.add_error(None, "Keep at least one of the dates to book.")
        return data
