"""The demo's request to book: the demo mentor has one offering that needs their approval, and the
demo mentee has sent one request for it, its card authorised by the demo payment provider and
waiting for the mentor's answer; two other mentees' earlier requests were declined (with a
message) and lapsed. Written as the services and the demo provider would leave it; a second run
finds them and adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from billing.models import Payment
from billing.services import platform_fee
from mentors.models import MentorProfile
from sessions import services as booking_services
from sessions.models import Booking, BookingApproval, BookingEvent, Offering
from sessions.selectors import mentor_free_slots
from sessions.services.approval import answer_by

SLUG = "demo-portfolio-deep-dive"
OFFERING = {
    "title": "Portfolio deep-dive (request to book)",
    "outcome": "Three changes that make your portfolio land interviews",
    "description": (
        "Send your portfolio and the roles you are aiming for. I read every request before I accept, "
        "so I only take sessions where I can really help: I reply within 48 hours."
    ),
    "duration_minutes": 45,
    "price_amount": 6000,
    "prework_prompts": ["Link to your portfolio", "Which roles are you applying for?"],
    "requires_approval": True,
    "is_published": True,
}


def seed_requests(*, now: datetime, demo_mentor: MentorProfile, demo_mentee, mentees: list) -> None:
    offering, _ = Offering.objects.get_or_create(
        slug=SLUG,
        defaults={**OFFERING, "mentor": demo_mentor, "currency": demo_mentor.offerings.first().currency},
    )
    _answered_earlier(offering, now=now, mentees=[m for m in mentees if m.pk != demo_mentee.pk][:2])
    if Booking.objects.filter(offering=offering, mentee=demo_mentee).exists():
        return
    start = timezone.now() + timedelta(days=3)
    slots = mentor_free_slots(
        mentor=demo_mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=start,
        end=start + timedelta(days=10),
        now=timezone.now(),
    )
    for starts_at in slots[len(slots) // 2 :]:
        try:
            booking = booking_services.booking_create(
                offering=offering,
                mentee=demo_mentee,
                request=booking_services.BookingRequest(
                    starts_at=starts_at,
                    outcome="A portfolio that gets me interviews for product design roles",
                    prework_answers=["https://example.com/portfolio", "Senior product designer, fintech"],
                ),
                notify=False,
            )
        except booking_services.BookingError:
            continue
        _authorised(booking)
        return


def _authorised(booking: Booking) -> None:
    """What the demo provider's authorisation leaves: the payment authorised, the request sent."""
    now = timezone.now()
    _card(booking, state=Payment.State.AUTHORIZED)
    if booking.state == Booking.State.HELD:
        BookingEvent.objects.create(
            booking=booking,
            actor=booking.mentee,
            from_state=booking.state,
            to_state=Booking.State.REQUESTED,
            note="card authorised; waiting for the mentor",
        )
        Booking.objects.filter(pk=booking.pk).update(state=Booking.State.REQUESTED, hold_expires_at=None)
    BookingApproval.objects.filter(booking=booking).update(
        requested_at=now, answer_by=answer_by(now=now, starts_at=booking.starts_at)
    )


EARLIER = [
    (
        Booking.State.DECLINED,
        BookingApproval.Decision.DECLINED,
        "This needs a design lead in fintech: try Ana.",
    ),
    (Booking.State.LAPSED, BookingApproval.Decision.LAPSED, ""),
]


def _answered_earlier(offering: Offering, *, now: datetime, mentees: list) -> None:
    """Two requests of last week that ended without a session: one declined with a message, one
    that lapsed after 48 hours (their authorisations released)."""
    for days_ago, mentee, (state, decision, message) in zip((9, 6), mentees, EARLIER, strict=False):
        if Booking.objects.filter(offering=offering, mentee=mentee).exists():
            continue
        asked = now - timedelta(days=days_ago + 3)
        starts = (now - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
        booking = Booking.objects.create(
            offering=offering,
            mentor=offering.mentor,
            mentee=mentee,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=offering.duration_minutes),
            state=state,
            outcome="A portfolio that gets me interviews",
            prework_answers=[{"prompt": p, "answer": "—"} for p in offering.prework_prompts],
            price_amount=offering.price_amount,
            currency=offering.currency,
            join_url=offering.mentor.meeting_url or "https://meet.jit.si/TheMentors-demo-request",
        )
        decided = asked + timedelta(hours=20 if decision == BookingApproval.Decision.DECLINED else 48)
        BookingEvent.objects.bulk_create(
            [
                BookingEvent(booking=booking, actor=mentee, from_state="", to_state=Booking.State.REQUESTED),
                BookingEvent(
                    booking=booking,
                    actor=offering.mentor.user if message else None,
                    from_state=Booking.State.REQUESTED,
                    to_state=state,
                    note=message or "no answer within 48 hours",
                ),
            ]
        )
        BookingApproval.objects.update_or_create(
            booking=booking,
            defaults={
                "requested_at": asked,
                "answer_by": asked + timedelta(hours=48),
                "decision": decision,
                "decided_at": decided,
                "message": message,
            },
        )
        _card(booking, state=Payment.State.RELEASED)


def _card(booking: Booking, *, state: str) -> Payment:
    """The request's payment as the demo provider leaves it: authorised, or its authorisation
    released."""
    return Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.DEMO,
        amount=booking.price_amount,
        currency=booking.currency,
        platform_fee=platform_fee(booking.price_amount),
        state=state,
        checkout_session_id=f"cs_demo_request_{booking.pk.hex}",
        payment_intent_id=f"pi_demo_request_{booking.pk.hex}",
    )
