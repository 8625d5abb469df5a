from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from .fetch import normalised


class FeedForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name", help_text="Your own label, e.g. “Work (Google)”.")
    url = forms.CharField(
        max_length=2000,
        label="Calendar address",
        help_text="The secret or public iCal address (https:// or webcal://); most end in .ics.",
        widget=forms.URLInput(attrs={"placeholder": "https://calendar.google.com/calendar/ical/…/basic.ics"}),
    )

    def clean_url(self) -> str:
        url = normalised(self.cleaned_data["url"])
        parts = urlsplit(url)
        allowed = ("https", "http") if settings.CALENDAR_FEEDS_ALLOWED_NETWORKS else ("https",)
        if parts.scheme.lower() not in allowed or not parts.hostname:
            raise forms.ValidationError("Enter the calendar's https:// or webcal:// address.")
        return url
