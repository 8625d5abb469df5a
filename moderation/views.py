from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from qa.models import Message
from sessions.models import Booking, Review
from sessions.policy import CONTEST_WINDOW, is_mentor, may_contest_no_show, no_show_report
from sessions.views import booking_context, booking_or_404

from . import selectors, services
from .forms import NoShowContestForm, ReportForm


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _page_of(target) -> str:
    """Where the reported object is shown."""
    if isinstance(target, Review):
        return target.booking.mentor.get_absolute_url()
    if isinstance(target, Message):
        return target.thread.get_absolute_url() + f"#message-{target.pk}"
    return target.get_absolute_url()


@login_required
def report(request, kind: str, object_id: int):
    """A form to report a review, a message, a mentor profile or an offering the viewer can see."""
    try:
        target = selectors.report_target_for_viewer(kind=kind, object_id=object_id, user=request.user)
    except selectors.NotReportable:
        raise Http404("Nothing to report here.") from None
    back = _safe_next(request, request.POST.get("next") or request.GET.get("next")) or _page_of(target)
    own = selectors.author_id_of(target) == request.user.pk
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    target=target,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you. Staff will look at your report."))
                if request.htmx:
                    response = render(request, "moderation/report.html#done", {"back": back})
                    response["HX-Redirect"] = back
                    return response
                return redirect(back)
    else:
        form = ReportForm(initial={"next": back})
    context = {
        "form": form,
        "kind": kind,
        "target": target,
        "description": selectors.describe(target),
        "back": back,
        "own": own,
    }
    template = "moderation/report.html#report_form" if request.htmx else "moderation/report.html"
    return render(request, template, context, status=400 if form.errors else 200)


# --- the no-show card on the booking page (sessions.hooks.booking_page_context) ---------------


def booking_no_show_context(*, booking: Booking, viewer, now, forms) -> dict:
    """Who reported whom absent, a contest and its decision: both sides and staff see them; the
    reported side may contest within 48 h of the report (sessions.policy.may_contest_no_show)."""
    report = no_show_report(booking)
    dispute = getattr(booking, "noshow_dispute", None)
    if report is None and dispute is None:
        return {}
    contest = may_contest_no_show(booking, by=viewer, now=now, contested=dispute is not None)
    return {
        "no_show_report": report,
        "dispute": dispute,
        "contest_deadline": report.at + CONTEST_WINDOW if report else None,
        "can_contest": contest.allowed,
        "contest_form": forms.get("contest_form") or NoShowContestForm(),
        "upheld_strikes": selectors.upheld_strikes(mentor_id=booking.mentor_id, now=now).count()
        if is_mentor(viewer, booking)
        else None,
    }


@login_required
@require_POST
def contest_no_show(request, booking_id):
    """The person reported absent says they were there; staff decide."""
    booking = booking_or_404(request, booking_id)
    form = NoShowContestForm(request.POST)
    if form.is_valid():
        try:
            services.noshow_contest(booking=booking, by=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error("note", str(error))
        else:
            messages.success(
                request, _("Contested. Our team will look at it and e-mail you both the decision.")
            )
            return redirect(booking)
    booking = booking_or_404(request, booking_id)
    context = booking_context(request, booking, contest_form=form)
    if context.get("no_show_report") is None:  # nothing to contest: no form to show the error beside
        messages.error(request, " ".join(form.errors.get("note", [])))
        return redirect(booking)
    context["can_contest"] = True  # the form again, with its error beside the note
    return render(request, "sessions/booking.html", context, status=400)
