"""The mentor's availability page (/mentor/availability/): weekly hours and date overrides, the
booking rules, and two settings other apps own that mentors set beside them (the Q&A response
time, ladder-up offers); so the page gathers forms from several apps and lives here at the top.
Its URL keeps its name in the mentors namespace (config/urls.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from billing.ladder import mentor_set_ladder_up_nudges
from billing.selectors import mentor_laddered_up_count
from core.errors import DomainError
from core.forms import show_error
from mentors import services as mentor_services
from mentors.forms import (
    BookingRulesForm,
    DateOverrideForm,
    LadderUpForm,
    ResponseTimeForm,
    WeeklyRuleForm,
)
from mentors.models import DateOverride, MentorProfile, WeeklyRule
from mentors.selectors import own_mentor_profile
from qa.services import mentor_set_expected_response_hours


@login_required
def availability(request):
    mentor = own_mentor_profile(user=request.user)
    rule_form = WeeklyRuleForm(prefix="rule")
    override_form = DateOverrideForm(prefix="override")
    rules_form = BookingRulesForm(prefix="rules", instance=mentor)
    ladder_form = LadderUpForm(prefix="ladder", instance=mentor)
    response_form = ResponseTimeForm(prefix="response", instance=mentor)
    section = request.POST.get("section") if request.method == "POST" else None
    if section == "rule":
        rule_form = WeeklyRuleForm(request.POST, prefix="rule")
        if rule_form.is_valid():
            d = rule_form.cleaned_data
            _call(
                rule_form,
                mentor_services.weekly_rule_add,
                mentor=mentor,
                weekday=d["weekday"],
                start=d["start_time"],
                end=d["end_time"],
            )
            if not rule_form.errors:
                rule_form = WeeklyRuleForm(prefix="rule")
    elif section == "override":
        override_form = DateOverrideForm(request.POST, prefix="override")
        if override_form.is_valid():
            d = override_form.cleaned_data
            _call(
                override_form,
                mentor_services.date_override_add,
                mentor=mentor,
                day=d["date"],
                kind=d["kind"],
                start=d.get("start_time"),
                end=d.get("end_time"),
            )
            if not override_form.errors:
                override_form = DateOverrideForm(prefix="override")
    elif section == "rules":
        rules_form = BookingRulesForm(
            request.POST, prefix="rules", instance=MentorProfile.objects.get(pk=mentor.pk)
        )
        if rules_form.is_valid():
            mentor_services.mentor_update_booking_rules(
                mentor=mentor,
                **{name: rules_form.cleaned_data[name] for name in rules_form.Meta.fields},
            )
            messages.success(request, _("Booking rules saved."))
    elif section == "response":
        response_form = ResponseTimeForm(request.POST, prefix="response", instance=mentor)
        if response_form.is_valid():
            mentor_set_expected_response_hours(
                mentor=mentor, hours=response_form.cleaned_data["expected_response_hours"]
            )
            messages.success(request, _("Response time saved."))
    elif section == "ladder":
        ladder_form = LadderUpForm(request.POST, prefix="ladder", instance=mentor)
        if ladder_form.is_valid():
            on = ladder_form.cleaned_data["ladder_up_nudges"]
            mentor_set_ladder_up_nudges(mentor=mentor, on=on)
            messages.success(request, _("Ladder-up offers are on.") if on else _("Ladder-up offers are off."))
    elif section in ("delete-rule", "delete-override"):
        model = WeeklyRule if section == "delete-rule" else DateOverride
        try:
            mentor_services.availability_remove(
                mentor=mentor, model=model, pk=int(request.POST.get("pk", "0"))
            )
        except (DomainError, ValueError):
            messages.error(request, _("That entry no longer exists."))
    context = {
        "mentor": mentor,
        "rules": mentor.weekly_rules.all(),
        "overrides": mentor.date_overrides.order_by("date"),
        "rule_form": rule_form,
        "override_form": override_form,
        "rules_form": rules_form,
        "ladder_form": ladder_form,
        "laddered_up": mentor_laddered_up_count(mentor=mentor),
        "response_form": response_form,
    }
    template = "dashboard/availability.html#editor" if request.htmx else "dashboard/availability.html"
    return render(request, template, context, status=400 if _any_errors(context) else 200)


def _any_errors(context) -> bool:
    return any(
        context[f].errors
        for f in ("rule_form", "override_form", "rules_form", "response_form")
        if context[f].is_bound
    )


def _call(form, service, **kwargs):
    try:
        return service(**kwargs)
    except DomainError as error:
        show_error(form, error)


mentor_pages = [path("mentor/availability/", availability, name="availability")]
