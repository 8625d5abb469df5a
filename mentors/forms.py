from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.timezones import TimeZoneField
from core import images

from .models import DateOverride, Language, MentorProfile, WeeklyRule


class MentorApplicationForm(forms.Form):
    headline = forms.CharField(
        max_length=120,
        label=gettext_lazy("Headline"),
        help_text=gettext_lazy("One line: who you help with what."),
    )
    bio = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        label=gettext_lazy("Bio"),
        help_text=gettext_lazy("Markdown works."),
    )
    skills = forms.CharField(
        max_length=500,
        label=gettext_lazy("Skills"),
        help_text=gettext_lazy(
            "Comma-separated, e.g. Python, Hiring, System design. New skills are added to the list."
        ),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-grid"}),
        label=gettext_lazy("Languages"),
    )
    years_experience = forms.IntegerField(
        min_value=0, max_value=60, label=gettext_lazy("Years of experience")
    )
    timezone = TimeZoneField(label=gettext_lazy("Your time zone"))
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE}),
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy(
            "A JPEG, PNG or WebP photo up to 5 MB. We shrink it to 1024 pixels and drop "
            "its metadata (EXIF, location)."
        ),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return images.image_clean(photo) if photo else None

    def clean_skills(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["skills"].split(",") if n.strip()]
        if not names:
            raise forms.ValidationError(_("Add at least one skill."))
        if len(names) > 12:
            raise forms.ValidationError(_("At most 12 skills."))
        if any(len(n) > 60 for n in names):
            raise forms.ValidationError(_("Each skill must be at most 60 characters."))
        return names


class MentorProfileForm(MentorApplicationForm):
    """What a mentor changes of their profile after applying. Their time zone is a booking rule
    (the availability page), so it is not asked here; a photo can be replaced or removed."""

    remove_photo = forms.BooleanField(required=False, label=gettext_lazy("Remove my photo"))

    def __init__(self, *args, mentor: MentorProfile, **kwargs):
        initial = {
            "headline": mentor.headline,
            "bio": mentor.bio,
            "skills": ", ".join(skill.name for skill in mentor.skills.all()),
            "languages": [language.code for language in mentor.languages.all()],
            "years_experience": mentor.years_experience,
        }
        super().__init__(*args, initial=initial, **kwargs)
        del self.fields["timezone"]
        photo = self.fields["photo"]
        photo.widget = forms.FileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE})
        if mentor.photo:
            photo.label = gettext_lazy("A new photo")
        else:
            del self.fields["remove_photo"]

    def photo_change(self):
        """The new photo, checked; False to remove the one there is; None to keep it."""
        if self.cleaned_data.get("photo"):
            return self.cleaned_data["photo"]
        return False if self.cleaned_data.get("remove_photo") else None


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", attrs={"step": 900}, **kwargs)


class WeeklyRuleForm(forms.ModelForm):
    class Meta:
        model = WeeklyRule
        fields = ["weekday", "start_time", "end_time"]
        labels = {
            "weekday": gettext_lazy("Weekday"),
            "start_time": gettext_lazy("Start time"),
            "end_time": gettext_lazy("End time"),
        }
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}


class DateOverrideForm(forms.ModelForm):
    class Meta:
        model = DateOverride
        fields = ["date", "kind", "start_time", "end_time"]
        labels = {
            "date": gettext_lazy("Date"),
            "kind": gettext_lazy("Kind"),
            "start_time": gettext_lazy("Start time"),
            "end_time": gettext_lazy("End time"),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }

    def _post_clean(self):
        # The service enforces the rules (and the model check needs no instance here).
        pass


class BookingRulesForm(forms.ModelForm):
    class Meta:
        model = MentorProfile
        fields = [
            "timezone",
            "buffer_before",
            "buffer_after",
            "minimum_notice",
            "horizon_days",
            "max_sessions_per_day",
            "meeting_url",
        ]
        labels = {
            "meeting_url": gettext_lazy("Your meeting link"),
            "timezone": gettext_lazy("Time zone"),
            "buffer_before": gettext_lazy("Buffer before (minutes)"),
            "buffer_after": gettext_lazy("Buffer after (minutes)"),
            "minimum_notice": gettext_lazy("Minimum notice (minutes)"),
            "horizon_days": gettext_lazy("Booking horizon (days)"),
            "max_sessions_per_day": gettext_lazy("Max sessions per day"),
        }
        field_classes = {"timezone": TimeZoneField}
        help_texts = {
            "meeting_url": gettext_lazy(
                "A Zoom personal room or Meet link, used by offerings without their own; "
                "empty: each session gets its own generated room."
            )
        }


class ResponseTimeForm(forms.ModelForm):
    """What the mentor promises about async Q&A; the profile shows it beside the measured median."""

    expected_response_hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=168,
        label=gettext_lazy("I usually answer messages within (hours)"),
        help_text=gettext_lazy(
            "1 to 168. Shown on your profile next to your measured median reply time; "
            "leave empty to show only the measured time."
        ),
    )

    class Meta:
        model = MentorProfile
        fields = ["expected_response_hours"]


class LadderUpForm(forms.ModelForm):
    """Ladder up: offer the mentor's cohort or plan, with an upgrade credit, after a session
    rated 4 or 5."""

    class Meta:
        model = MentorProfile
        fields = ["ladder_up_nudges"]
        labels = {"ladder_up_nudges": gettext_lazy("Offer my cohorts and plans after a well-rated session")}
        help_texts = {
            "ladder_up_nudges": gettext_lazy(
                "A mentee who rates a paid session 4 or 5 gets an e-mail and a dashboard "
                "offer for your open cohort or plan, with what the session cost taken off (for 14 days, "
                "once). The credit comes off the price you are paid."
            )
        }
