from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import clean_price
from core.money import minor_units_per_major

from .models import Plan


class PlanForm(forms.ModelForm):
    price = forms.DecimalField(min_value=1, max_value=10000, decimal_places=2, label=_("Monthly price"))

    class Meta:
        model = Plan
        fields = [
            "name",
            "description",
            "currency",
            "credits_per_period",
            "max_session_minutes",
            "includes_qa",
            "max_subscribers",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"name": _("Name"), "description": _("Description"), "currency": _("Currency")}
        help_texts = {
            "description": _("Markdown."),
            "credits_per_period": _("Each paid month grants this many sessions; unused ones expire with it."),
            "max_session_minutes": _("A credit pays for one of your offerings up to this length."),
            "includes_qa": _("Subscribers can message you between sessions."),
            "max_subscribers": _("Empty: no limit."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_subscribers"].min_value = 1
        self.fields["max_subscribers"].widget.attrs["min"] = 1
        if self.instance.pk:
            self.initial["price"] = self.instance.price_amount / minor_units_per_major(self.instance.currency)

    def clean_max_subscribers(self):
        value = self.cleaned_data["max_subscribers"]
        if value is not None and value < 1:
            raise forms.ValidationError(_("Leave it empty for no limit, or allow at least one."))
        return value

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        fields["price_amount"] = self.cleaned_data["price_amount"]
        return fields


class SwitchPlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), empty_label=None, label=_("Switch to"))

    def __init__(self, *args, subscription, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(
            mentor_id=subscription.mentor_id, is_published=True, currency=subscription.plan.currency
        ).exclude(pk=subscription.plan_id)
        self.fields["plan"].label_from_instance = lambda plan: (
            gettext("%(name)s (%(price)s/month)") % {"name": plan.name, "price": plan.price_display}
        )


class SubscribeForm(forms.Form):
    code = forms.CharField(max_length=32, required=False, label=_("Promotion code"))
