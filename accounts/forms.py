from django import forms

from .models import User
from .timezones import timezone_choices


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form; the time zone is pre-filled from the browser."""

    display_name = forms.CharField(max_length=80, label="Your name")
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        initial="UTC",
        label="Time zone",
        widget=forms.Select(attrs={"data-browser-timezone": "1"}),
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "timezone"])


class SettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone")

    class Meta:
        model = User
        fields = ["display_name", "timezone"]
