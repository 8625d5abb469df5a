from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .fetch import normalised

NO_CALENDAR = ""


def _address(value: str) -> str:
    url = normalised(value)
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.CALENDAR_FEEDS_ALLOWED_NETWORKS else ("https",)
    if parts.scheme.lower() not in allowed or not parts.hostname:
        raise forms.ValidationError(_("Enter the calendar's https:// or webcal:// address."))
    return url


class FeedForm(forms.Form):
    """Any iCalendar subscription address: Google's secret address, Outlook's ICS link, iCloud's."""

    name = forms.CharField(
        max_length=80, label=_("Name"), help_text=_("Your own label, e.g. “Work (Google)”.")
    )
    url = forms.CharField(
        max_length=2000,
        label=_("Calendar address"),
        help_text=_("The secret or public iCal address (https:// or webcal://); most end in .ics."),
        widget=forms.URLInput(attrs={"placeholder": "https://calendar.google.com/calendar/ical/…/basic.ics"}),
    )

    def clean_url(self) -> str:
        return _address(self.cleaned_data["url"])


class CalDAVForm(forms.Form):
    """A CalDAV account (iCloud, Fastmail, Nextcloud…), signed in with an app password."""

    name = forms.CharField(max_length=80, label=_("Name"), help_text=_("Your own label, e.g. “iCloud”."))
    url = forms.CharField(
        max_length=2000,
        label=_("Server address"),
        help_text="iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/",
        widget=forms.URLInput(attrs={"placeholder": "https://caldav.icloud.com/"}),
    )
    username = forms.CharField(
        max_length=200, label=_("User name"), help_text=_("Usually your e-mail address.")
    )
    password = forms.CharField(
        max_length=200,
        label=_("App password"),
        help_text=_("Made for TheMentors in your account's security settings, not your own password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_url(self) -> str:
        if self.cleaned_data["url"].strip().lower().startswith("webcal://"):  # a feed, not a server
            raise forms.ValidationError(_("Enter the CalDAV server's https:// address."))
        return _address(self.cleaned_data["url"])


class ChooseCalendarsForm(forms.Form):
    """Which of a CalDAV account's calendars count as busy, and which receives the sessions."""

    busy = forms.MultipleChoiceField(
        required=False, label=_("Count as busy"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    write = forms.ChoiceField(required=False, label=_("Write my sessions to"), choices=())

    def __init__(self, *args, calendars: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        options = [(c["url"], c["name"]) for c in calendars]
        self.fields["busy"].choices = options
        self.fields["write"].choices = [(NO_CALENDAR, _("Nowhere")), *options]
