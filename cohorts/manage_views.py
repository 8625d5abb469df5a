"""The facilitator's pages: programme, calendar, roster.

Every page looks the cohort up by its slug *and* the signed-in mentor, so anyone else gets 404.
Views parse a form, call a service and redirect with a message, or re-render with the error.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_error
from core.ratelimit import limit_posts, refused_as_too_many
from mentors.selectors import own_mentor_profile

from . import selectors, services
from .forms import (
    AttendanceForm,
    CancelCohortForm,
    CohortForm,
    CompletionForm,
    EventForm,
    EventSeriesForm,
    MessageForm,
    ModuleForm,
    NotesForm,
)
from .models import Cohort, CohortEvent, Enrollment, Module
from .services import CohortError


def _cohort(request, slug: str) -> Cohort:
    return selectors.facilitated_cohort(mentor=own_mentor_profile(user=request.user), slug=slug)


def _show(form, error: CohortError, aliases: dict | None = None) -> None:
    """The service's message next to the field it names (or the field this form calls it)."""
    field = (aliases or {}).get(error.field, error.field)
    show_error(form, CohortError(error.message, field))


def _back(cohort: Cohort):
    return redirect("cohorts:manage", cohort.slug)


@login_required
def my_cohorts(request):
    mentor = own_mentor_profile(user=request.user)
    cohorts = selectors.facilitated_cohorts(mentor=mentor)
    return render(request, "cohorts/manage/list.html", {"mentor": mentor, "cohorts": cohorts})


