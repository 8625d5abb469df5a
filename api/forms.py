from django import forms
from django.utils.translation import gettext_lazy as _

from core import widgets

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=60,
        label=_("Name"),
        help_text=_("What will use it, so you can tell tokens apart, e.g. “My calendar script”."),
        widget=widgets.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        label=_("It may"),
        widget=widgets.RadioSelect,
    )
