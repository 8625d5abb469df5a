"""After the session: the mentor closes it with one action item, the mentee marks it done and
reviews, the mentor replies, either side reports a no-show, staff settle what was flagged or
contested and hide reviews, and the mentor's rating follows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from mentors.models import MentorProfile

from .. import hooks, policy
from ..models import ActionItem, Booking, BookingEvent, Review
from ..policy import NO_SHOW_STATES, NO_SHOW_WINDOW, refund_due
from .base import (
    BookingError,
    State,
    locked_booking,
    payout_on_commit,
    refund_on_commit,
    refuse_unless,
    return_credit,
    transition,
)

if TYPE_CHECKING:
    from accounts.models import User


def booking_close(
    *,
    booking: Booking,
    by: User,
    action_item: str,
    due_date: date,
    notes: str = "",
    resources: str = "",
    now: datetime | None = None,
) -> ActionItem:
    """The mentor closes the session with exactly one primary action item (policy.may_close)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked_booking(booking)
        refuse_unless(policy.may_close(booking, by=by, now=now))
        if not action_item.strip():
            raise BookingError(_("Write the one action item."), field="action_item")
        if due_date < booking.ends_at.astimezone(booking.mentee.zone).date():
            raise BookingError(_("The due date cannot be before the session."), field="due_date")
        item = ActionItem.objects.create(
            booking=booking,
            text=action_item.strip(),
            due_date=due_date,
            notes=notes.strip(),
            resources=resources.strip(),
        )
        transition(booking, State.COMPLETED, by=by, note="closed with an action item")
        hooks.booking_ended.call(booking=booking, reason="session closed")
        hooks.session_closed.call(action_item=item, now=now)
        payout_on_commit(booking)
        refresh_mentor_stats(booking.mentor_id)
    return item


def action_item_mark_done(*, booking: Booking, by: User, done: bool = True) -> ActionItem:
    with transaction.atomic():
        booking = locked_booking(booking)
        if not policy.is_mentee(by, booking):
            raise BookingError(_("Only the mentee can mark their action item."))
        item = ActionItem.objects.select_for_update().filter(booking=booking).first()
        if item is None:
            raise BookingError(_("This session has no action item yet."))
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done_at"])
        refresh_mentor_stats(booking.mentor_id)
    return item


def review_create(*, booking: Booking, by: User, rating: int, text: str = "") -> Review:
    with transaction.atomic():
        booking = locked_booking(booking)
        if not policy.is_mentee(by, booking):
            raise BookingError(_("Only the mentee can review this session."))
        if booking.state != State.COMPLETED:
            raise BookingError(_("You can review a session once it is completed."))
        if Review.objects.filter(booking=booking).exists():
            raise BookingError(_("You have already reviewed this session."))
        if rating not in range(1, 6):
            raise BookingError(_("Choose a rating from 1 to 5."), field="rating")
        review = Review.objects.create(booking=booking, rating=rating, text=text.strip())
        refresh_mentor_stats(booking.mentor_id)
        hooks.review_posted.call(review=review)
    return review


def review_reply(*, booking: Booking, by: User, reply: str) -> Review:
    with transaction.atomic():
        booking = locked_booking(booking)
        if not policy.is_mentor(by, booking):
            raise BookingError(_("Only the mentor can reply to this review."))
        review = Review.objects.select_for_update().filter(booking=booking).first()
        if review is None:
            raise BookingError(_("There is no review to reply to."))
        if review.replied_at:
            raise BookingError(_("You have already replied to this review."))
        if not reply.strip():
            raise BookingError(_("Write a reply."), field="reply")
        review.mentor_reply = reply.strip()
        review.replied_at = timezone.now()
        review.save(update_fields=["mentor_reply", "replied_at"])
    return review


def review_set_hidden(*, review: Review, hidden: bool) -> Review:
    """Staff hide or restore a review; the mentor's rating follows."""
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("booking").get(pk=review.pk)
        review.is_hidden = hidden
        review.save(update_fields=["is_hidden"])
        refresh_mentor_stats(review.booking.mentor_id)
    return review


def booking_report_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """Either side reports the other absent, from 10 minutes after the start to 24 h after the end
    (policy.may_report_no_show)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked_booking(booking)
        verdict = policy.may_report_no_show(booking, by=by, now=now)
        refuse_unless(verdict)
        to = verdict.to
        refund = refund_due(booking=booking, to=to, now=now)
        note = "no-show reported"
        if to == State.NO_SHOW_MENTOR and (returned := return_credit(booking)):
            note += f" ({returned} returned)"
        transition(booking, to, by=by, note=note)
        hooks.booking_ended.call(booking=booking, reason="no-show reported")
        if refund:
            refund_on_commit(booking, "Your mentor did not show up.")
        elif to == State.NO_SHOW_MENTEE:
            payout_on_commit(booking)
        if to == State.NO_SHOW_MENTOR:
            hooks.mentor_reported_absent.call(booking=booking)
    return booking


def booking_settle_no_show(
    *, booking: Booking, to: str, by: User | None, note: str, now: datetime | None = None
) -> Booking:
    """Staff settle a session that was flagged (still confirmed, no money moved) or whose no-show
    report was contested (money already moved). Money follows the new state: a mentor no-show
    refunds in full (reversing a payout already sent) and returns a credit; a session that
    happened or a mentee no-show pays the mentor, unless the mentee was refunded for a mentor
    no-show: that refund stands (moderation's decision records it)."""
    now = now or timezone.now()
    if to not in (State.COMPLETED, *NO_SHOW_STATES):
        raise BookingError(_("Choose what happened at the session."))
    with transaction.atomic():
        booking = locked_booking(booking)
        was = booking.state
        if was not in (State.CONFIRMED, *NO_SHOW_STATES):
            raise BookingError(
                _("A %(state)s booking has nothing to settle.")
                % {"state": booking.get_state_display().lower()}
            )
        if now < booking.ends_at:
            raise BookingError(_("The session has not ended yet."))
        if to == was:
            BookingEvent.objects.create(
                booking=booking, actor=by, from_state=was, to_state=was, note=note[:300]
            )
            return booking
        if to == State.NO_SHOW_MENTOR:
            if returned := return_credit(booking):
                note = note[:270] + f" ({returned} returned)"
            if booking.price_amount:
                refund_on_commit(booking, "Our team found that your mentor did not show up.")
        elif was != State.NO_SHOW_MENTOR:
            payout_on_commit(booking)
        transition(booking, to, by=by, note=note[:300])
        if was == State.CONFIRMED:
            hooks.booking_ended.call(booking=booking, reason="settled by staff")
    return booking


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


def refresh_mentor_stats(mentor_id: int) -> None:
    """Rating and action-item figures shown on the profile and used to sort the directory."""
    pagecache.changed(pagecache.mentor(mentor_id), pagecache.LISTS)
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
