"""Two threads to talk in: a confirmed booking's and a Q&A subscription's, and the people around them."""

from dataclasses import dataclass

import pytest

from tests.factories import BookingFactory, UserFactory
from tests.qa.helpers import subscribe


@dataclass
class Cast:
    mentee: object
    mentor: object  # the mentor's User
    other_mentee: object
    other_mentor: object
    staff: object


@pytest.fixture
def booking(db):
    return BookingFactory(
        mentee=UserFactory(display_name="Maya Mentee", timezone="America/New_York"),
        offering__mentor__user__display_name="Omar Mentor",
        offering__title="Should I take this job offer?",
    )


@pytest.fixture
def subscription(booking):
    """The same two people: the mentee subscribed to the mentor's plan with Q&A."""
    return subscribe(mentor=booking.mentor, mentee=booking.mentee)


@pytest.fixture
def cast(booking):
    other_booking = BookingFactory()  # another mentee with another mentor
    return Cast(
        mentee=booking.mentee,
        mentor=booking.mentor.user,
        other_mentee=other_booking.mentee,
        other_mentor=other_booking.mentor.user,
        staff=UserFactory(is_staff=True),
    )