@login_required
def cohort_create(request):
    mentor = own_mentor_profile(user=request.user)
    form = CohortForm(request.POST or None, initial={"timezone": mentor.timezone, "currency": "USD"})
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_save(
                facilitator=mentor, skills=form.cleaned_data["skills"], **form.service_fields()
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(
                request,
                _("Created “%(title)s” as a draft. Add weekly modules, then publish.")
                % {"title": cohort.title},
            )
            return _back(cohort)
    status = 400 if form.errors else 200
    return render(request, "cohorts/manage/cohort_form.html", {"form": form, "cohort": None}, status=status)


@login_required
def cohort_edit(request, slug):
    cohort = _cohort(request, slug)
    form = CohortForm.for_cohort(cohort, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_save(
                facilitator=cohort.facilitator,
                cohort=cohort,
                skills=form.cleaned_data["skills"],
                **form.service_fields(),
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Saved."))
            return _back(cohort)
    status = 400 if form.errors else 200
    return render(request, "cohorts/manage/cohort_form.html", {"form": form, "cohort": cohort}, status=status)


def _manage_page(request, cohort: Cohort, *, message_form=None, cancel_form=None, status=200):
    context = {
        "cohort": cohort,
        "modules": selectors.modules_with_progress(cohort),
        "events": selectors.events_of(cohort, include_cancelled=True),
        "sent": selectors.cohort_messages(cohort),
        "message_form": message_form or MessageForm(),
        "cancel_form": cancel_form or CancelCohortForm(),
    }
    return render(request, "cohorts/manage/manage.html", context, status=status)


@login_required
def cohort_manage(request, slug):
    return _manage_page(request, _cohort(request, slug))


@login_required
@require_POST
def cohort_publish(request, slug):
    cohort = _cohort(request, slug)
    try:
        services.cohort_publish(cohort=cohort, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published: enrollment is open."))
    return _back(cohort)


@login_required
@require_POST
def cohort_cancel(request, slug):
    cohort = _cohort(request, slug)
    form = CancelCohortForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_cancel(cohort=cohort, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("The cohort is cancelled; members are told and refunded."))
            return _back(cohort)
    return _manage_page(request, cohort, cancel_form=form, status=400)


@login_required
@require_POST
def cohort_finish(request, slug):
    cohort = _cohort(request, slug)
    try:
        cohort = services.cohort_finish(cohort=cohort, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if cohort.status == Cohort.Status.FINISHED:
            messages.success(request, _("The cohort is finished."))
        else:
            messages.error(request, _("Only a published cohort can be finished."))
    return _back(cohort)


@login_required
def module_create(request, slug):
    cohort = _cohort(request, slug)
    next_week = (cohort.modules.order_by("-week").values_list("week", flat=True).first() or 0) + 1
    initial = {"week": min(next_week, cohort.weeks)}
    form = ModuleForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_save(cohort=cohort, by=request.user, **form.service_fields())
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Added “%(title)s”.") % {"title": module})
            return _back(cohort)
    context = {"form": form, "cohort": cohort, "module": None}
    return render(request, "cohorts/manage/module_form.html", context, status=400 if form.errors else 200)


@login_required
def module_edit(request, slug, module_id):
    cohort = _cohort(request, slug)
    module = get_object_or_404(Module.objects.select_related("cohort"), pk=module_id, cohort=cohort)
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.module_delete(module=module, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("cohorts:module_edit", cohort.slug, module.pk)
        messages.success(request, _("Deleted “%(title)s”.") % {"title": module})
        return _back(cohort)
    form = ModuleForm.for_module(module, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_save(cohort=cohort, by=request.user, module=module, **form.service_fields())
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Saved “%(title)s”.") % {"title": module})
            return _back(cohort)
    context = {"form": form, "cohort": cohort, "module": module}
    return render(request, "cohorts/manage/module_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def critique_open(request, slug, module_id):
    cohort = _cohort(request, slug)
    module = get_object_or_404(Module.objects.select_related("cohort"), pk=module_id, cohort=cohort)
    try:
        reviews = services.critique_round_open(module=module, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "The peer-critique round is open: %(count)d review assigned.",
                "The peer-critique round is open: %(count)d reviews assigned.",
                len(reviews),
            )
            % {"count": len(reviews)},
        )
    return _back(cohort)


@login_required
def event_create(request, slug):
    cohort = _cohort(request, slug)
    form = EventSeriesForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            events = services.event_series_create(cohort=cohort, by=request.user, plan=form.plan())
        except DomainError as error:
            _show(form, error, aliases={"starts_at": "first_day"})
        else:
            count = len(events)
            messages.success(
                request,
                ngettext(
                    "Added %(count)d event to the calendar.", "Added %(count)d events to the calendar.", count
                )
                % {"count": count},
            )
            return _back(cohort)
    context = {"form": form, "cohort": cohort, "event": None}
    return render(request, "cohorts/manage/event_form.html", context, status=400 if form.errors else 200)


@login_required
def event_edit(request, slug, event_id):
    cohort = _cohort(request, slug)
    event = get_object_or_404(CohortEvent.objects.select_related("cohort"), pk=event_id, cohort=cohort)
    form = EventForm.for_event(event, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, by=request.user, **form.service_fields())
        except DomainError as error:
            _show(form, error, aliases={"starts_at": "day"})
        else:
            messages.success(request, _("Event saved; members' calendars follow."))
            return _back(cohort)
    context = {"form": form, "cohort": cohort, "event": event}
    return render(request, "cohorts/manage/event_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def event_cancel(request, slug, event_id):
    cohort = _cohort(request, slug)
    event = get_object_or_404(CohortEvent.objects.select_related("cohort"), pk=event_id, cohort=cohort)
    services.event_cancel(event=event, by=request.user)
    messages.success(request, _("Cancelled “%(title)s”.") % {"title": event.display_title})
    return _back(cohort)


@login_required
def roster(request, slug):
    cohort = _cohort(request, slug)
    context = {
        "cohort": cohort,
        "roster": selectors.facilitator_roster(cohort),
        "waitlist": selectors.waitlist_of(cohort),
    }
    template = "cohorts/manage/roster.html#roster" if request.htmx else "cohorts/manage/roster.html"
    return render(request, template, context)


def _enrollment(cohort: Cohort, enrollment_id) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related("member", "cohort"), pk=enrollment_id, cohort=cohort
    )


@login_required
@require_POST
def roster_member(request, slug, enrollment_id):
    """Notes (action=notes) or completion (action=complete) of one member; htmx gets the card."""
    cohort = _cohort(request, slug)
    enrollment = _enrollment(cohort, enrollment_id)
    action = request.POST.get("action")
    form = NotesForm(request.POST) if action == "notes" else CompletionForm(request.POST)
    error = ""
    if action not in ("notes", "complete") or not form.is_valid():
        error = _("That did not work; check what you typed.")
    else:
        try:
            if action == "notes":
                enrollment = services.enrollment_set_notes(
                    enrollment=enrollment, by=request.user, notes=form.cleaned_data["notes"]
                )
            else:
                enrollment = services.enrollment_mark_completed(
                    enrollment=enrollment,
                    by=request.user,
                    completed=form.cleaned_data["completed"],
                    outcome_note=form.cleaned_data["outcome_note"],
                )
        except DomainError as refusal:
            error = refusal.message
    if request.htmx:
        enrollment = _enrollment(cohort, enrollment.pk)
        context = {
            "cohort": cohort,
            "member": enrollment,
            "error": error,
            "saved": action if not error else "",
        }
        return render(
            request, "cohorts/manage/roster.html#member_card", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Notes saved.") if action == "notes" else _("Saved."))
    return redirect("cohorts:roster", cohort.slug)


@login_required
@require_POST
def attendance(request, slug, event_id):
    """Mark one member present or absent at one event; htmx gets the re-rendered cell."""
    cohort = _cohort(request, slug)
    event = get_object_or_404(CohortEvent.objects.select_related("cohort"), pk=event_id, cohort=cohort)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "cohorts/manage/roster.html#attendance_error", {}, status=400)
        messages.error(request, _("Pick a member and present or absent."))
        return redirect("cohorts:roster", cohort.slug)
    enrollment = _enrollment(cohort, form.cleaned_data["enrollment"])
    error = ""
    try:
        services.attendance_mark(
            event=event, enrollment=enrollment, present=form.cleaned_data["present"], by=request.user
        )
    except DomainError as refusal:
        error = refusal.message
    if request.htmx:
        context = {"cohort": cohort, "cell": selectors.attendance_cell(event=event, enrollment=enrollment)}
        context["error"] = error
        return render(
            request, "cohorts/manage/roster.html#attendance_cell", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    return redirect("cohorts:roster", cohort.slug)


@login_required
@require_POST
@limit_posts("message", per_user="RATELIMIT_MESSAGE_PER_USER", per_ip="RATELIMIT_MESSAGE_PER_IP")
def message_all(request, slug):
    cohort = _cohort(request, slug)
    form = MessageForm(request.POST)
    if refused_as_too_many(request, form):
        return _manage_page(request, cohort, message_form=form, status=429)
    if form.is_valid():
        try:
            services.cohort_message_send(cohort=cohort, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Message sent to every member."))
            return _back(cohort)
    return _manage_page(request, cohort, message_form=form, status=400)
