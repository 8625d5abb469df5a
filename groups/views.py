from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.services.checkout import purchase_start_checkout
from core.errors import DomainError
from core.forms import show_error
from mentors.selectors import own_mentor_profile

from . import selectors, services
from .forms import GroupSessionForm
from .models import GroupSeat, GroupSession

Seat = GroupSeat.State


def detail(request, group_session_id):
    """The session's page: anyone may read a published one; only attendees and the mentor see the
    join link and who is coming."""
    group_session = selectors.group_session_for_viewer(group_session_id=group_session_id, user=request.user)
    now = timezone.now()
    seat = selectors.seat_of(group_session=group_session, user=request.user)
    is_mentor = request.user.is_authenticated and group_session.mentor.user_id == request.user.pk
    confirmed = seat is not None and seat.state == Seat.CONFIRMED
    held = seat is not None and seat.state == Seat.HELD and (seat.hold_expires_at or now) > now
    context = {
        "group_session": group_session,
        "seat": seat if (confirmed or held) else None,
        "is_mentor": is_mentor,
        "sees_join": is_mentor or confirmed,
        "attendees": selectors.attendees(group_session=group_session) if is_mentor else None,
        "seats_left": max(group_session.seats - group_session.taken, 0),
        "open": group_session.state == GroupSession.State.PUBLISHED and group_session.starts_at > now,
        "can_refund": confirmed and seat.price_amount and now <= group_session.refund_until,
        "payment": getattr(seat, "payment", None) if held else None,
    }
    return render(request, "groups/detail.html", context)


@login_required
@require_POST
def book(request, group_session_id):
    """Book a seat: a free one is confirmed at once, a paid one is held and paid in the checkout."""
    group_session = selectors.group_session_for_viewer(group_session_id=group_session_id, user=request.user)
    try:
        seat = services.seat_book(group_session=group_session, mentee=request.user)
        if seat.state == Seat.HELD:
            url = request.build_absolute_uri(group_session.get_absolute_url())
            payment = purchase_start_checkout(purchase=seat, success_url=url, cancel_url=url)
            return redirect(payment.checkout_url)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your seat is booked: the confirmation e-mail has the join link and a calendar file.")
        )
    return redirect(group_session)


@login_required
@require_POST
def cancel_seat(request, group_session_id):
    group_session = selectors.group_session_for_viewer(group_session_id=group_session_id, user=request.user)
    seat = get_object_or_404(
        GroupSeat, group_session=group_session, mentee=request.user, state=Seat.CONFIRMED
    )
    try:
        seat = services.seat_cancel(seat=seat, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        refunded = seat.cancel_note.endswith("(refunded)")
        if refunded:
            messages.success(request, _("Your seat is cancelled. Your payment is being refunded."))
        else:
            messages.success(request, _("Your seat is cancelled."))
    return redirect(group_session)


# --- mentors -------------------------------------------------------------------------------------


@login_required
def mentor_groups(request):
    mentor = own_mentor_profile(user=request.user)
    context = {
        "group_sessions": selectors.mentor_group_sessions(mentor=mentor),
        "figures": selectors.mentor_figures(mentor=mentor),
        "now": timezone.now(),
    }
    return render(request, "groups/mentor_groups.html", context)


@login_required
def new(request):
    mentor = own_mentor_profile(user=request.user)
    form = GroupSessionForm(request.POST or None, zone=mentor.zone)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.group_session_create(mentor=mentor, **form.service_fields())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Saved “%(title)s” as a draft: publish it when it is ready.") % {"title": created.title},
            )
            return redirect("groups:mentor_groups")
    return render(request, "groups/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def publish(request, group_session_id):
    mentor = own_mentor_profile(user=request.user)
    group_session = get_object_or_404(GroupSession, pk=group_session_id, mentor=mentor)
    try:
        services.group_session_publish(group_session=group_session, mentor=mentor)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published: it shows on your profile."))
    return redirect("groups:mentor_groups")


@login_required
@require_POST
def cancel(request, group_session_id):
    mentor = own_mentor_profile(user=request.user)
    group_session = get_object_or_404(GroupSession, pk=group_session_id, mentor=mentor)
    reason = (request.POST.get("reason") or "").strip()[:300] or "cancelled by the mentor"
    try:
        services.group_session_cancel(group_session=group_session, by=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cancelled: every attendee is told and every paid seat refunded."))
    return redirect("groups:mentor_groups")
