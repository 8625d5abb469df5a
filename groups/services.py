"""Every write of group sessions: the mentor creates, publishes and cancels one; a mentee books a
seat (held while paying, confirmed once paid, or at once when free), cancels it within the policy;
the decision sweep cancels a session below its minimum at DECISION_HOURS before the start.

Every change to a session's seats runs under `select_for_update` on the session's row and counts
the seats taken inside that lock (confirmed seats and live holds), so a session is never oversold
(docs/design/group-sessions.md; tests/groups/test_concurrency.py proves it on PostgreSQL).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.services.payments import payments_off
from billing.services.refunds import refund_in_full
from billing.tasks import expire_checkout
from core import pagecache
from core.errors import DomainError
from core.money import minimum_charge
from mentors.models import MentorProfile
from sessions import hooks as sessions_hooks
from sessions.previews import mentor_refresh_free_slots_later
from sessions.selectors import active_bookings

from . import tasks
from .models import (
    DECISION_HOURS,
    MAX_MINUTES,
    MAX_SEATS,
    MIN_MINUTES,
    MIN_SEATS,
    REMINDER_BEFORE,
    GroupSeat,
    GroupSession,
)

if TYPE_CHECKING:
    from accounts.models import User

Seat = GroupSeat.State
Session = GroupSession.State
REFUND_KIND = "group seat"  # the purchase kind's name (groups.purchases)


class GroupError(DomainError):
    """A rule about group sessions said no."""


def _locked(group_session: GroupSession) -> GroupSession:
    return (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("mentor__user")
        .get(pk=group_session.pk)
    )


def _locked_seat(seat: GroupSeat) -> GroupSeat:
    return (
        GroupSeat.objects.select_for_update(of=("self",))
        .select_related("group_session__mentor__user", "mentee")
        .get(pk=seat.pk)
    )


def seats_taken(group_session: GroupSession, *, now: datetime, exclude: GroupSeat | None = None) -> int:
    """Confirmed seats and holds not yet run out (read under the session's lock when it matters)."""
    seats = group_session.group_seats.filter(
        Q(state=Seat.CONFIRMED) | Q(state=Seat.HELD, hold_expires_at__gt=now)
    )
    if exclude is not None:
        seats = seats.exclude(pk=exclude.pk)
    return seats.count()


def _changed(group_session: GroupSession) -> None:
    pagecache.changed(pagecache.mentor(group_session.mentor_id))  # the profile lists it


# --- the mentor's ----------------------------------------------------------------------------------


def group_session_create(
    *,
    mentor: MentorProfile,
    title: str,
    description: str,
    starts_at: datetime,
    duration_minutes: int,
    seats: int,
    seats_min: int,
    price_amount: int,
    currency: str,
    join_url: str = "",
    cancellation_hours: int = 24,
    now: datetime | None = None,
) -> GroupSession:
    """A draft at one time in the mentor's calendar: it may not overlap their held or confirmed
    1:1 bookings or another group session (checked under the mentor's row lock, as a booking is)."""
    now = now or timezone.now()
    if not mentor.is_approved:
        raise GroupError(_("You can run group sessions once your mentor application is approved."))
    if not MIN_SEATS <= seats <= MAX_SEATS:
        raise GroupError(
            _("A group session has %(least)s to %(most)s seats.") % {"least": MIN_SEATS, "most": MAX_SEATS},
            field="seats",
        )
    if not 1 <= seats_min <= seats:
        raise GroupError(_("The minimum to run is 1 to the number of seats."), field="seats_min")
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise GroupError(_("A group session lasts 15 minutes to 4 hours."), field="duration_minutes")
    if starts_at <= now + timedelta(hours=DECISION_HOURS):
        raise GroupError(
            _("Start it more than %(hours)s hours from now: the minimum is checked then.")
            % {"hours": DECISION_HOURS},
            field="starts_at",
        )
    if price_amount and price_amount < minimum_charge(currency):
        raise GroupError(_("This price is below the smallest card charge for the currency."), field="price")
    if price_amount and not all(sessions_hooks.paid_offering_allowed.call(mentor=mentor)):
        raise GroupError(
            _("Set up payouts before selling paid seats; free sessions need nothing."), field="price"
        )
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor.pk)
        if (
            active_bookings(mentor_id=mentor.pk, now=now)
            .filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exists()
        ):
            raise GroupError(_("You have a 1:1 session booked at this time."), field="starts_at")
        if (
            GroupSession.objects.filter(mentor=mentor, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(state=Session.CANCELLED)
            .exists()
        ):
            raise GroupError(_("You have another group session at this time."), field="starts_at")
        group_session = GroupSession(
            mentor=mentor,
            title=title.strip(),
            description=description.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=mentor.timezone,
            seats=seats,
            seats_min=seats_min,
            price_amount=price_amount,
            currency=currency.upper(),
            join_url=join_url
            or mentor.meeting_url
            or f"https://meet.jit.si/TheMentors-{secrets.token_urlsafe(12)}",
            cancellation_hours=cancellation_hours,
        )
        group_session.full_clean()
        group_session.save()
        mentor_refresh_free_slots_later(mentor_id=mentor.pk)  # its time is busy for 1:1 slots
    return group_session


def group_session_publish(*, group_session: GroupSession, mentor: MentorProfile) -> GroupSession:
    with transaction.atomic():
        group_session = _locked(group_session)
        if group_session.mentor_id != mentor.pk:
            raise GroupError(_("This is not your group session."))
        if group_session.state != Session.DRAFT:
            raise GroupError(_("Only a draft can be published."))
        if group_session.starts_at <= timezone.now() + timedelta(hours=DECISION_HOURS):
            raise GroupError(_("It starts too soon to publish: create it again at a later time."))
        group_session.state = Session.PUBLISHED
        group_session._change_reason = "published"
        group_session.save(update_fields=["state"])
        _changed(group_session)
    return group_session


def group_session_cancel(
    *, group_session: GroupSession, by: User | None, reason: str, now: datetime | None = None
) -> GroupSession:
    """Cancel it (its mentor, staff, or the decision sweep with `by` None): every seat paid is
    refunded in full through billing (one refund per seat, ever), holds are let go and every
    attendee is told, once."""
    now = now or timezone.now()
    with transaction.atomic():
        group_session = _locked(group_session)
        if by is not None and group_session.mentor.user_id != by.pk and not by.is_staff:
            raise GroupError(_("This is not your group session."))
        if group_session.state == Session.CANCELLED:
            return group_session
        if group_session.ends_at <= now:
            raise GroupError(_("This group session has taken place."))
        group_session.state = Session.CANCELLED
        group_session.cancelled_at = now
        group_session.cancel_reason = reason[:300]
        group_session._change_reason = f"cancelled: {reason}"[:100]
        group_session.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        for seat in group_session.group_seats.select_for_update().filter(state__in=GroupSeat.TAKEN_STATES):
            was = seat.state
            seat.state = Seat.CANCELLED if was == Seat.CONFIRMED else Seat.RELEASED
            seat.cancelled_at = now
            seat.cancel_note = "group session cancelled"
            seat.hold_expires_at = None
            seat._change_reason = "group session cancelled"
            seat.save(update_fields=["state", "cancelled_at", "cancel_note", "hold_expires_at"])
            if was == Seat.CONFIRMED:
                if seat.price_amount:
                    refund_in_full(
                        kind=REFUND_KIND,
                        purchase_id=seat.pk,
                        reason=f"{group_session.title} was cancelled: {reason}",
                    )
                tasks.send_seat_cancelled.delay_on_commit(str(seat.pk))
            else:
                expire_checkout.delay_on_commit(str(seat.pk))
        tasks.send_session_cancelled_to_mentor.delay_on_commit(str(group_session.pk))
        _changed(group_session)
        mentor_refresh_free_slots_later(mentor_id=group_session.mentor_id)
    return group_session


def group_sessions_decide(*, now: datetime | None = None) -> int:
    """The beat's decision: each published session whose decision time has come is checked once
    (claimed with skip_locked, marked `decided_at`): below its minimum it is cancelled and refunded.
    Safe to run twice or in parallel. Answers how many were cancelled."""
    now = now or timezone.now()
    cancelled = 0
    due = GroupSession.objects.filter(
        state=Session.PUBLISHED,
        decided_at__isnull=True,
        starts_at__lte=now + timedelta(hours=DECISION_HOURS),
    ).values_list("pk", flat=True)
    for pk in list(due[:200]):
        with transaction.atomic():
            group_session = (
                GroupSession.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=Session.PUBLISHED, decided_at__isnull=True)
                .first()
            )
            if group_session is None:
                continue
            group_session.decided_at = now
            group_session.save(update_fields=["decided_at"])
            confirmed = group_session.group_seats.filter(state=Seat.CONFIRMED).count()
            if confirmed < group_session.seats_min:
                group_session_cancel(
                    group_session=group_session,
                    by=None,
                    reason=f"fewer than {group_session.seats_min} people booked a seat",
                    now=now,
                )
                cancelled += 1
    return cancelled


