"""The demo's sessions: 90 days of history written directly, the coming two weeks booked through
the product's own service at real free slots, their reminders, and two reported reviews.

A booking is keyed on its (mentee, offering) pair, so a second run adds none.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from mentors.models import MentorProfile
from moderation.services import ModerationError, report_create
from notifications.services import schedule_for_booking
from sessions import services as booking_services
from sessions.models import Booking, Offering, Review
from sessions.selectors import mentor_free_slots

from .content import REPORTS
from .plan import (
    BOOKING_NAMESPACE,
    MENTEE_LOGIN,
    PAST_DAYS,
    SEED,
    UPCOMING_DAYS,
    DemoPlan,
    MentorPlan,
    PlannedBooking,
)
from .world import booking_history, histories_write, start_in_hours

State = Booking.State


def _existing_pairs() -> set[tuple[int, int]]:
    return set(Booking.objects.values_list("mentee_id", "offering_id"))


def past_bookings(
    plan: DemoPlan,
    *,
    users: dict[str, User],
    mentors: dict[str, MentorProfile],
    offerings: dict[str, Offering],
    now: datetime,
) -> None:
    """Each mentor's past sessions on days they work, one a day: a forced day (`days_ago`) where
    the plan says so, the others drawn."""
    existing = _existing_pairs()
    histories = []
    for mentor in plan.mentors:
        profile = mentors[mentor.email]
        # The clock decides which days exist, so days come from their own generator.
        when = random.Random(f"{SEED}:days:{mentor.slug}")
        days = _past_days(mentor, profile, now)
        past = [b for b in mentor.bookings if not b.upcoming]
        forced = sorted((b for b in past if b.days_ago is not None), key=lambda b: b.days_ago)
        taken: dict[int, date] = {}
        for b in forced:
            target = now.astimezone(profile.zone).date() - timedelta(days=b.days_ago)
            day = next((d for d in days if d <= target), days[-1])
            days.remove(day)
            taken[id(b)] = day
        free = [b for b in past if b.days_ago is None]
        for b, day in zip(free, when.sample(days, k=min(len(days), len(free))), strict=False):
            taken[id(b)] = day
        for b in past:
            if id(b) not in taken:
                continue
            day = taken[id(b)]
            offering = offerings[b.offering]
            mentee = users[b.mentee]
            windows = mentor.pattern[day.weekday()]
            starts_at = start_in_hours(day, windows, offering.duration_minutes, profile.zone, when)
            if (mentee.pk, offering.pk) in existing:
                continue
            history = booking_history(
                b,
                id=uuid.uuid5(BOOKING_NAMESPACE, f"{b.mentee}:{b.offering}"),
                offering=offering,
                mentor=profile,
                mentee=mentee,
                starts_at=starts_at,
                join_url=f"https://meet.jit.si/TheMentors-demo-{b.join_token}",
                now=now,
            )
            histories.append(history)
    histories_write(histories)


def _past_days(mentor: MentorPlan, profile: MentorProfile, now: datetime) -> list[date]:
    today = now.astimezone(profile.zone).date()
    days = [today - timedelta(days=n) for n in range(1, PAST_DAYS + 1)]
    return [d for d in days if d.weekday() in mentor.pattern]


def upcoming_bookings(
    plan: DemoPlan,
    *,
    users: dict[str, User],
    mentors: dict[str, MentorProfile],
    offerings: dict[str, Offering],
) -> None:
    existing = _existing_pairs()
    for mentor in plan.mentors:
        profile = mentors[mentor.email]
        for b in mentor.bookings:
            if not b.upcoming:
                continue
            offering = offerings[b.offering]
            mentee = users[b.mentee]
            if (mentee.pk, offering.pk) in existing:
                continue
            _book(b, offering, profile, mentee)


def _book(b: PlannedBooking, offering: Offering, profile: MentorProfile, mentee: User) -> Booking | None:
    """Book through the product's own service at a real free slot."""
    offering.mentor = MentorProfile.objects.get(pk=profile.pk)
    now = timezone.now() + timedelta(minutes=5)  # margin for the service's own, later clock
    slots = mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=now,
        end=now + timedelta(days=UPCOMING_DAYS),
        now=now,
    )
    if b.mentee == MENTEE_LOGIN:  # keep the mentee login's own sessions well apart
        taken = Booking.objects.filter(mentee=mentee, starts_at__gt=now).values_list("starts_at", flat=True)
        slots = [s for s in slots if all(abs(s - t) >= timedelta(hours=24) for t in taken)]
    if not slots:
        return None
    first = int(b.slot_fraction * len(slots))
    request = booking_services.BookingRequest(
        starts_at=slots[first],
        outcome=b.outcome,
        prework_answers=b.answers,
        context_notes=b.context_notes,
    )
    for starts_at in slots[first:] + slots[:first]:
        request.starts_at = starts_at
        try:
            booking = booking_services.booking_create(
                offering=offering, mentee=mentee, request=request, notify=False
            )
        except booking_services.BookingError:
            continue
        if booking.state == State.HELD and b.state == State.CONFIRMED:
            booking = booking_services.booking_confirm_payment(booking=booking, notify=False)
        return booking
    return None


def reminders() -> None:
    """The reminder rows confirming would have made (the demo books with notify=False, which
    skips them with the confirmation e-mails). Only for bookings without any yet: a later run
    must not cancel rows that came due in between as if the booking had moved."""
    upcoming = Booking.objects.filter(
        state=State.CONFIRMED, starts_at__gt=timezone.now(), notifications__isnull=True
    )
    for booking in upcoming:
        schedule_for_booking(booking)


def reports(*, reporters: list[User]) -> None:
    """Two reviews flagged by other mentees wait in the moderators' queue."""
    reviews = Review.objects.filter(is_hidden=False).select_related(
        "booking__mentee", "booking__mentor__user"
    )
    for review, reporter, reason in zip(
        reviews.order_by("rating", "pk")[:2], reporters[-2:], REPORTS["reasons"], strict=False
    ):
        with contextlib.suppress(ModerationError):  # already reported: the seed ran before
            report_create(reporter=reporter, target=review, reason=reason, note=REPORTS["note"])
