"""Request to book, as its mentor and mentee see it: accept or decline (with a short message),
withdraw, and the mentor's list of requests waiting for an answer. The rules are the services'
(sessions/services/requests.py); these views only ask and say what happened."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from mentors.selectors import own_mentor_profile

from . import selectors, services
from .request_stats import request_outcomes_by_month
from .views import booking_context, booking_or_404


class RequestAnswerForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("A short message to the mentee (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def booking_page_context(*, booking, viewer, now, forms) -> dict:
    """The request's card on the booking page (sessions.hooks.booking_page_context)."""
    approval = getattr(booking, "approval", None)
    return {
        "approval": approval,
        "request_form": forms.get("request_form") or RequestAnswerForm(),
        "can_answer_request": approval is not None
        and booking.state == booking.State.REQUESTED
        and booking.mentor.user_id == viewer.pk,
        "can_withdraw_request": approval is not None
        and booking.state == booking.State.REQUESTED
        and booking.mentee_id == viewer.pk,
    }


def _answer(request, booking_id, *, run, done: str):
    booking = booking_or_404(request, booking_id)
    form = RequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            run(booking=booking, by=request.user, message=form.cleaned_data["message"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect(booking)
    context = booking_context(request, booking, request_form=form)
    return render(request, "sessions/booking.html", context, status=400)


@login_required
@require_POST
def request_accept(request, booking_id):
    return _answer(
        request,
        booking_id,
        run=services.booking_request_accept,
        done=_("Accepted: the session is booked and both of you have the confirmation."),
    )


@login_required
@require_POST
def request_decline(request, booking_id):
    return _answer(
        request,
        booking_id,
        run=services.booking_request_decline,
        done=_("Declined: the time is free again and the mentee has been told (nothing was charged)."),
    )


@login_required
@require_POST
def request_withdraw(request, booking_id):
    booking = booking_or_404(request, booking_id)
    try:
        services.booking_request_withdraw(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is withdrawn; nothing was charged."))
    return redirect(booking)


@login_required
def mentor_requests(request):
    """The mentor's requests to book: waiting for an answer first, then the last ones decided."""
    mentor = own_mentor_profile(user=request.user)
    waiting, decided = selectors.mentor_requests(mentor=mentor)
    context = {"waiting": waiting, "decided": decided, "months": request_outcomes_by_month(mentor=mentor)}
    return render(request, "sessions/requests.html", context)
