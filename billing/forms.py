"""The mentor's promotion-code form (billing/code_views.py); the service checks it again."""

from datetime import datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from core import widgets
from core.money import CURRENCIES, minor_units_per_major

from .purchases import kinds_taking_codes


class PromotionCodeForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label=_("Code"),
        help_text=_("What mentees type, e.g. WELCOME20: 3 to 32 letters, digits, - or _."),
        widget=widgets.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    off = forms.ChoiceField(
        choices=[("percent", _("Percent off")), ("amount", _("Amount off"))],
        initial="percent",
        label=_("Discount"),
    )
    value = forms.DecimalField(
        min_value=0,
        max_value=100000,
        decimal_places=2,
        label=_("How much"),
        # xgettext:no-python-format
        help_text=_("20 means 20 % or 20.00."),
    )
    currency = forms.ChoiceField(
        choices=CURRENCIES,
        initial="USD",
        required=False,
        label=_("Currency"),
        help_text=_("For an amount off."),
    )
    applies_to = forms.ChoiceField(label=_("Good on"), required=False)
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label=_("Last day"),
        help_text=_("Empty: no expiry. It ends at midnight where you are."),
    )
    max_uses = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        label=_("Maximum uses"),
        help_text=_("Empty: no limit."),
    )
    first_purchase_only = forms.BooleanField(
        required=False, label=_("Only for a mentee's first purchase with you"), widget=widgets.CheckboxInput
    )

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["applies_to"].choices = [("", _("Everything"))] + [
            (kind.name, kind.code_label) for kind in kinds_taking_codes()
        ]

    def clean(self):
        data = super().clean()
        value, off = data.get("value"), data.get("off")
        if value is None or off is None:
            return data
        if off == "percent":
            if value != int(value) or not 1 <= value <= 100:
                self.add_error("value", _("A whole percentage from 1 to 100."))
        else:
            currency = data.get("currency") or "USD"
            amount = value * minor_units_per_major(currency)
            if amount != int(amount) or amount <= 0:
                self.add_error(
                    "value", _("An amount above zero, with no more decimals than the currency has.")
                )
            data["currency"] = currency
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        percent = data["off"] == "percent"
        expires_at = None
        if data.get("expires_on"):
            day_after = datetime.combine(data["expires_on"], time.max, tzinfo=self.zone)
            expires_at = day_after
        return {
            "code": data["code"],
            "percent_off": int(data["value"]) if percent else None,
            "amount_off": None if percent else int(data["value"] * minor_units_per_major(data["currency"])),
            "currency": "" if percent else data["currency"],
            "applies_to": data.get("applies_to") or "",
            "expires_at": expires_at,
            "max_uses": data.get("max_uses"),
            "first_purchase_only": data.get("first_purchase_only", False),
        }
