from datetime import date

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import widgets
from core.forms import clean_price
from core.money import minor_units_per_major

from .models import MAX_PREWORK_PROMPTS, Offering


def parse_slot(value: str):
    """A slot start as sent back by the picker: an ISO time with its offset, within reach."""
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise forms.ValidationError(_("Pick one of the times shown."))
    return moment


class PreworkForm(forms.Form):
    """The outcome, the answers to the mentor's prompts, context and links.

    Written when booking and editable by the mentee until the session starts.
    """

    outcome = forms.CharField(
        max_length=300,
        label=_("By the end of the session I will have…"),
        widget=widgets.TextInput(attrs={"placeholder": _("…a ranked shortlist of two job offers")}),
    )
    context_notes = forms.CharField(
        max_length=4000,
        required=False,
        widget=widgets.Textarea(attrs={"rows": 4}),
        label=_("Context notes"),
    )
    links = forms.CharField(
        max_length=2000,
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
        label=_("Links (one per line)"),
    )

    def __init__(self, *args, prompts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.prompts = prompts[:MAX_PREWORK_PROMPTS]
        for i, prompt in enumerate(self.prompts):
            self.fields[f"prework_{i}"] = forms.CharField(
                label=prompt, max_length=2000, required=False, widget=widgets.Textarea(attrs={"rows": 3})
            )

    @classmethod
    def for_booking(cls, booking, data=None) -> "PreworkForm":
        initial = {"outcome": booking.outcome, "context_notes": booking.context_notes, "links": booking.links}
        prompts = []
        for i, (prompt, answer) in enumerate(booking.prework_pairs):
            initial[f"prework_{i}"] = answer
            prompts.append(prompt)
        return cls(data, prompts=prompts, initial=initial)

    def prework_fields(self):
        return [self[f"prework_{i}"] for i in range(len(self.prompts))]

    def prework(self) -> dict:
        """The cleaned outcome, answers, context and links, as the booking services take them."""
        return {
            "outcome": self.cleaned_data["outcome"],
            "prework_answers": [self.cleaned_data[f"prework_{i}"] for i in range(len(self.prompts))],
            "context_notes": self.cleaned_data["context_notes"],
            "links": self.cleaned_data["links"],
        }


class BookingForm(PreworkForm):
    starts_at = forms.CharField(widget=widgets.HiddenInput)
    use_credit = forms.BooleanField(
        required=False, initial=True, label=_("Pay with a subscription credit"), widget=widgets.CheckboxInput
    )
    use_pack = forms.BooleanField(
        required=False, initial=True, label=_("Use a session of my pack"), widget=widgets.CheckboxInput
    )
    code = forms.CharField(
        max_length=32,
        required=False,
        label=_("Promotion code"),
        widget=widgets.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, offering: Offering, **kwargs):
        super().__init__(*args, prompts=offering.prework_prompts, **kwargs)
        if self.prompts:
            self.fields["prework_0"].help_text = _("You can also finish this later from the booking page.")

    def clean_starts_at(self):
        return parse_slot(self.cleaned_data["starts_at"])


class RescheduleForm(forms.Form):
    starts_at = forms.CharField(widget=widgets.HiddenInput)

    def clean_starts_at(self):
        return parse_slot(self.cleaned_data["starts_at"])


class CloseForm(forms.Form):
    action_item = forms.CharField(max_length=300, label=_("The one action item"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes")
    )
    resources = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Resources (links)"),
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        label=_("Rating"),
    )
    text = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Review")
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reply"))


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))


class OfferingForm(forms.ModelForm):
    duration_minutes = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, format_lazy(_("{minutes} min"), minutes=n)) for n in (15, 30, 45, 60)],
        initial=30,
        label=_("Duration"),
    )
    price = forms.DecimalField(
        min_value=0, max_value=10000, decimal_places=2, label=_("Price"), help_text=_("0 makes it free.")
    )
    prework_prompts_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Pre-work prompts"),
        help_text=format_lazy(_("One per line, at most {count}."), count=MAX_PREWORK_PROMPTS),
    )

    class Meta:
        model = Offering
        fields = [
            "title",
            "outcome",
            "description",
            "duration_minutes",
            "currency",
            "cancellation_window_hours",
            "join_url",
            "is_intro",
            "requires_approval",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "currency": _("Currency"),
            "cancellation_window_hours": _("Cancellation window hours"),
            "join_url": _("Join URL"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            per = minor_units_per_major(self.instance.currency)
            self.initial["price"] = self.instance.price_amount / per
            self.initial["prework_prompts_text"] = "\n".join(self.instance.prework_prompts)

    def clean_prework_prompts_text(self) -> list[str]:
        prompts = [p.strip() for p in self.cleaned_data["prework_prompts_text"].splitlines() if p.strip()]
        if len(prompts) > MAX_PREWORK_PROMPTS:
            raise forms.ValidationError(_("At most %(count)s prompts.") % {"count": MAX_PREWORK_PROMPTS})
        if any(len(p) > 300 for p in prompts):
            raise forms.ValidationError(_("Each prompt must be at most 300 characters."))
        return prompts

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields}
        fields["price_amount"] = data["price_amount"]
        fields["prework_prompts"] = data["prework_prompts_text"]
        return fields


def today_in(zone) -> date:
    return timezone.now().astimezone(zone).date()
