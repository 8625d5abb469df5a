"""Forms for the cohort list and the member's side (the facilitator's forms are in forms.py)."""

from django import forms
from django.db.models import F, Q

from core.money import ZERO_DECIMAL
from mentors.models import Skill


class CohortFilterForm(forms.Form):
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("name"), to_field_name="slug", required=False, empty_label="Any skill"
    )
    month = forms.DateField(
        label="Starting in",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    max_price = forms.DecimalField(
        label="Max price per seat", required=False, min_value=0, max_digits=9, decimal_places=2
    )
    seats = forms.BooleanField(label="Seats left", required=False)

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
        label="I have read the cohort's norms and agree to them",
        error_messages={"required": "Please read and accept the cohort's norms."},
    )


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label="Your submission", max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )
    links = forms.CharField(
        label="Links (one per line)",
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
                raise forms.ValidationError(f"“{line[:80]}” is not a web address.") from error
        return "\n".join(lines)


class PeerReviewForm(forms.Form):
    what_works = forms.CharField(
        label="What works", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestion = forms.CharField(
        label="One suggestion", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    question = forms.CharField(
        label="One question", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