# --- seats -------------------------------------------------------------------------------------


def seat_book(*, group_session: GroupSession, mentee: User, now: datetime | None = None) -> GroupSeat:
    """A seat for the mentee, under the session's lock: confirmed at once when free, held while
    they pay otherwise (a checkout still open is reused). Never more seats than `seats`."""
    now = now or timezone.now()
    with transaction.atomic():
        group_session = _locked(group_session)
        if group_session.state != Session.PUBLISHED or not group_session.mentor.is_approved:
            raise GroupError(_("This group session is not open for booking."))
        if group_session.starts_at <= now:
            raise GroupError(_("This group session has started."))
        if group_session.mentor.user_id == mentee.pk:
            raise GroupError(_("You cannot book a seat in your own group session."))
        if not mentee.emailaddress_set.filter(verified=True).exists():
            raise GroupError(_("Please verify your e-mail address before booking."))
        if group_session.price_amount and payments_off():
            raise GroupError(_("Card payments are not set up on this site yet."))
        mine = (
            group_session.group_seats.select_for_update()
            .filter(mentee=mentee, state__in=GroupSeat.TAKEN_STATES)
            .first()
        )
        if mine is not None and mine.state == Seat.CONFIRMED:
            raise GroupError(_("You have a seat in this group session already."))
        if mine is not None and mine.hold_expires_at and mine.hold_expires_at > now:
            return mine
        if mine is not None:
            _release(mine, note="hold expired")
        if seats_taken(group_session, now=now) >= group_session.seats:
            raise GroupError(_("This group session is full."))
        seat = GroupSeat(
            group_session=group_session,
            mentee=mentee,
            price_amount=group_session.price_amount,
            currency=group_session.currency,
        )
        if group_session.is_free:
            seat.state = Seat.CONFIRMED
            seat.confirmed_at = now
            seat._change_reason = "booked (free)"
        else:
            seat.state = Seat.HELD
            seat.hold_expires_at = now + timedelta(minutes=settings.HOLD_MINUTES)
            seat._change_reason = "held for payment"
        seat.save()
        if seat.state == Seat.CONFIRMED:
            tasks.send_seat_confirmation.delay_on_commit(str(seat.pk))
        _changed(group_session)
    return seat


