"""No double booking under real parallel load: threads with their own PostgreSQL connections.

Every thread loads its inputs, waits at a barrier so they all start booking at once, calls the
booking service, and closes its connection. Real time (not a frozen clock), because the threads
run against the real clock; slots are next week, well inside notice and horizon.
"""

import threading
from datetime import datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from sessions.models import Booking, Offering
from sessions.services import SLOT_TAKEN, BookingError, BookingRequest, booking_create
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
THREADS = 20
ACTIVE = Booking.ACTIVE_STATES


@pytest.fixture(autouse=True)
def _needs_postgres():
    # Checked at run time: the connection's vendor is not known when the module is imported.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def next_tuesday(hour: int = 10, minute: int = 0) -> datetime:
    """Next week's Tuesday in Berlin, where the factory mentor is free 09:00–17:00."""
    today = timezone.now().astimezone(BERLIN).date()
    tuesday = today + timedelta(days=7 - today.weekday() + 1)
    return datetime.combine(tuesday, time(hour, minute), tzinfo=BERLIN)


def race(attempts: list[tuple[int, int, datetime]]) -> list[Booking | Exception]:
    """Run booking_create once per (offering id, mentee id, start), all released together."""
    barrier = threading.Barrier(len(attempts))
    results: list[Booking | Exception | None] = [None] * len(attempts)

    def attempt(index: int, offering_id: int, mentee_id: int, starts_at: datetime) -> None:
        try:
            try:
                offering = Offering.objects.select_related("mentor").get(pk=offering_id)
                mentee = User.objects.get(pk=mentee_id)
            except BaseException:
                barrier.abort()
                raise
            barrier.wait(timeout=60)
            results[index] = booking_create(
                offering=offering,
                mentee=mentee,
                request=BookingRequest(
                    starts_at=starts_at,
                    outcome="A decision between two offers",
                    prework_answers=["Two offers", "Growth"],
                ),
            )
        except Exception as error:  # noqa: BLE001 - recorded and asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(i, *args), name=f"booker-{i}")
        for i, args in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking thread hung"
    return results


def split(results):
    bookings = [r for r in results if isinstance(r, Booking)]
    errors = [r for r in results if not isinstance(r, Booking)]
    unexpected = [e for e in errors if not isinstance(e, BookingError)]
    assert not unexpected, f"threads failed with something other than BookingError: {unexpected!r}"
    return bookings, errors


def overlapping(bookings) -> list[tuple[Booking, Booking]]:
    return [
        (a, b) for a, b in combinations(bookings, 2) if a.starts_at < b.ends_at and b.starts_at < a.ends_at
    ]


@pytest.mark.parametrize("price_amount", [0, 4500], ids=["free-confirms", "paid-holds"])
def test_twenty_mentees_racing_for_one_slot_get_exactly_one_booking(price_amount):
    offering = OfferingFactory(price_amount=price_amount)
    mentees = UserFactory.create_batch(THREADS)
    starts_at = next_tuesday(10)

    results = race([(offering.pk, mentee.pk, starts_at) for mentee in mentees])

    bookings, errors = split(results)
    assert len(bookings) == 1
    assert len(errors) == THREADS - 1
    assert {e.message for e in errors} == {SLOT_TAKEN}
    stored = Booking.objects.get()
    assert stored.pk == bookings[0].pk
    assert stored.starts_at == starts_at
    assert stored.state == (Booking.State.CONFIRMED if price_amount == 0 else Booking.State.HELD)


def test_racing_for_overlapping_slots_never_leaves_two_sessions_on_top_of_each_other():
    mentor = MentorFactory(max_sessions_per_day=24)  # the cap must not be what says no
    hour = OfferingFactory(mentor=mentor, duration_minutes=60)
    half_hour = OfferingFactory(mentor=mentor, duration_minutes=30)
    mentees = UserFactory.create_batch(THREADS)
    # 10:00, 10:15 … 11:45, alternately an hour and half an hour: every start overlaps others.
    attempts = [
        (
            (hour if i % 2 == 0 else half_hour).pk,
            mentee.pk,
            next_tuesday(10) + timedelta(minutes=15 * (i % 8)),
        )
        for i, mentee in enumerate(mentees)
    ]

    results = race(attempts)

    bookings, errors = split(results)
    assert bookings, "someone must win a slot"
    assert errors, "the slots overlap, so someone must lose"
    assert {e.message for e in errors} == {SLOT_TAKEN}
    active = list(Booking.objects.filter(mentor=mentor, state__in=ACTIVE))
    assert sorted(b.pk for b in active) == sorted(b.pk for b in bookings)
    assert overlapping(active) == []
    for booking in active:
        assert booking.ends_at - booking.starts_at == timedelta(minutes=booking.offering.duration_minutes)


def insert(offering, starts_at, minutes=30, **fields):
    """A booking written straight to the table, bypassing the service and its lock."""
    with transaction.atomic():
        return BookingFactory(
            offering=offering,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            **fields,
        )


@pytest.mark.parametrize("state", [Booking.State.CONFIRMED, Booking.State.HELD])
def test_the_database_refuses_an_overlapping_active_booking_written_past_the_service(state):
    offering = OfferingFactory()
    first = insert(offering, next_tuesday(10), state=Booking.State.CONFIRMED)

    with pytest.raises(IntegrityError) as refused:
        insert(offering, next_tuesday(10, 15), state=state)

    assert refused.value.__cause__.diag.constraint_name == "booking_no_overlap"
    assert list(Booking.objects.all()) == [first]


@pytest.mark.parametrize(
    "state",
    [
        Booking.State.CANCELLED_BY_MENTEE,
        Booking.State.CANCELLED_BY_MENTOR,
        Booking.State.EXPIRED,
    ],
)
def test_the_database_accepts_an_overlapping_booking_that_no_longer_takes_the_time(state):
    offering = OfferingFactory()
    insert(offering, next_tuesday(10), state=Booking.State.CONFIRMED)

    insert(offering, next_tuesday(10, 15), state=state)

    assert Booking.objects.filter(mentor=offering.mentor).count() == 2


def test_the_database_accepts_back_to_back_bookings_and_other_mentors_at_the_same_time():
    offering = OfferingFactory()
    insert(offering, next_tuesday(10), state=Booking.State.CONFIRMED)

    insert(offering, next_tuesday(10, 30), state=Booking.State.CONFIRMED)  # [10:00, 10:30) ends
    insert(OfferingFactory(), next_tuesday(10), state=Booking.State.CONFIRMED)

    assert Booking.objects.filter(state=Booking.State.CONFIRMED).count() == 3
