from decimal import Decimal

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from core import widgets
from core.forms import clean_price
from core.money import CURRENCIES, minor_units_per_major
from mentors.forms import TimeInput
from mentors.models import Language, Skill
from mentors.selectors import directory_vocabulary

from .models import Intake

WEEKDAY_NAMES = list(WEEKDAYS.items())
MAX_SKILLS = 8
# A chosen format and the only budget that can apply to it.
FORMAT_BUDGETS = {"single": "session", "cohort": "seat", "ongoing": "month"}
# What the intake says when the budget is given for another kind of item than the format chosen.
BUDGET_FOR_FORMAT = {
    "single": _("You chose single sessions: give the budget for one 1:1 session."),
    "cohort": _("You chose cohorts: give the budget for one cohort seat."),
    "ongoing": _("You chose monthly plans: give the budget for one month of a plan."),
}
NEED_EXAMPLES = _(
    "Should I accept a staff engineer offer or stay and push for promotion?\n"
    "…or: I want to get my first Django app deployed, with tests, before my interview on Friday."
)


class HourInput(widgets.FastInput, TimeInput):
    """The hours pickers, written without their template (core.widgets)."""


class IntakeForm(forms.Form):
    """The matching intake. A person types the budget in major units; the services take it in
    minor units (`budget_amount`), as every price here."""

    need = forms.CharField(
        label=_("What decision or skill do you want help with?"),
        max_length=2000,
        required=False,
        widget=widgets.Textarea(attrs={"rows": 4, "placeholder": NEED_EXAMPLES}),
        help_text=_(
            "A sentence or two in your own words: the decision you face, or what you want to be able to do."
        ),
    )
    # The pickers offer only what some approved mentor has (a skill nobody has would match
    # nothing), from the cached vocabulary the directory's menus use: no query to draw the form.
    skills = forms.MultipleChoiceField(
        required=False,
        widget=widgets.CheckboxSelectMultiple,
        label=_("Skills"),
    )
    # Named `price` so core.forms.clean_price reads it and turns it into `price_amount`.
    price = forms.DecimalField(
        label=_("Budget"),
        widget=widgets.NumberInput,
        required=False,
        min_value=0,
        max_value=100_000,
        decimal_places=2,
        help_text=_(
            "The most you would pay. Leave it empty if price does not matter; 0 means free only. "
            "Prices in other currencies are converted to yours."
        ),
    )
    currency = forms.ChoiceField(
        choices=CURRENCIES, initial="USD", widget=widgets.Select, label=_("Currency")
    )
    budget_per = forms.ChoiceField(
        label=_("The budget is for"),
        widget=widgets.Select,
        choices=Intake.BudgetPer.choices,
        initial=Intake.BudgetPer.SESSION,
        required=False,
        help_text=_(
            "It is compared with the price of this kind of item only: a budget for one "
            "session says nothing of a cohort seat or a monthly plan, so those are left out."
        ),
    )
    days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_NAMES,
        coerce=int,
        required=False,
        widget=widgets.CheckboxSelectMultiple,
        label=_("Days that suit you"),
        help_text=_("None ticked: any day."),
    )
    hours_from = forms.TimeField(required=False, widget=HourInput(), label=_("From"))
    hours_to = forms.TimeField(required=False, widget=HourInput(), label=_("To"))
    language = forms.ChoiceField(required=False, widget=widgets.Select, label=_("Language"))
    format = forms.ChoiceField(
        choices=Intake.Format.choices,
        initial=Intake.Format.ANY,
        widget=widgets.RadioSelect,
        label=_("How would you like to learn?"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        skills, languages = directory_vocabulary()
        self.fields["skills"].choices = [(s["slug"], s["name"]) for s in skills]
        self.fields["language"].choices = [
            ("", _("Any language")),
            *((lang["code"], lang["name"]) for lang in languages),
        ]

    @classmethod
    def for_intake(cls, intake: Intake | None) -> "IntakeForm":
        if intake is None:
            return cls()
        per = minor_units_per_major(intake.currency)
        return cls(
            initial={
                "need": intake.need,
                "skills": [s.slug for s in intake.skills.all()],
                "price": None if intake.budget_amount is None else Decimal(intake.budget_amount) / per,
                "currency": intake.currency,
                "budget_per": intake.budget_per,
                "days": intake.days,
                "hours_from": intake.hours_from,
                "hours_to": intake.hours_to,
                "language": intake.language.code if intake.language else None,
                "format": intake.format,
            }
        )

    def clean_need(self) -> str:
        return self.cleaned_data["need"].strip()

    def clean_budget_per(self) -> str:
        return self.cleaned_data["budget_per"] or Intake.BudgetPer.SESSION

    def clean_skills(self):
        skills = self.cleaned_data["skills"]
        if len(skills) > MAX_SKILLS:
            raise forms.ValidationError(
                _("Pick at most %(count)s skills: the ones that matter most.") % {"count": MAX_SKILLS}
            )
        return list(Skill.objects.filter(slug__in=skills)) if skills else []

    def clean_language(self) -> Language | None:
        code = self.cleaned_data["language"]
        return Language.objects.filter(code=code).first() if code else None

    def clean(self):
        data = super().clean()
        clean_price(self, data)
        told = data.get("need") or data.get("skills")
        if not told and "need" not in self.errors and "skills" not in self.errors:
            self.add_error(
                "need",
                _(
                    "Tell us in a few words what you want help with, or tick a skill: "
                    "that is what we match on."
                ),
            )
        wanted = FORMAT_BUDGETS.get(data.get("format"))
        if data.get("price") is not None and wanted and data.get("budget_per") not in (None, wanted):
            self.add_error("budget_per", BUDGET_FOR_FORMAT[data["format"]])
        start, end = data.get("hours_from"), data.get("hours_to")
        if "hours_from" not in self.errors and "hours_to" not in self.errors:
            if (start is None) != (end is None):
                missing = "hours_to" if end is None else "hours_from"
                self.add_error(missing, _("Give both times, or leave both empty for any time."))
            elif start is not None and start == end:
                self.add_error("hours_to", _("The end must differ from the start."))
        return data

    def service_fields(self) -> dict:
        """Keyword arguments for matching.services.intake_save."""
        data = self.cleaned_data
        return {
            "skills": list(data["skills"]),
            "need": data["need"],
            "budget_amount": data.get("price_amount") if data["price"] is not None else None,
            "currency": data["currency"],
            "budget_per": data["budget_per"],
            "days": sorted(set(data["days"])),
            "hours_from": data["hours_from"],
            "hours_to": data["hours_to"],
            "language": data["language"],
            "format": data["format"],
        }
