"""Everything a booking can do. Each function is one transaction and raises BookingError."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from core.errors import DomainError
from mentors.models import MentorProfile
from mentors.services import unique_slug

from . import hooks, policy, previews, tasks
from .models import MAX_PREWORK_PROMPTS, ActionItem, Booking, BookingEvent, Offering, Review
from .policy import NO_SHOW_STATES, NO_SHOW_WINDOW, mentee_cancel_refunds, refund_due
from .selectors import mentor_free_slots

State = Booking.State
SLOT_TAKEN = "That slot was just taken. Please pick another time."


class BookingError(DomainError):
    """A rule about offerings and bookings said no."""


def _refuse_unless(verdict: policy.Verdict) -> None:
    if not verdict.allowed:
        raise BookingError(verdict.reason)


# --- transitions (policy.TRANSITIONS) -------------------------------------------------------


def _transition(booking: Booking, to: str, *, by, note: str = "") -> None:
    if refusal := policy.transition_refusal(booking, to):
        raise BookingError(refusal)
    BookingEvent.objects.create(booking=booking, actor=by, from_state=booking.state, to_state=to, note=note)
    booking.state = to
    booking._change_reason = note  # in the change history too (core/history.py)
    booking.save(update_fields=["state", "hold_expires_at", "starts_at", "ends_at", "reschedule_count"])


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("offering", "mentor__user", "mentee")
        .get(pk=booking.pk)
    )


# --- booking ------------------------------------------------------------------------------


@dataclass
class BookingRequest:
    starts_at: datetime
    outcome: str
    prework_answers: list[str]
    context_notes: str = ""
    links: str = ""


def _ensure_slot_free(
    *, mentor: MentorProfile, duration: timedelta, starts_at: datetime, now: datetime, ignore=None
):
    slots = mentor_free_slots(
        mentor=mentor,
        duration=duration,
        start=starts_at,
        end=starts_at + timedelta(minutes=1),
        now=now,
        ignore_booking_id=ignore,
    )
    if starts_at not in slots:
        raise BookingError(SLOT_TAKEN, field="starts_at")


def booking_create(
    *, offering: Offering, mentee, request: BookingRequest, use_credit: bool = False, notify: bool = True
) -> Booking:
    """Reserve a slot: a free offering confirms at once, a paid one is held while the mentee pays,
    and with `use_credit` one of the mentee's subscription credits pays and it confirms at once.

    `notify=False` books without the confirmation e-mails (demo data, imports).
    """
    if not offering.is_published or not offering.mentor.is_approved:
        raise BookingError("This offering is not open for booking.")
    if offering.mentor.user_id == mentee.pk:
        raise BookingError("You cannot book your own offering.")
    if not mentee.emailaddress_set.filter(verified=True).exists():
        raise BookingError("Please verify your e-mail address before booking.")
    prompts = offering.prework_prompts[:MAX_PREWORK_PROMPTS]
    if len(request.prework_answers) != len(prompts):
        raise BookingError("Please answer each pre-work prompt.", field="prework")
    now = timezone.now()
    if request.starts_at <= now:
        raise BookingError("That time is in the past. Please pick a slot ahead.", field="starts_at")

    duration = timedelta(minutes=offering.duration_minutes)
    use_credit = use_credit and not offering.is_free  # a free session spends nothing
    try:
        with transaction.atomic():
            # Serialise every booking of this mentor, then re-check under the lock.
            mentor = MentorProfile.objects.select_for_update().get(pk=offering.mentor_id)
            # Re-read under the lock: a suspension committed a moment ago closes the offering too.
            if (
                not mentor.is_approved
                or not Offering.objects.filter(pk=offering.pk, is_published=True).exists()
            ):
                raise BookingError("This offering is not open for booking.")
            _expire_stale_holds(mentor_id=mentor.pk, now=now)
            _ensure_slot_free(mentor=mentor, duration=duration, starts_at=request.starts_at, now=now)
            price = 0 if use_credit else member_price(offering=offering, mentee=mentee)
            free = price == 0
            booking = Booking.objects.create(
                offering=offering,
                mentor=mentor,
                mentee=mentee,
                starts_at=request.starts_at,
                ends_at=request.starts_at + duration,
                state=State.CONFIRMED if free else State.HELD,
                hold_expires_at=None if free else now + timedelta(minutes=settings.HOLD_MINUTES),
                outcome=request.outcome.strip(),
                prework_answers=[
                    {"prompt": p, "answer": a.strip()}
                    for p, a in zip(prompts, request.prework_answers, strict=True)
                ],
                context_notes=request.context_notes.strip(),
                links=request.links.strip(),
                price_amount=price,
                currency=offering.currency,
                join_url=offering.join_url or _generated_room_url(),
            )
            BookingEvent.objects.create(
                booking=booking,
                actor=mentee,
                from_state="",
                to_state=booking.state,
                note="paid with a subscription credit" if use_credit else "",
            )
            if use_credit:
                _spend_credit(booking)
            if booking.state == State.CONFIRMED and notify:
                _after_confirmation(booking)
            previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
    except IntegrityError as exc:  # the exclusion constraint: the last line of defence
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def _spend_credit(booking: Booking) -> None:
    try:
        credit = hooks.spend_credit.first(booking=booking)
    except DomainError as error:  # no credit left, on hold, too short a plan…
        raise BookingError(error.message, field="use_credit") from error
    if credit is None:
        raise BookingError("Paying with a subscription credit is not available.", field="use_credit")


def _return_credit(booking: Booking) -> bool:
    """A session paid with a credit, cancelled in time or by the mentor: the credit comes back."""
    return hooks.return_credit.first(booking=booking) is not None


def member_price(*, offering: Offering, mentee) -> int:
    """The offering's price, less the best discount for this mentee (a cohort of this mentor they
    are or were a member of: the add-on 1:1 price cohorts promise). Rounded to a whole minor unit."""
    percent = max([0, *hooks.discount_percent.call(offering=offering, mentee=mentee)])
    return offering.price_amount - (offering.price_amount * percent + 50) // 100


def _generated_room_url() -> str:
    return f"https://meet.jit.si/TheMentors-{secrets.token_urlsafe(12)}"


def _after_confirmation(booking: Booking) -> None:
    """Confirmed or moved: e-mails after commit, and the reminders in this same transaction."""
    hooks.booking_scheduled.call(booking=booking)
    tasks.send_booking_confirmed.delay_on_commit(str(booking.pk))


def booking_confirm_payment(*, booking: Booking, notify: bool = True) -> Booking:
    """The payment step finished: a held booking becomes confirmed (idempotent).

    A payment that arrives after the hold expired still confirms if the slot is free, checked
    under the mentor's lock like a new booking; otherwise SLOT_TAKEN (the caller refunds).
    """
    try:
        with transaction.atomic():
            booking = _locked(booking)
            if booking.state == State.CONFIRMED:
                return booking
            if booking.state == State.EXPIRED:
                now = timezone.now()
                mentor = MentorProfile.objects.select_for_update().get(pk=booking.mentor_id)
                _expire_stale_holds(mentor_id=mentor.pk, now=now)
                _ensure_slot_free(
                    mentor=mentor, duration=booking.duration, starts_at=booking.starts_at, now=now
                )
                previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            elif booking.state != State.HELD:
                raise BookingError("This booking is no longer waiting for payment.")
            booking.hold_expires_at = None
            _transition(booking, State.CONFIRMED, by=booking.mentee, note="payment received")
            if notify:
                _after_confirmation(booking)
    except IntegrityError as exc:  # the exclusion constraint on PostgreSQL
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def booking_extend_hold(*, booking: Booking, until: datetime) -> Booking:
    """The checkout and the hold end together (Stripe's shortest checkout is 30 minutes)."""
    with transaction.atomic():
        booking = _locked(booking)
        if booking.state != State.HELD:
            raise BookingError("This booking is no longer waiting for payment.")
        if booking.hold_expires_at is None or until > booking.hold_expires_at:
            booking.hold_expires_at = until
            booking.save(update_fields=["hold_expires_at"])
    return booking


def booking_release_hold(*, booking: Booking, note: str) -> Booking:
    """Checkout abandoned, expired or failed: the held slot is free again at once (idempotent)."""
    with transaction.atomic():
        booking = _locked(booking)
        if booking.state != State.HELD:
            return booking
        _transition(booking, State.EXPIRED, by=None, note=note)
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
    return booking


def _expire_stale_holds(*, mentor_id: int, now: datetime) -> None:
    """Holds past their expiry stop blocking at once, even before the worker runs."""
    for booking in Booking.objects.filter(mentor_id=mentor_id, state=State.HELD, hold_expires_at__lte=now):
        _transition(booking, State.EXPIRED, by=None, note="hold expired")
        _expire_checkout_on_commit(booking)


def bookings_flag_for_review(*, now: datetime | None = None) -> list[Booking]:
    """24 h after the end, a confirmed session nobody closed or reported goes to staff.

    The booking stays confirmed (the mentor may still close it); it is flagged once, with an
    event in its audit trail, and staff get one e-mail listing what was flagged. Idempotent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        flagged = list(
            Booking.objects.select_for_update(skip_locked=True)
            .select_related("offering", "mentor__user", "mentee")
            .filter(state=State.CONFIRMED, ends_at__lte=now - NO_SHOW_WINDOW, review_flagged_at__isnull=True)
            .order_by("ends_at")[:500]
        )
        for booking in flagged:
            booking.review_flagged_at = now
            booking.save(update_fields=["review_flagged_at"])
            BookingEvent.objects.create(
                booking=booking,
                from_state=booking.state,
                to_state=booking.state,
                note="flagged for staff review: not closed or reported 24 h after the end",
            )
        if flagged:
            hooks.bookings_flagged.call(booking_ids=[str(b.pk) for b in flagged])
    return flagged


def booking_release_expired_holds(*, now: datetime | None = None) -> int:
    """Expire holds whose time ran out; safe to run any number of times in parallel."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        holds = (
            Booking.objects.select_for_update(skip_locked=True)
            .filter(state=State.HELD, hold_expires_at__lte=now)
            .order_by("hold_expires_at")[:500]
        )
        for booking in holds:
            _transition(booking, State.EXPIRED, by=None, note="hold expired")
            _expire_checkout_on_commit(booking)
            previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
            released += 1
    return released


