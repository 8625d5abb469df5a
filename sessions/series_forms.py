"""The booking form with a weekly repeat: how many weeks, and which of the previewed dates to keep."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from core import widgets

from .forms import BookingForm, parse_slot
from .services.series import MAX_WEEKS, MIN_WEEKS


def _weeks(n: int):
    return lazy(lambda: ngettext("%(count)s week", "%(count)s weeks", n) % {"count": n}, str)()


WEEK_CHOICES = [(n, _weeks(n)) for n in range(MIN_WEEKS, MAX_WEEKS + 1)]


class SeriesForm(BookingForm):
    weeks = forms.TypedChoiceField(
        choices=WEEK_CHOICES, coerce=int, label=gettext_lazy("Repeat weekly for"), widget=widgets.Select
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
                self.add_error(None, gettext("Pick the dates from the weekly list shown."))
            else:
                if not data["dates"]:
                    self.add_error(None, gettext("Keep at least one of the dates to book."))
        return data
