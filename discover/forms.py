from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import minor_units_per_major

from .selectors import DirectoryQuery


class DirectoryForm(forms.Form):
    SORTS = [
        ("", gettext_lazy("Best match")),
        ("rating", gettext_lazy("Rating")),
        ("price", gettext_lazy("Price")),
        ("soonest", gettext_lazy("Soonest free slot")),
    ]
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Search"))
    skill = forms.SlugField(required=False, max_length=60, label=gettext_lazy("Skill"))
    min_price = forms.IntegerField(
        required=False, min_value=0, max_value=100000, label=gettext_lazy("Min price")
    )
    max_price = forms.IntegerField(
        required=False, min_value=0, max_value=100000, label=gettext_lazy("Max price")
    )
    duration = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=gettext_lazy("Duration"),
        choices=[
            ("", gettext_lazy("Any length")),
            ("15", gettext_lazy("15 min")),
            ("30", gettext_lazy("30 min")),
            ("45", gettext_lazy("45 min")),
            ("60", gettext_lazy("60 min")),
        ],
    )
    language = forms.CharField(required=False, max_length=8, label=gettext_lazy("Language"))
    available = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Available"),
        choices=[("", gettext_lazy("Any time")), ("week", gettext_lazy("Free in the next 7 days"))],
    )
    sort = forms.ChoiceField(required=False, choices=SORTS, label=gettext_lazy("Sort"))

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_price"), data.get("max_price")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max_price", _("The maximum must be at least the minimum."))
        return data

    FILTERS = ("q", "skill", "min_price", "max_price", "duration", "language", "available")

    def active_filters(self) -> int:
        """How many valid filters narrow the list (the sort does not): the phone's "Filters (2)"."""
        if not self.is_bound:
            return 0
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return sum(1 for name in self.FILTERS if str(data.get(name) or "").strip() or data.get(name) == 0)

    def to_query(self) -> DirectoryQuery:
        """Valid filters only; a bad field is reported next to it and ignored."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors} if self.is_bound else {}
        per = minor_units_per_major("USD")
        return DirectoryQuery(
            q=(data.get("q") or "").strip(),
            skill=data.get("skill") or "",
            min_price=data["min_price"] * per if data.get("min_price") is not None else None,
            max_price=data["max_price"] * per if data.get("max_price") is not None else None,
            duration=data.get("duration"),
            language=data.get("language") or "",
            available=data.get("available") or "",
            sort=data.get("sort") or "",
        )
