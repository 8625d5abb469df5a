from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Offering

from .models import Pack

DISCOUNT_HELP = _(
    # xgettext:no-python-format
    "Off the price of buying them one by one (0 to 50). 3 sessions at 17 % off cost about 2.5 sessions."
)


class PackForm(forms.ModelForm):
    offering = forms.ModelChoiceField(queryset=Offering.objects.none(), empty_label=None, label=_("Offering"))

    class Meta:
        model = Pack
        fields = ["offering", "sessions", "discount_percent", "valid_months"]
        help_texts = {
            "sessions": _("How many sessions of the offering the pack holds (2 to 20)."),
            "discount_percent": DISCOUNT_HELP,
            "valid_months": _("Sessions must start within this many months of buying (1 to 24)."),
        }

    def __init__(self, *args, mentor, **kwargs):
        super().__init__(*args, **kwargs)
        offerings = Offering.objects.filter(mentor=mentor, price_amount__gt=0).order_by("title")
        if self.instance.pk:
            offerings = offerings.filter(pk=self.instance.offering_id)
        else:
            offerings = offerings.filter(pack__isnull=True)
        self.fields["offering"].queryset = offerings
        self.fields["offering"].label_from_instance = lambda o: (
            f"{o.title} — {o.price_display}, {o.duration_minutes} min"
        )
        self.fields["offering"].help_text = _("One of your paid offerings; each has at most one pack.")
        for name in ("sessions", "discount_percent", "valid_months"):
            field = self.fields[name]
            field.widget.attrs.update({"min": field.min_value or 0, "max": field.max_value})

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PackBuyForm(forms.Form):
    code = forms.CharField(max_length=32, required=False, label=_("Promotion code"))
