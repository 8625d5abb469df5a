"""The booking's history as its two people read it: plain sentences in their own zone; the raw
state changes and staff's notes are staff's."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from sessions.activity import RESCHEDULED_NOTE, booking_activity
from sessions.models import Booking, BookingEvent
from sessions.services import booking_cancel
from tests.factories import BookingFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db
State = Booking.State
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.fixture
def paid_booking():
    offering = OfferingFactory(price_amount=4500, currency="USD", cancellation_window_hours=24)
    mentee = UserFactory(display_name="Maya", timezone="America/New_York")
    booking = BookingFactory(
        offering=offering,
        mentee=mentee,
        starts_at=NOW + timedelta(days=5),
        state=State.CONFIRMED,
        price_amount=4500,
    )
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):  # booked and paid before NOW
        BookingEvent.objects.create(booking=booking, actor=mentee, from_state="", to_state=State.HELD)
        BookingEvent.objects.create(
            booking=booking, actor=mentee, from_state=State.HELD, to_state=State.CONFIRMED, note="paid"
        )
    return booking


def texts(booking, viewer) -> list[str]:
    return [item.text for item in booking_activity(Booking.objects.get(pk=booking.pk), viewer=viewer)]


def test_each_person_reads_who_did_what_in_plain_words(paid_booking):
    mentee, mentor = paid_booking.mentee, paid_booking.mentor.user
    assert texts(paid_booking, mentee) == [
        "You booked this session; waiting for the payment",
        "Payment received: the session is confirmed",
    ]
    assert texts(paid_booking, mentor)[0] == "Maya booked this session; waiting for the payment"


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_says_what_comes_back(paid_booking):
    booking_cancel(booking=paid_booking, by=paid_booking.mentee, reason="")
    assert (
        texts(paid_booking, paid_booking.mentee)[-1]
        == "You cancelled on 4 Dec — a refund of $45 is on its way"
    )
    assert texts(paid_booking, paid_booking.mentor.user)[-1].startswith(
        "Maya cancelled on 4 Dec — a refund of $45"
    )


def test_a_late_cancellation_says_there_is_no_refund(paid_booking):
    with time_machine.travel(paid_booking.starts_at - timedelta(hours=3), tick=False):
        booking_cancel(booking=paid_booking, by=paid_booking.mentee, reason="")
    assert texts(paid_booking, paid_booking.mentee)[-1].endswith("so there is no refund")


def test_a_move_says_from_when_in_the_viewers_zone(paid_booking):
    old = datetime(2026, 12, 8, 15, tzinfo=UTC)
    BookingEvent.objects.create(
        booking=paid_booking,
        actor=paid_booking.mentee,
        from_state=State.CONFIRMED,
        to_state=State.CONFIRMED,
        note=RESCHEDULED_NOTE.format(old),
    )
    with timezone.override(paid_booking.mentee.zone):
        assert texts(paid_booking, paid_booking.mentee)[-1] == "You moved the session from Tue 8 Dec, 10:00"
        booking = Booking.objects.get(pk=paid_booking.pk)
        us = booking_activity(booking, viewer=paid_booking.mentee, twelve_hour=True)  # an en-US viewer
        assert us[-1].text == "You moved the session from Tue 8 Dec, 10:00 am"


def test_staff_notes_are_not_shown_to_the_two_people(paid_booking):
    BookingEvent.objects.create(
        booking=paid_booking,
        from_state=State.CONFIRMED,
        to_state=State.CONFIRMED,
        note="flagged for staff review: not closed or reported 24 h after the end",
    )
    assert len(texts(paid_booking, paid_booking.mentee)) == 2


def test_the_page_shows_the_parties_activity_and_staff_the_raw_trail(client, paid_booking):
    client.force_login(paid_booking.mentee)
    page = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "<h2>Activity</h2>" in page and "Payment received: the session is confirmed" in page
    assert "held → confirmed" not in page

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "held → confirmed" in page and "<h2>Activity</h2>" not in page
