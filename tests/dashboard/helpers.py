"""What the staff insights and the mentors' Impact tests both build."""

from datetime import timedelta

from billing.models import UpgradeOffer
from sessions.models import Booking
from tests.cohorts.factories import EnrollmentFactory


def upgrade_offer(booking: Booking, *, redeemed: bool) -> UpgradeOffer:
    """The upgrade credit offered after `booking`; redeemed three days later for a seat in a draft
    cohort starting later (never an ended one), or left to lapse."""
    return UpgradeOffer.objects.create(
        booking=booking,
        mentee=booking.mentee,
        mentor=booking.mentor,
        amount=4500,
        currency="USD",
        expires_at=booking.ends_at + timedelta(days=14),
        redeemed_at=booking.ends_at + timedelta(days=3) if redeemed else None,
        enrollment=EnrollmentFactory(member=booking.mentee) if redeemed else None,
    )
