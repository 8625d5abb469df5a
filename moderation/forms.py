from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_NOTE_LENGTH, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, label=_("What is wrong with it?"))
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything staff should know (optional)"),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class NoShowContestForm(forms.Form):
    note = forms.CharField(
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("I was there and waited 20 minutes…")}),
        label=_("What happened?"),
    )
