"""Intro calls: an offering booked once per mentee (again only after a cancellation), refused by
the server, also when the same mentee books it twice at the same moment; and a code's last use
taken by one buyer only under the same race."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from billing.models import CodeRedemption
from billing.services.codes import code_create
from sessions.models import Booking, Offering
from sessions.services import BookingError, BookingRequest, booking_cancel, booking_create
from tests.billing.helpers import next_weekday_at
from tests.factories import OfferingFactory, UserFactory
from tests.support import all_at_once


def book(offering, mentee, hour, code=""):
    return booking_create(
        offering=offering,
        mentee=mentee,
        request=BookingRequest(starts_at=next_weekday_at(hour), outcome="Meet", prework_answers=["a", "b"]),
        code=code,
    )


@pytest.mark.django_db
def test_an_intro_call_is_booked_once_per_mentee_unless_the_first_was_cancelled():
    intro = OfferingFactory(is_intro=True)
    mentee = UserFactory()
    first = book(intro, mentee, 10)
    with pytest.raises(BookingError, match="once per mentee"):
        book(intro, mentee, 12)
    assert book(intro, UserFactory(), 12).state == Booking.State.CONFIRMED  # another mentee may

    booking_cancel(booking=first, by=mentee, reason="clash")
    assert book(intro, mentee, 14).state == Booking.State.CONFIRMED
    # Another offering of the same mentor is not an intro: booked as often as wanted.
    plain = OfferingFactory(mentor=intro.mentor)
    book(plain, mentee, 15)
    assert book(plain, mentee, 16).state == Booking.State.CONFIRMED


@pytest.mark.django_db
def test_the_second_intro_booking_shows_why_on_the_form_and_the_page_says_it_was_used(client):
    intro = OfferingFactory(is_intro=True)
    mentee = UserFactory()
    book(intro, mentee, 10)
    client.force_login(mentee)
    response = client.post(
        reverse("sessions:book", args=[intro.slug]),
        {
            "starts_at": next_weekday_at(12).isoformat(),
            "outcome": "Meet",
            "prework_0": "a",
            "prework_1": "b",
        },
    )
    assert response.status_code == 400
    assert "you have booked it already" in response.content.decode()
    assert Booking.objects.filter(mentee=mentee).count() == 1
    page = client.get(intro.get_absolute_url()).content.decode()
    assert 'id="intro-used"' in page


@pytest.mark.django_db
def test_a_code_on_the_booking_form_shows_its_refusal_next_to_the_field(client):
    offering = OfferingFactory(price_amount=4500)
    mentee = UserFactory()
    client.force_login(mentee)
    body = {
        "starts_at": next_weekday_at(12).isoformat(),
        "outcome": "Meet",
        "prework_0": "a",
        "prework_1": "b",
        "code": "NOSUCH",
    }
    response = client.post(reverse("sessions:book", args=[offering.slug]), body)
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["There is no code NOSUCH. Check the spelling."]
    assert not Booking.objects.exists()

    code_create(by=offering.mentor.user, mentor=offering.mentor, code="HALF", percent_off=50)
    answer = client.get(reverse("sessions:offering_code", args=[offering.slug]), {"code": "half"})
    assert answer.status_code == 200
    assert "you pay $22.50 instead of $45" in answer.content.decode()
    answer = client.get(reverse("sessions:offering_code", args=[offering.slug]), {"code": "nope"})
    assert answer.status_code == 400
    assert "There is no code NOPE" in answer.content.decode()


@pytest.fixture
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_mentee_booking_an_intro_twice_at_once_gets_one(_needs_postgres):
    intro = OfferingFactory(is_intro=True)
    mentee = UserFactory()

    def attempt(hour):
        return book(Offering.objects.get(pk=intro.pk), User.objects.get(pk=mentee.pk), hour)

    results = all_at_once(attempt, [10, 11, 12, 13, 14, 15])
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, BookingError)]
    assert len(booked) == 1, results
    assert len(refused) == 5
    assert Booking.objects.filter(offering=intro, mentee=mentee).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_codes_last_use_goes_to_one_buyer_when_many_try_at_once(_needs_postgres):
    offering = OfferingFactory(price_amount=4500)
    second = OfferingFactory(price_amount=4500)  # another mentor's (a staff code is good on both)
    staff = UserFactory(is_staff=True)
    code_create(by=staff, mentor=None, code="LAST2", percent_off=10, max_uses=2)
    mentees = [UserFactory() for _ in range(8)]

    def attempt(index):
        target = offering if index % 2 else second
        return book(
            Offering.objects.get(pk=target.pk),
            User.objects.get(pk=mentees[index].pk),
            9 + index // 2,
            "LAST2",
        )

    results = all_at_once(attempt, list(range(8)))
    booked = [r for r in results if isinstance(r, Booking)]
    assert len(booked) == 2, results
    assert all(isinstance(r, BookingError) and "used up" in r.message for r in results if r not in booked)
    assert CodeRedemption.objects.filter(state=CodeRedemption.State.HELD).count() == 2
    assert Booking.objects.count() == 2
