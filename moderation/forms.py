from django import forms

from .models import MAX_NOTE_LENGTH, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, label="What is wrong with it?")
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything staff should know (optional)",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class NoShowContestForm(forms.Form):
    note = forms.CharField(
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "I was there and waited 20 minutes…"}),
        label="What happened?",
    )
