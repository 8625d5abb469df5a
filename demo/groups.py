"""The demo's group session: the demo mentor runs a paid workshop ten days ahead, in the evening
of their zone, with three seats taken by other mentees (paid through the demo provider), so the
demo mentee can book one. Written as the payments would leave them; a second run finds it and
adds nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from billing.models import Payment
from billing.services.payments import platform_fee
from groups.models import GroupSeat, GroupSession
from mentors.models import MentorProfile
from sessions.models import Booking

TITLE = "Salary negotiation workshop"
PRICE = 2000


def _free_evening(mentor: MentorProfile, *, now: datetime) -> tuple[datetime, datetime]:
    """18:00 in the mentor's zone, ten days ahead or the first evening after with no booking."""
    day = now.astimezone(mentor.zone).date() + timedelta(days=10)
    while True:
        starts = datetime.combine(day, time(18), tzinfo=mentor.zone)
        ends = starts + timedelta(minutes=90)
        busy = Booking.objects.filter(mentor=mentor, starts_at__lt=ends, ends_at__gt=starts).exists()
        if not busy:
            return starts, ends
        day += timedelta(days=1)


def seed_group_sessions(*, now: datetime, demo_mentor: MentorProfile, mentees: list, demo_mentee) -> None:
    if GroupSession.objects.filter(mentor=demo_mentor, title=TITLE, starts_at__gt=now).exists():
        return
    starts, ends = _free_evening(demo_mentor, now=now)
    group_session = GroupSession.objects.create(
        mentor=demo_mentor,
        title=TITLE,
        description="Find your number, write the two sentences that ask for it, and rehearse the "
        "first reply in pairs. You leave with a script for your next offer.",
        starts_at=starts,
        ends_at=ends,
        timezone=demo_mentor.timezone,
        seats=12,
        seats_min=4,
        price_amount=PRICE,
        currency="USD",
        join_url=demo_mentor.meeting_url or "https://meet.jit.si/TheMentors-demo-salary-workshop",
        state=GroupSession.State.PUBLISHED,
    )
    for mentee in [m for m in mentees if m.pk != demo_mentee.pk][:3]:
        seat = GroupSeat.objects.create(
            group_session=group_session,
            mentee=mentee,
            price_amount=PRICE,
            currency="USD",
            state=GroupSeat.State.CONFIRMED,
            confirmed_at=now,
            confirmation_sent_at=now,
        )
        Payment.objects.create(
            group_seat=seat,
            provider=Payment.Provider.DEMO,
            checkout_session_id=f"cs_demo_group_{seat.pk.hex}",
            payment_intent_id=f"pi_demo_group_{seat.pk.hex}",
            amount=PRICE,
            currency="USD",
            platform_fee=platform_fee(PRICE),
            state=Payment.State.PAID,
            paid_at=now,
        )