def seat_extend_hold(*, seat: GroupSeat, until: datetime) -> None:
    """The checkout and the hold end together (inside the checkout's transaction)."""
    seat = _locked_seat(seat)
    if seat.state == Seat.HELD and (seat.hold_expires_at is None or until > seat.hold_expires_at):
        seat.hold_expires_at = until
        seat.save(update_fields=["hold_expires_at"])


def seat_confirm(*, seat: GroupSeat, now: datetime | None = None) -> GroupSeat:
    """Paid as asked: the seat is the mentee's (a replayed event finds it confirmed and changes
    nothing). A payment that arrives after the hold was let go still takes a seat if one is free;
    when the session is full or cancelled by then, GroupError (billing refunds it in full)."""
    now = now or timezone.now()
    with transaction.atomic():
        group_session = _locked(seat.group_session)
        seat = _locked_seat(seat)
        if seat.state == Seat.CONFIRMED:
            return seat
        if seat.state == Seat.CANCELLED or group_session.state != Session.PUBLISHED:
            raise GroupError(_("This group session was cancelled before your payment arrived."))
        if group_session.starts_at <= now:
            raise GroupError(_("Your payment arrived after the group session started."))
        if (
            seat.state == Seat.RELEASED
            and group_session.group_seats.filter(
                mentee=seat.mentee, state__in=GroupSeat.TAKEN_STATES
            ).exists()
        ):
            raise GroupError(_("You booked another seat in this group session meanwhile."))
        if seats_taken(group_session, now=now, exclude=seat) >= group_session.seats:
            raise GroupError(_("The last seat went to someone else before your payment arrived."))
        seat.state = Seat.CONFIRMED
        seat.confirmed_at = now
        seat.hold_expires_at = None
        seat._change_reason = "paid"
        seat.save(update_fields=["state", "confirmed_at", "hold_expires_at"])
        tasks.send_seat_confirmation.delay_on_commit(str(seat.pk))
        _changed(group_session)
    return seat


