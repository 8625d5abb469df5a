from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from billing.ladder import mentor_set_ladder_up_nudges
from billing.selectors import mentor_laddered_up_count
from core.errors import DomainError
from core.forms import show_error
from qa.services import mentor_set_expected_response_hours
from subscriptions.selectors import published_plans

from . import selectors, services
from .forms import (
    BookingRulesForm,
    DateOverrideForm,
    DirectoryForm,
    LadderUpForm,
    MentorApplicationForm,
    ResponseTimeForm,
    WeeklyRuleForm,
)
from .models import DateOverride, MentorProfile, WeeklyRule

PAGE_SIZE = 20


def directory(request):
    form = DirectoryForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    mentors = selectors.directory_search(query=form.to_query())
    page = Paginator(mentors, PAGE_SIZE).get_page(request.GET.get("page"))
    skills, languages = selectors.directory_vocabulary()
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "skills": skills,
        "languages": languages,
        "params": params.urlencode(),
    }
    template = "mentors/directory.html#results" if request.htmx else "mentors/directory.html"
    return render(request, template, context)


def profile(request, slug):
    try:
        mentor = selectors.mentor_profile(slug=slug)
    except MentorProfile.DoesNotExist:
        raise Http404("No such mentor.") from None
    offerings = list(mentor.offerings.filter(is_published=True))
    reviews = list(_reviews_of(mentor).select_related("booking__mentee").order_by("-created_at")[:5])
    return render(
        request,
        "mentors/profile.html",
        {
            "mentor": mentor,
            "offerings": offerings,
            "reviews": reviews,
            "slots": selectors.upcoming_slots(mentor),
            "first_offering": offerings[0] if offerings else None,
            "plans": list(published_plans(mentor_id=mentor.pk)),
        },
    )


def _reviews_of(mentor):
    from sessions.models import Review

    return Review.objects.filter(booking__mentor=mentor, is_hidden=False)


@login_required
def apply(request):
    existing = MentorProfile.objects.filter(user=request.user).first()
    if existing:
        suspension = existing.suspensions.filter(ended_at__isnull=True).first()
        return render(request, "mentors/apply_status.html", {"mentor": existing, "suspension": suspension})
    form = MentorApplicationForm(
        request.POST or None, request.FILES or None, initial={"timezone": request.user.timezone}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentor_apply(
                user=request.user,
                headline=data["headline"],
                bio=data["bio"],
                skills=data["skills"],
                languages=list(data["languages"]),
                years_experience=data["years_experience"],
                timezone_name=data["timezone"],
                photo=data.get("photo"),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Thanks! Your application is in review; we'll e-mail you the decision.")
            return redirect("mentors:apply")
    return render(request, "mentors/apply.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def availability(request):
    mentor = selectors.own_mentor_profile(user=request.user)
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
                services.weekly_rule_add,
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
                services.date_override_add,
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
            services.mentor_update_booking_rules(
                mentor=mentor,
                **{name: rules_form.cleaned_data[name] for name in rules_form.Meta.fields},
            )
            messages.success(request, "Booking rules saved.")
    elif section == "response":
        response_form = ResponseTimeForm(request.POST, prefix="response", instance=mentor)
        if response_form.is_valid():
            mentor_set_expected_response_hours(
                mentor=mentor, hours=response_form.cleaned_data["expected_response_hours"]
            )
            messages.success(request, "Response time saved.")
    elif section == "ladder":
        ladder_form = LadderUpForm(request.POST, prefix="ladder", instance=mentor)
        if ladder_form.is_valid():
            on = ladder_form.cleaned_data["ladder_up_nudges"]
            mentor_set_ladder_up_nudges(mentor=mentor, on=on)
            messages.success(request, f"Ladder-up offers are {'on' if on else 'off'}.")
    elif section in ("delete-rule", "delete-override"):
        model = WeeklyRule if section == "delete-rule" else DateOverride
        try:
            services.availability_remove(mentor=mentor, model=model, pk=int(request.POST.get("pk", "0")))
        except (DomainError, ValueError):
            messages.error(request, "That entry no longer exists.")
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
    template = "mentors/availability.html#editor" if request.htmx else "mentors/availability.html"
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
