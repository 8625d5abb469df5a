"""Changing a booking before the session: cancelling it (by the mentee, the mentor, or staff for the
mentor), moving it to another slot, and editing the mentee's pre-work."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.models import MentorProfile

from .. import hooks, policy, previews, tasks
from ..activity import RESCHEDULED_NOTE
from ..models import Booking, BookingEvent
from ..policy import mentee_cancel_refunds, refund_due
from .base import (
    SLOT_TAKEN,
    BookingError,
    State,
    expire_checkout_on_commit,
    locked_booking,
    payout_on_commit,
    refund_on_commit,
    refuse_unless,
    return_credit,
    transition,
)
from .booking import after_confirmation, ensure_slot_free

if TYPE_CHECKING:
    from accounts.models import User


def booking_cancel(
    *, booking: Booking, by: User, reason: str = "", now: datetime | None = None, notify: bool = True
) -> Booking:
    """Mentee or mentor cancels (policy.may_cancel); refunds follow the window (policy.refund_due).
    `notify=False`: a weekly series cancelled from here on sends one e-mail for all (series.py)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked_booking(booking)
        verdict = policy.may_cancel(booking, by=by, now=now)
        refuse_unless(verdict)
        to = verdict.to
        note = reason.strip()[:300]
        was = booking.state
        refund = refund_due(booking=booking, to=to, now=now)
        late = (
            was == State.CONFIRMED
            and to == State.CANCELLED_BY_MENTEE
            and not mentee_cancel_refunds(booking, at=now)
        )
        if late:
            note = (note + " (inside the cancellation window: no refund)").strip()
        credit_back = was == State.CONFIRMED and (to == State.CANCELLED_BY_MENTOR or not late)
        if credit_back and (returned := return_credit(booking)):
            note = (note + f" ({returned} returned)").strip()
        booking.hold_expires_at = None
        transition(booking, to, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="booking cancelled")
        if refund:
            who = "your mentor" if to == State.CANCELLED_BY_MENTOR else "you"
            refund_on_commit(booking, f"The session was cancelled by {who}.")
        elif late:
            payout_on_commit(booking)  # the mentor is paid
        elif was == State.HELD:
            expire_checkout_on_commit(booking)
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
        if notify:
            tasks.send_booking_cancelled.delay_on_commit(str(booking.pk))
    return booking


def booking_cancel_by_staff(
    *, booking: Booking, by: User | None, reason: str, now: datetime | None = None, refunded: bool = False
) -> Booking:
    """Staff (or the strike rule, `by=None`) cancel a future booking on the mentor's side, as when
    a mentor is suspended: the mentee is refunded in full or gets the credit back, and is e-mailed
    the reason. The mentor is told by the caller (a suspension tells them once for everything).

    `refunded=True`: the money went back already, by a refund made in Stripe (billing):
    nothing is refunded again, and the mentor of a confirmed booking is e-mailed the reason too."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise BookingError(_("Give a reason for the cancellation."), field="reason")
    with transaction.atomic():
        booking = locked_booking(booking)
        if not booking.is_active:
            raise BookingError(_("Only a held or confirmed booking can be cancelled."))
        if booking.starts_at <= now:
            raise BookingError(_("This session has already started."))
        was = booking.state
        # A request to book's card was only authorised: it is released, never refunded.
        requested = was == State.REQUESTED
        refund = (
            not refunded
            and not requested
            and refund_due(booking=booking, to=State.CANCELLED_BY_MENTOR, now=now)
        )
        note = f"{'refunded in Stripe' if refunded else 'cancelled by staff'}: {reason}"[:300]
        if was == State.CONFIRMED and (returned := return_credit(booking)):
            note = (note[:270] + f" ({returned} returned)").strip()
        booking.hold_expires_at = None
        transition(booking, State.CANCELLED_BY_MENTOR, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="booking cancelled")
        if refund:
            refund_on_commit(booking, f"The session was cancelled: {reason}")
        elif was == State.HELD and not refunded:  # refunded: its checkout was paid, not open
            expire_checkout_on_commit(booking)
        elif requested and not refunded and booking.price_amount:
            hooks.release_authorisation.call(booking_id=str(booking.pk))
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
        if refunded and was == State.CONFIRMED:
            tasks.send_booking_cancelled.delay_on_commit(str(booking.pk), reason)
        else:
            tasks.send_booking_cancelled_to_mentee.delay_on_commit(str(booking.pk), reason)
    return booking


def booking_reschedule(
    *, booking: Booking, by: User, starts_at: datetime, now: datetime | None = None
) -> Booking:
    """Move a confirmed booking to another free slot, once, before the window closes
    (policy.may_reschedule)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = locked_booking(booking)
            refuse_unless(policy.may_reschedule(booking, by=by, now=now))
            if starts_at <= now:
                raise BookingError(
                    _("That time is in the past. Please pick a slot ahead."), field="starts_at"
                )
            mentor = MentorProfile.objects.select_for_update().get(pk=booking.mentor_id)
            old = booking.starts_at
            duration = booking.duration
            # The booking's own time must not block its new time.
            ensure_slot_free(
                mentor=mentor, duration=duration, starts_at=starts_at, now=now, ignore=booking.pk
            )
            booking.starts_at = starts_at
            booking.ends_at = starts_at + duration
            booking.reschedule_count += 1
            booking.save(update_fields=["starts_at", "ends_at", "reschedule_count"])
            BookingEvent.objects.create(
                booking=booking,
                actor=by,
                from_state=State.CONFIRMED,
                to_state=State.CONFIRMED,
                note=RESCHEDULED_NOTE.format(old),
            )
            previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            after_confirmation(booking)
    except IntegrityError as exc:
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def booking_update_prework(
    *,
    booking: Booking,
    by: User,
    outcome: str,
    prework_answers: list[str],
    context_notes: str = "",
    links: str = "",
) -> Booking:
    """The mentee finishes or edits the outcome and pre-work until the session starts."""
    with transaction.atomic():
        booking = locked_booking(booking)
        refuse_unless(policy.may_edit_prework(booking, by=by, now=timezone.now()))
        if not outcome.strip():
            raise BookingError(_("Say what you want to walk away with."), field="outcome")
        if len(prework_answers) != len(booking.prework_answers):
            raise BookingError(_("Please answer each pre-work prompt."))
        booking.outcome = outcome.strip()
        booking.prework_answers = [
            {"prompt": old["prompt"], "answer": answer.strip()}
            for old, answer in zip(booking.prework_answers, prework_answers, strict=True)
        ]
        booking.context_notes = context_notes.strip()
        booking.links = links.strip()
        # Only the pre-work changes, which the change history does not copy (Booking.history).
        booking.save_without_historical_record(
            update_fields=["outcome", "prework_answers", "context_notes", "links"]
        )
    return booking
