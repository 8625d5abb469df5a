from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .adapter import signup_language
from .models import User
from .timezones import TimeZoneField


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form; the time zone is pre-filled from the browser."""

    display_name = forms.CharField(max_length=80, label=_("Your name"))
    timezone = TimeZoneField(
        initial="UTC",
        label=_("Time zone"),
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
        user.language = signup_language()
        user.save(update_fields=["display_name", "timezone", "language"])


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name ("Deutsch"), after "the browser's" (blank)."""
    return [("", _("Same as my browser")), *settings.LANGUAGES]


class SettingsForm(forms.ModelForm):
    timezone = TimeZoneField(label=_("Time zone"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Pages, e-mails and reminders come in this language."),
    )

    class Meta:
        model = User
        fields = ["display_name", "timezone", "language", *User.EMAIL_PREFERENCES]
        labels = {"display_name": _("Display name")}

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("display_name", "timezone", "language")]

    def email_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in User.EMAIL_PREFERENCES]


class DeleteAccountForm(forms.Form):
    """Deleting cannot be undone: the person says they understand. Who they are was proved just
    before, by allauth's reauthentication (password, authenticator code or passkey)."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and what I wrote are erased for good"),
        error_messages={"required": _("Tick the box to confirm you want your account deleted.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
