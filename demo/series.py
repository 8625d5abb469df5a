"""The demo's weekly series: the demo mentee meets the demo mentor at the same time every week
for 4 weeks, paid at once through the demo provider (one Payment per occurrence, one shared
checkout, as billing/services/series.py leaves them). A second run finds it and adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from billing.models import Payment
from billing.services.payments import platform_fee
from mentors.models import MentorProfile
from sessions import services as booking_services
from sessions.models import Booking, BookingSeries
from sessions.selectors import mentor_free_slots

WEEKS = 4


def seed_series(*, now: datetime, demo_mentor: MentorProfile, demo_mentee) -> BookingSeries | None:
    existing = BookingSeries.objects.filter(mentor=demo_mentor, mentee=demo_mentee).first()
    if existing is not None:
        return existing
    offering = (
        demo_mentor.offerings.filter(is_published=True, is_intro=False)
        .order_by("-price_amount", "duration_minutes")
        .first()
    )
    if offering is None:
        return None
    start = now + timedelta(days=2)
    slots = mentor_free_slots(
        mentor=demo_mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=start,
        end=start + timedelta(days=7),
        now=now,
    )
    taken = list(
        Booking.objects.filter(mentee=demo_mentee, starts_at__gt=now).values_list("starts_at", flat=True)
    )
    for first in slots:
        dates = [
            o.starts_at
            for o in booking_services.series_preview(offering=offering, first=first, weeks=WEEKS, now=now)
            if o.free and all(abs(o.starts_at - t) >= timedelta(hours=24) for t in taken)
        ]
        if len(dates) < WEEKS:
            continue
        request = booking_services.BookingRequest(
            starts_at=first,
            outcome="A steady weekly plan for the job search",
            prework_answers=["Applications sent this week"] * len(offering.prework_prompts[:5]),
        )
        try:
            series = booking_services.series_create(
                offering=offering, mentee=demo_mentee, request=request, weeks=WEEKS, dates=dates, notify=False
            )
        except booking_services.BookingError:
            continue
        _paid(series, now=now)
        return series
    return None


def _paid(series: BookingSeries, *, now: datetime) -> None:
    """The held occurrences, paid at once in the demo's checkout, and confirmed."""
    held = list(series.occurrences.filter(state=Booking.State.HELD).order_by("starts_at"))
    paid_at = now.replace(microsecond=0)
    for number, booking in enumerate(held):
        Payment.objects.create(
            booking=booking,
            provider=Payment.Provider.DEMO,
            checkout_session_id=f"cs_demo_series_{series.pk.hex}" if number == 0 else None,
            payment_intent_id=f"pi_demo_series_{series.pk.hex}",
            amount=booking.price_amount,
            currency=booking.currency,
            platform_fee=platform_fee(booking.price_amount),
            state=Payment.State.PAID,
            paid_at=paid_at,
        )
        booking_services.booking_confirm_payment(booking=booking, notify=False)
    BookingSeries.objects.filter(pk=series.pk).update(confirmed_email_sent_at=paid_at)
