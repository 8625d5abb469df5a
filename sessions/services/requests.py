"""Request to book (Offering.requires_approval): the mentee's chosen time is held while the mentor
decides. A free request is sent at once (booking_create); a paid one once its card is authorised
(billing calls booking_request_authorised from the signed event). The mentor accepts (the booking is
confirmed and billing captures the card after the commit) or declines; 48 hours without an answer,
or the session's start, let it lapse (the beat sweep). A declined, lapsed or withdrawn request's
authorisation is released by billing after the commit. Each function is one transaction, and
each decision is taken once: the booking's row lock and its state decide who came first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentors.models import MentorProfile

from .. import hooks, policy, previews, request_tasks
from ..models import Booking, BookingApproval
from .approval import request_send
from .base import SLOT_TAKEN, BookingError, State, locked_booking, transition
from .booking import _expire_stale_holds, after_confirmation, ensure_slot_free

if TYPE_CHECKING:
    from accounts.models import User

Decision = BookingApproval.Decision
REMIND_BEFORE = timedelta(hours=24)
NOT_WAITING = gettext_lazy("This request is no longer waiting for an answer.")  # in the reader's language


def booking_request_authorised(*, booking: Booking) -> Booking:
    """The card was authorised (not charged): the request goes to the mentor. Idempotent: a
    replayed or reordered event finds it sent. After the hold ran out, sent only if the slot is
    still free (SLOT_TAKEN otherwise: billing then releases the authorisation)."""
    try:
        with transaction.atomic():
            booking = locked_booking(booking)
            approval = BookingApproval.objects.filter(booking=booking).first()
            if approval is None:
                raise BookingError(_("This booking is not a request to book."))
            if approval.requested_at is not None:
                return booking  # sent already (and perhaps decided since)
            now = timezone.now()
            if booking.state == State.EXPIRED:
                mentor = MentorProfile.objects.select_for_update().get(pk=booking.mentor_id)
                _expire_stale_holds(mentor_id=mentor.pk, now=now)
                ensure_slot_free(
                    mentor=mentor, duration=booking.duration, starts_at=booking.starts_at, now=now
                )
            elif booking.state != State.HELD:
                raise BookingError(_("This booking is no longer waiting for a card."))
            if booking.starts_at <= now:
                raise BookingError(_("The session's time has passed."))
            booking.hold_expires_at = None
            transition(
                booking, State.REQUESTED, by=booking.mentee, note="card authorised; waiting for the mentor"
            )
            request_send(approval=approval, booking=booking, now=now)
            previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
    except IntegrityError as exc:  # the exclusion constraint on PostgreSQL
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def _locked_request(booking: Booking) -> tuple[Booking, BookingApproval]:
    booking = locked_booking(booking)
    approval = BookingApproval.objects.filter(booking=booking).first()
    if approval is None or booking.state != State.REQUESTED:
        raise BookingError(NOT_WAITING)
    return booking, approval


def _decide(approval: BookingApproval, decision: str, *, now: datetime, message: str = "") -> None:
    approval.decision = decision
    approval.decided_at = now
    approval.message = message.strip()[:300]
    approval.save(update_fields=["decision", "decided_at", "message"])


def _release(booking: Booking) -> None:
    """The time is free again; a card that was authorised is released after the commit."""
    if booking.price_amount:
        hooks.release_authorisation.call(booking_id=str(booking.pk))
    previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)


def booking_request_accept(*, booking: Booking, by: User, message: str = "") -> Booking:
    """The mentor says yes: the booking is confirmed (e-mails, .ics, reminders as for any booking)
    and billing captures the authorised card after the commit."""
    with transaction.atomic():
        booking, approval = _locked_request(booking)
        if not policy.is_mentor(by, booking):
            raise BookingError(_("Only the mentor can accept this request."))
        now = timezone.now()
        if booking.starts_at <= now or (approval.answer_by and approval.answer_by <= now):
            raise BookingError(_("This request has lapsed: the time to answer it is over."))
        _decide(approval, Decision.ACCEPTED, now=now, message=message)
        transition(booking, State.CONFIRMED, by=by, note="request accepted")
        after_confirmation(booking)
        if booking.price_amount:
            hooks.capture_payment.call(booking_id=str(booking.pk))
        request_tasks.send_request_answered.delay_on_commit(str(booking.pk))
    return booking


def booking_request_decline(*, booking: Booking, by: User, message: str = "") -> Booking:
    """The mentor says no (with an optional short message): the time is free, the card released."""
    with transaction.atomic():
        booking, approval = _locked_request(booking)
        if not policy.is_mentor(by, booking):
            raise BookingError(_("Only the mentor can decline this request."))
        _decide(approval, Decision.DECLINED, now=timezone.now(), message=message)
        transition(booking, State.DECLINED, by=by, note="request declined")
        _release(booking)
        request_tasks.send_request_answered.delay_on_commit(str(booking.pk))
    return booking


def booking_request_withdraw(*, booking: Booking, by: User) -> Booking:
    """The mentee takes the request back before the mentor answers: nothing is charged."""
    with transaction.atomic():
        booking, approval = _locked_request(booking)
        if not policy.is_mentee(by, booking):
            raise BookingError(_("Only the mentee can withdraw this request."))
        _decide(approval, Decision.WITHDRAWN, now=timezone.now())
        transition(booking, State.CANCELLED_BY_MENTEE, by=by, note="request withdrawn")
        _release(booking)
    return booking


def booking_request_lapse(*, booking: Booking, note: str = "no answer in time") -> Booking:
    """No answer in time (or the card's authorisation was cancelled in Stripe): released, both told.
    Idempotent: a request already decided is left as it is."""
    with transaction.atomic():
        booking = locked_booking(booking)
        approval = BookingApproval.objects.filter(booking=booking).first()
        if approval is None or booking.state != State.REQUESTED:
            return booking
        _decide(approval, Decision.LAPSED, now=timezone.now())
        transition(booking, State.LAPSED, by=None, note=note)
        _release(booking)
        request_tasks.send_request_lapsed.delay_on_commit(str(booking.pk))
    return booking


def booking_requests_lapse_due(*, now: datetime | None = None) -> int:
    """The beat sweep: requests whose 48 hours (or start) passed lapse. Safe to run any number of
    times in parallel: each request is taken under its row lock, skipping ones another run holds."""
    now = now or timezone.now()
    lapsed = 0
    with transaction.atomic():
        due = (
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("offering", "mentor__user", "mentee")
            .filter(state=State.REQUESTED, approval__answer_by__lte=now)
            .order_by("approval__answer_by")[:200]
        )
        for booking in due:
            booking_request_lapse(booking=booking)
            lapsed += 1
    return lapsed


def booking_requests_remind(*, now: datetime | None = None) -> int:
    """A day before a request lapses, its mentor is reminded once (marked under the row's lock)."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = (
            BookingApproval.objects.select_for_update(skip_locked=True)
            .filter(
                booking__state=State.REQUESTED,
                reminder_sent_at__isnull=True,
                answer_by__gt=now,
                answer_by__lte=now + REMIND_BEFORE,
                requested_at__lte=now - timedelta(hours=1),  # not for one asked an hour before its end
            )
            .order_by("answer_by")[:200]
        )
        for approval in due:
            approval.reminder_sent_at = now
            approval.save(update_fields=["reminder_sent_at"])
            request_tasks.send_request_reminder.delay_on_commit(str(approval.booking_id))
            sent += 1
    return sent