def _refund_on_commit(booking: Booking, reason: str) -> None:
    hooks.refund_booking.call(booking_id=str(booking.pk), reason=reason)


def _expire_checkout_on_commit(booking: Booking) -> None:
    """A held booking cancelled while its checkout is open: close the checkout too."""
    if booking.price_amount:
        hooks.close_checkout.call(booking_id=str(booking.pk))


def _payout_on_commit(booking: Booking) -> None:
    if booking.price_amount:
        hooks.pay_out_booking.call(booking_id=str(booking.pk))


def booking_cancel(*, booking: Booking, by, reason: str = "", now: datetime | None = None) -> Booking:
    """Mentee or mentor cancels (policy.may_cancel); refunds follow the window (policy.refund_due)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        verdict = policy.may_cancel(booking, by=by, now=now)
        _refuse_unless(verdict)
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
        if credit_back and _return_credit(booking):
            note = (note + " (subscription credit returned)").strip()
        booking.hold_expires_at = None
        _transition(booking, to, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="booking cancelled")
        if refund:
            who = "your mentor" if to == State.CANCELLED_BY_MENTOR else "you"
            _refund_on_commit(booking, f"The session was cancelled by {who}.")
        elif late:
            _payout_on_commit(booking)  # the mentor is paid
        elif was == State.HELD:
            _expire_checkout_on_commit(booking)
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
        tasks.send_booking_cancelled.delay_on_commit(str(booking.pk))
    return booking


def booking_cancel_by_staff(
    *, booking: Booking, by, reason: str, now: datetime | None = None, refunded: bool = False
) -> Booking:
    """Staff (or the strike rule, `by=None`) cancel a future booking on the mentor's side, as when
    a mentor is suspended: the mentee is refunded in full or gets the credit back, and is e-mailed
    the reason. The mentor is told by the caller (a suspension tells them once for everything).

    `refunded=True`: the money went back already, by a refund made in Stripe (billing):
    nothing is refunded again, and the mentor of a confirmed booking is e-mailed the reason too."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise BookingError("Give a reason for the cancellation.", field="reason")
    with transaction.atomic():
        booking = _locked(booking)
        if not booking.is_active:
            raise BookingError("Only a held or confirmed booking can be cancelled.")
        if booking.starts_at <= now:
            raise BookingError("This session has already started.")
        was = booking.state
        refund = not refunded and refund_due(booking=booking, to=State.CANCELLED_BY_MENTOR, now=now)
        note = f"{'refunded in Stripe' if refunded else 'cancelled by staff'}: {reason}"[:300]
        if was == State.CONFIRMED and _return_credit(booking):
            note = (note[:270] + " (subscription credit returned)").strip()
        booking.hold_expires_at = None
        _transition(booking, State.CANCELLED_BY_MENTOR, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="booking cancelled")
        if refund:
            _refund_on_commit(booking, f"The session was cancelled: {reason}")
        elif was == State.HELD and not refunded:  # refunded: its checkout was paid, not open
            _expire_checkout_on_commit(booking)
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
        if refunded and was == State.CONFIRMED:
            tasks.send_booking_cancelled.delay_on_commit(str(booking.pk), reason)
        else:
            tasks.send_booking_cancelled_to_mentee.delay_on_commit(str(booking.pk), reason)
    return booking


