from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType


class EndpointForm(forms.Form):
    """An endpoint's address, what it is for, and which events it receives (services check the
    address: https, and not a private or local network)."""

    url = forms.CharField(
        max_length=500,
        label=_("Endpoint URL"),
        help_text=_("An https:// address on your server; we POST each event there as JSON."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/thementors"}),
    )
    description = forms.CharField(
        max_length=120,
        required=False,
        label=_("Description"),
        help_text=_("Your own note, e.g. “Zapier: add to CRM”."),
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Events to send"),
        error_messages={"required": _("Choose at least one event to send.")},
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Active"),
        help_text=_("Turned off, the endpoint receives nothing until you turn it on again."),
    )
