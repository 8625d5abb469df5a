from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import clean_price
from core.money import minor_units_per_major

from .models import (
    MAX_ANSWER_DAYS,
    MAX_FREE_QUESTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PAID_QUESTION_LENGTH,
    MIN_ANSWER_DAYS,
    Question,
    QuestionOffer,
)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown works: **bold**, _italic_, lists, `code` and links."),
        error_messages={
            "required": _("Write a message first."),
            "max_length": _("Keep it to %(limit_value)d characters (this one has %(show_value)d)."),
        },
    )


class QuestionForm(forms.Form):
    """A question to a mentor from their profile: the free one, or a paid one."""

    kind = forms.ChoiceField(
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        initial=Question.Kind.FREE,
        label=_("Which question"),
        error_messages={
            "required": _("Choose the free question or a paid one."),
            "invalid_choice": _("Choose the free question or a paid one."),
        },
    )
    body = forms.CharField(
        label=_("Your question"),
        max_length=MAX_PAID_QUESTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=lazy(
            lambda: (
                gettext(
                    "A free question: at most %(limit)s characters. "
                    "Say what you have tried and what you want to decide."
                )
                % {"limit": MAX_FREE_QUESTION_LENGTH}
            ),
            str,
        )(),
        error_messages={
            "required": _("Write your question first."),
            "max_length": _("Keep it to %(limit_value)d characters (this one has %(show_value)d)."),
        },
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline (the mentee reads it)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. it is outside what you know, or needs a session. A paid question is refunded in full."
        ),
        error_messages={
            "required": _("Say in a line why you decline."),
            "max_length": _("Keep it to %(limit_value)d characters (this one has %(show_value)d)."),
        },
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("You answer once: make it complete. Markdown works: **bold**, lists, `code` and links."),
        error_messages={
            "required": _("Write your answer first."),
            "max_length": _("Keep it to %(limit_value)d characters (this one has %(show_value)d)."),
        },
    )


class QuestionOfferForm(forms.ModelForm):
    price = forms.DecimalField(min_value=Decimal("0.01"), max_value=10000, decimal_places=2, label=_("Price"))

    class Meta:
        model = QuestionOffer
        fields = ["is_active", "currency", "answer_days"]
        widgets = {"answer_days": forms.NumberInput(attrs={"min": MIN_ANSWER_DAYS, "max": MAX_ANSWER_DAYS})}
        labels = {"currency": _("Currency"), "answer_days": _("Answer within (days)")}
        help_texts = {
            "answer_days": _("You answer within this many days (1–14); you are reminded a day before.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_days"].min_value = MIN_ANSWER_DAYS
        self.fields["answer_days"].max_value = MAX_ANSWER_DAYS
        self.fields["answer_days"].validators += [
            MinValueValidator(MIN_ANSWER_DAYS),
            MaxValueValidator(MAX_ANSWER_DAYS),
        ]
        if self.instance.price_amount:
            per = minor_units_per_major(self.instance.currency)
            self.initial["price"] = Decimal(self.instance.price_amount) / per
        self.order_fields(["is_active", "price", "currency", "answer_days"])

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        return data