def booking_reschedule(*, booking: Booking, by, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Move a confirmed booking to another free slot, once, before the window closes
    (policy.may_reschedule)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = _locked(booking)
            _refuse_unless(policy.may_reschedule(booking, by=by, now=now))
            if starts_at <= now:
                raise BookingError("That time is in the past. Please pick a slot ahead.", field="starts_at")
            mentor = MentorProfile.objects.select_for_update().get(pk=booking.mentor_id)
            old = booking.starts_at
            duration = booking.duration
            # The booking's own time must not block its new time.
            _ensure_slot_free(
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
                note=f"rescheduled from {old:%Y-%m-%d %H:%M} UTC",
            )
            previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            _after_confirmation(booking)
    except IntegrityError as exc:
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def booking_update_prework(
    *,
    booking: Booking,
    by,
    outcome: str,
    prework_answers: list[str],
    context_notes: str = "",
    links: str = "",
) -> Booking:
    """The mentee finishes or edits the outcome and pre-work until the session starts."""
    with transaction.atomic():
        booking = _locked(booking)
        _refuse_unless(policy.may_edit_prework(booking, by=by, now=timezone.now()))
        if not outcome.strip():
            raise BookingError("Say what you want to walk away with.", field="outcome")
        if len(prework_answers) != len(booking.prework_answers):
            raise BookingError("Please answer each pre-work prompt.")
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


def review_set_hidden(*, review: Review, hidden: bool) -> Review:
    """Staff hide or restore a review; the mentor's rating follows."""
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("booking").get(pk=review.pk)
        review.is_hidden = hidden
        review.save(update_fields=["is_hidden"])
        _refresh_mentor_stats(review.booking.mentor_id)
    return review


# --- after the session ----------------------------------------------------------------------


def booking_close(
    *,
    booking: Booking,
    by,
    action_item: str,
    due_date: date,
    notes: str = "",
    resources: str = "",
    now: datetime | None = None,
) -> ActionItem:
    """The mentor closes the session with exactly one primary action item (policy.may_close)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _refuse_unless(policy.may_close(booking, by=by, now=now))
        if not action_item.strip():
            raise BookingError("Write the one action item.", field="action_item")
        if due_date < booking.ends_at.astimezone(booking.mentee.zone).date():
            raise BookingError("The due date cannot be before the session.", field="due_date")
        item = ActionItem.objects.create(
            booking=booking,
            text=action_item.strip(),
            due_date=due_date,
            notes=notes.strip(),
            resources=resources.strip(),
        )
        _transition(booking, State.COMPLETED, by=by, note="closed with an action item")
        hooks.booking_ended.call(booking=booking, reason="session closed")
        hooks.session_closed.call(action_item=item, now=now)
        _payout_on_commit(booking)
        _refresh_mentor_stats(booking.mentor_id)
    return item


def action_item_mark_done(*, booking: Booking, by, done: bool = True) -> ActionItem:
    with transaction.atomic():
        booking = _locked(booking)
        if not policy.is_mentee(by, booking):
            raise BookingError("Only the mentee can mark their action item.")
        item = ActionItem.objects.select_for_update().filter(booking=booking).first()
        if item is None:
            raise BookingError("This session has no action item yet.")
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done_at"])
        _refresh_mentor_stats(booking.mentor_id)
    return item


def review_create(*, booking: Booking, by, rating: int, text: str = "") -> Review:
    with transaction.atomic():
        booking = _locked(booking)
        if not policy.is_mentee(by, booking):
            raise BookingError("Only the mentee can review this session.")
        if booking.state != State.COMPLETED:
            raise BookingError("You can review a session once it is completed.")
        if Review.objects.filter(booking=booking).exists():
            raise BookingError("You have already reviewed this session.")
        if rating not in range(1, 6):
            raise BookingError("Choose a rating from 1 to 5.", field="rating")
        review = Review.objects.create(booking=booking, rating=rating, text=text.strip())
        _refresh_mentor_stats(booking.mentor_id)
        hooks.review_posted.call(review=review)
    return review


def review_reply(*, booking: Booking, by, reply: str) -> Review:
    with transaction.atomic():
        booking = _locked(booking)
        if not policy.is_mentor(by, booking):
            raise BookingError("Only the mentor can reply to this review.")
        review = Review.objects.select_for_update().filter(booking=booking).first()
        if review is None:
            raise BookingError("There is no review to reply to.")
        if review.replied_at:
            raise BookingError("You have already replied to this review.")
        if not reply.strip():
            raise BookingError("Write a reply.", field="reply")
        review.mentor_reply = reply.strip()
        review.replied_at = timezone.now()
        review.save(update_fields=["mentor_reply", "replied_at"])
    return review


def booking_report_no_show(*, booking: Booking, by, now: datetime | None = None) -> Booking:
    """Either side reports the other absent, from 10 minutes after the start to 24 h after the end
    (policy.may_report_no_show)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        verdict = policy.may_report_no_show(booking, by=by, now=now)
        _refuse_unless(verdict)
        to = verdict.to
        refund = refund_due(booking=booking, to=to, now=now)
        note = "no-show reported"
        if to == State.NO_SHOW_MENTOR and _return_credit(booking):
            note += " (subscription credit returned)"
        _transition(booking, to, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="no-show reported")
        if refund:
            _refund_on_commit(booking, "Your mentor did not show up.")
        elif to == State.NO_SHOW_MENTEE:
            _payout_on_commit(booking)
        if to == State.NO_SHOW_MENTOR:
            hooks.mentor_reported_absent.call(booking=booking)
    return booking


def booking_settle_no_show(
    *, booking: Booking, to: str, by, note: str, now: datetime | None = None
) -> Booking:
    """Staff settle a session that was flagged (still confirmed, no money moved) or whose no-show
    report was contested (money already moved). Money follows the new state: a mentor no-show
    refunds in full (reversing a payout already sent) and returns a credit; a session that
    happened or a mentee no-show pays the mentor, unless the mentee was refunded for a mentor
    no-show: that refund stands (moderation's decision records it)."""
    now = now or timezone.now()
    if to not in (State.COMPLETED, *NO_SHOW_STATES):
        raise BookingError("Choose what happened at the session.")
    with transaction.atomic():
        booking = _locked(booking)
        was = booking.state
        if was not in (State.CONFIRMED, *NO_SHOW_STATES):
            raise BookingError(f"A {booking.get_state_display().lower()} booking has nothing to settle.")
        if now < booking.ends_at:
            raise BookingError("The session has not ended yet.")
        if to == was:
            BookingEvent.objects.create(
                booking=booking, actor=by, from_state=was, to_state=was, note=note[:300]
            )
            return booking
        if to == State.NO_SHOW_MENTOR:
            if _return_credit(booking):
                note = note[:270] + " (subscription credit returned)"
            if booking.price_amount:
                _refund_on_commit(booking, "Our team found that your mentor did not show up.")
        elif was != State.NO_SHOW_MENTOR:
            _payout_on_commit(booking)
        _transition(booking, to, by=by, note=note[:300])
        if was == State.CONFIRMED:
            hooks.booking_ended.call(booking=booking, reason="settled by staff")
    return booking


def _refresh_mentor_stats(mentor_id: int) -> None:
    """Rating and action-item figures shown on the profile and used to sort the directory."""
    reviews = Review.objects.filter(booking__mentor_id=mentor_id, is_hidden=False).aggregate(
        avg=Avg("rating"), n=Count("pk")
    )
    items = ActionItem.objects.filter(booking__mentor_id=mentor_id)
    MentorProfile.objects.filter(pk=mentor_id).update(
        rating_average=reviews["avg"],
        rating_count=reviews["n"],
        action_items_total=items.count(),
        action_items_done=items.filter(done_at__isnull=False).count(),
    )


# --- offerings ------------------------------------------------------------------------------


def offering_save(*, mentor: MentorProfile, offering: Offering | None = None, **fields) -> Offering:
    """Create or edit one of the mentor's own offerings."""
    prompts = [p.strip() for p in fields.pop("prework_prompts", []) if p.strip()]
    if len(prompts) > MAX_PREWORK_PROMPTS:
        raise BookingError(f"At most {MAX_PREWORK_PROMPTS} pre-work prompts.", field="prework_prompts")
    with transaction.atomic():
        if offering is None:
            offering = Offering(mentor=mentor, slug=unique_slug(Offering, fields["title"], max_length=100))
        elif offering.mentor_id != mentor.pk:
            raise BookingError("This offering is not yours.")
        for name, value in fields.items():
            setattr(offering, name, value)
        offering.prework_prompts = prompts
        offering.save()
        previews.mentor_refresh_min_price(mentor_id=mentor.pk)
        previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
    return offering


def offering_set_published(*, offering: Offering, by, published: bool) -> Offering:
    with transaction.atomic():
        offering = Offering.objects.select_for_update().select_related("mentor").get(pk=offering.pk)
        if offering.mentor.user_id != by.pk:
            raise BookingError("This offering is not yours.")
        if published and not offering.mentor.is_approved:
            raise BookingError("You can publish once your mentor application is approved.")
        if (
            published
            and offering.price_amount
            and not all(hooks.paid_offering_allowed.call(mentor=offering.mentor))
        ):
            raise BookingError("Set up payouts before publishing a paid offering; free ones need nothing.")
        offering.is_published = published
        offering.save(update_fields=["is_published"])
        previews.mentor_refresh_min_price(mentor_id=offering.mentor_id)
        previews.mentor_refresh_free_slots_later(mentor_id=offering.mentor_id)
    return offering
