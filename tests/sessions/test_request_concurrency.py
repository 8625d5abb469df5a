"""A request to book holds its time like a held or confirmed booking: in the slot engine, under
the mentor's lock, and in PostgreSQL's exclusion constraint (0010_request_to_book widened it)."""

import pytest
from django.db import IntegrityError

from sessions.models import Booking
from sessions.services import SLOT_TAKEN
from tests.factories import OfferingFactory, UserFactory
from tests.sessions.test_concurrency import THREADS, _needs_postgres, insert, next_tuesday, race, split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
__all__ = ["_needs_postgres"]  # the module's autouse skip, used here too


@pytest.mark.parametrize("price_amount", [0, 4500], ids=["free-requests", "paid-holds"])
def test_twenty_mentees_requesting_one_slot_get_exactly_one_request(price_amount):
    offering = OfferingFactory(price_amount=price_amount, requires_approval=True)
    mentees = UserFactory.create_batch(THREADS)

    results = race([(offering.pk, mentee.pk, next_tuesday(10)) for mentee in mentees])

    bookings, errors = split(results)
    assert len(bookings) == 1
    assert {e.message for e in errors} == {SLOT_TAKEN}
    stored = Booking.objects.get()
    assert stored.state == (Booking.State.REQUESTED if price_amount == 0 else Booking.State.HELD)
    assert stored.approval.decision == ""


def test_a_request_and_a_booking_racing_for_overlapping_times_leave_one_of_them():
    asked = OfferingFactory(requires_approval=True)
    booked = OfferingFactory(mentor=asked.mentor, duration_minutes=60)
    mentees = UserFactory.create_batch(10)
    attempts = [
        (asked.pk if i % 2 else booked.pk, mentee.pk, next_tuesday(10)) for i, mentee in enumerate(mentees)
    ]

    bookings, _ = split(race(attempts))

    assert len(bookings) == 1
    assert Booking.objects.filter(state__in=Booking.ACTIVE_STATES).count() == 1


def test_the_database_refuses_a_booking_over_a_waiting_request_written_past_the_service():
    offering = OfferingFactory()
    first = insert(offering, next_tuesday(10), state=Booking.State.REQUESTED)

    with pytest.raises(IntegrityError) as refused:
        insert(offering, next_tuesday(10, 15), state=Booking.State.CONFIRMED)

    assert refused.value.__cause__.diag.constraint_name == "booking_no_overlap"
    assert list(Booking.objects.all()) == [first]


@pytest.mark.parametrize("state", [Booking.State.DECLINED, Booking.State.LAPSED])
def test_a_declined_or_lapsed_request_no_longer_takes_the_time(state):
    offering = OfferingFactory()
    insert(offering, next_tuesday(10), state=state)

    insert(offering, next_tuesday(10), state=Booking.State.CONFIRMED)

    assert Booking.objects.filter(mentor=offering.mentor).count() == 2