def _release(seat: GroupSeat, *, note: str) -> None:
    seat.state = Seat.RELEASED
    seat.hold_expires_at = None
    seat._change_reason = note
    seat.save(update_fields=["state", "hold_expires_at"])
    expire_checkout.delay_on_commit(str(seat.pk))


def seat_release(*, seat: GroupSeat, note: str) -> GroupSeat:
    """Its checkout will not be paid (abandoned, expired, declined): the seat is free again."""
    with transaction.atomic():
        group_session = _locked(seat.group_session)
        seat = _locked_seat(seat)
        if seat.state == Seat.HELD:
            _release(seat, note=note)
            _changed(group_session)
    return seat


def seats_release_lapsed(*, now: datetime | None = None) -> int:
    """The sweep: holds whose time ran out are let go (their checkouts closed)."""
    now = now or timezone.now()
    count = 0
    for seat in GroupSeat.objects.filter(state=Seat.HELD, hold_expires_at__lte=now).select_related(
        "group_session"
    )[:200]:
        seat_release(seat=seat, note="hold expired")
        count += 1
    return count


def seat_cancel_refunded(*, seat: GroupSeat, reason: str) -> GroupSeat:
    """Its whole price went back in Stripe: the seat is given up, nothing refunded again."""
    with transaction.atomic():
        group_session = _locked(seat.group_session)
        seat = _locked_seat(seat)
        if seat.state in (Seat.CANCELLED, Seat.RELEASED):
            return seat
        seat.state = Seat.CANCELLED
        seat.cancelled_at = timezone.now()
        seat.cancel_note = "refunded in full in Stripe"
        seat._change_reason = f"refunded in full in Stripe: {reason}"[:100]
        seat.save(update_fields=["state", "cancelled_at", "cancel_note"])
        _changed(group_session)
    return seat


def seat_cancel(*, seat: GroupSeat, by: User, now: datetime | None = None) -> GroupSeat:
    """The mentee gives up their seat. Up to `cancellation_hours` before the start, a paid seat is
    refunded in full; later it is freed for someone else but not refunded (the policy shown on
    the page). Never after the start."""
    now = now or timezone.now()
    with transaction.atomic():
        group_session = _locked(seat.group_session)
        seat = _locked_seat(seat)
        if seat.mentee_id != by.pk:
            raise GroupError(_("This is not your seat."))
        if seat.state != Seat.CONFIRMED:
            raise GroupError(_("This seat is not confirmed, so there is nothing to cancel."))
        if group_session.starts_at <= now:
            raise GroupError(_("The group session has started: a seat can no longer be cancelled."))
        refunded = bool(seat.price_amount) and now <= group_session.refund_until
        seat.state = Seat.CANCELLED
        seat.cancelled_at = now
        seat.cancel_note = "cancelled by the attendee" + (" (refunded)" if refunded else "")
        seat._change_reason = seat.cancel_note
        seat.save(update_fields=["state", "cancelled_at", "cancel_note"])
        if refunded:
            refund_in_full(
                kind=REFUND_KIND,
                purchase_id=seat.pk,
                reason=f"You cancelled your seat in {group_session.title} in time",
            )
        _changed(group_session)
    return seat


# --- reminders ---------------------------------------------------------------------------------


def seat_reminders_send(*, now: datetime | None = None) -> int:
    """The beat: confirmed seats of sessions starting within REMINDER_BEFORE get one reminder
    each (marked under the seat's lock, claimed with skip_locked; sent through the outbox)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = (
            GroupSeat.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=Seat.CONFIRMED,
                reminder_sent_at__isnull=True,
                group_session__state=Session.PUBLISHED,
                group_session__starts_at__gt=now,
                group_session__starts_at__lte=now + REMINDER_BEFORE,
            )
            .order_by("pk")[:500]
        )
        for seat in due:
            GroupSeat.objects.filter(pk=seat.pk).update(reminder_sent_at=now)
            tasks.send_seat_reminder.delay_on_commit(str(seat.pk))
            count += 1
    return count
