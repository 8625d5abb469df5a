from django import forms

from .models import User
from .timezones import TimeZoneField


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form; the time zone is pre-filled from the browser."""

    display_name = forms.CharField(max_length=80, label="Your name")
    timezone = TimeZoneField(
        initial="UTC",
        label="Time zone",
        widget=forms.Select(attrs={"data-browser-timezone": "1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The person already chose: don't let the browser's zone overwrite it on a re-shown form.
            self.fields["timezone"].widget.attrs.pop("data-browser-timezone", None)

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "timezone"])


class SettingsForm(forms.ModelForm):
    timezone = TimeZoneField(label="Time zone")

    class Meta:
        model = User
        fields = ["display_name", "timezone", *User.EMAIL_PREFERENCES]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("display_name", "timezone")]

    def email_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in User.EMAIL_PREFERENCES]


class DeleteAccountForm(forms.Form):
    """Deleting cannot be undone: the person types their password again."""

    password = forms.CharField(
        label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():  # signed up with Google or LinkedIn
            raise forms.ValidationError(
                "You have no password here yet: set one first (Settings → Change password), then type it."
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
