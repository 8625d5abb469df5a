"""A group session is never oversold: real parallel PostgreSQL connections go for the last seats."""

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from groups import services
from groups.models import GroupSeat, GroupSession
from tests.factories import UserFactory
from tests.groups.helpers import group_of
from tests.support import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Seat = GroupSeat.State
SEATS = 8


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def _book(group_session_id):
    def book(user_id):
        return services.seat_book(
            group_session=GroupSession.objects.get(pk=group_session_id), mentee=User.objects.get(pk=user_id)
        )

    return book


def test_thirty_people_going_for_the_last_three_seats_at_once_leave_exactly_the_seats_confirmed():
    group_session = group_of(seats=SEATS, seats_min=2)
    for _ in range(SEATS - 3):
        services.seat_book(group_session=group_session, mentee=UserFactory())
    people = [UserFactory().pk for _ in range(30)]
    results = all_at_once(_book(group_session.pk), people)
    booked = [r for r in results if isinstance(r, GroupSeat)]
    refused = [r for r in results if isinstance(r, services.GroupError)]
    assert len(booked) == 3 and len(refused) == 27, [r for r in results if not isinstance(r, GroupSeat)][:3]
    assert all("full" in error.message for error in refused)
    assert GroupSeat.objects.filter(state=Seat.CONFIRMED).count() == SEATS


def test_paid_seats_held_at_once_never_exceed_the_seats(settings):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    group_session = group_of(seats=SEATS, seats_min=2, price_amount=2500)
    people = [UserFactory().pk for _ in range(20)]
    results = all_at_once(_book(group_session.pk), people)
    assert sum(isinstance(r, GroupSeat) for r in results) == SEATS
    assert GroupSeat.objects.filter(state=Seat.HELD).count() == SEATS
    assert services.seats_taken(group_session, now=timezone.now()) == SEATS


def test_payments_confirming_at_once_for_lapsed_holds_fill_the_seats_and_not_one_more(settings):
    """Holds that ran out, paid at the last moment, while others book the freed seats: exactly
    `seats` confirmed; the payments left over are refused (billing refunds them)."""
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    group_session = group_of(seats=SEATS, seats_min=2, price_amount=2500)
    held = [services.seat_book(group_session=group_session, mentee=UserFactory()) for _ in range(SEATS)]
    GroupSeat.objects.filter(pk__in=[s.pk for s in held]).update(state=Seat.RELEASED, hold_expires_at=None)
    newcomers = [UserFactory().pk for _ in range(SEATS)]
    book = _book(group_session.pk)

    def either(item):
        kind, value = item
        if kind == "pay":
            return services.seat_confirm(seat=GroupSeat.objects.get(pk=value))
        return book(value)

    work = [("pay", s.pk) for s in held] + [("book", pk) for pk in newcomers]
    results = all_at_once(either, work)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, services.GroupError)]
    taken = GroupSeat.objects.filter(state__in=GroupSeat.TAKEN_STATES).count()
    assert taken == SEATS
