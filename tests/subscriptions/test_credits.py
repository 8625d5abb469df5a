"""Session credits: a booking spends one at confirmation (no checkout); cancelling in time gives
it back; they expire at the period's end and freeze after the grace period of a failed renewal;
two bookings at once never share the last one."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accounts.models import User
from billing.models import Payment
from sessions import services as booking_services
from sessions.models import Booking, Offering
from subscriptions.models import Credit, Subscription
from subscriptions.selectors import credits_left
from tests.billing.helpers import next_weekday_at
from tests.factories import OfferingFactory
from tests.subscriptions.helpers import now_utc, subscribe
from tests.support import all_at_once

Status = Subscription.Status


def book(offering, mentee, *, hour=10, days=3, use_credit=True) -> Booking:
    return booking_services.booking_create(
        offering=offering,
        mentee=mentee,
        request=booking_services.BookingRequest(
            starts_at=next_weekday_at(hour, days_ahead=days),
            outcome="A plan for my next review",
            prework_answers=["Two options", "Growth"],
        ),
        use_credit=use_credit,
    )


@pytest.mark.django_db
def test_booking_with_a_credit_confirms_at_once_without_a_checkout(client, subscriber, covered_offering):
    subscription = subscribe(subscriber, covered_offering)
    client.force_login(subscriber)
    slot = next_weekday_at(10)
    page = client.get(
        reverse("sessions:offering", args=[covered_offering.slug]),
        {"day": slot.date().isoformat(), "slot": slot.isoformat()},
    ).content.decode()
    assert "Pay with 1 of your <strong>2</strong> subscription credits" in page

    response = client.post(
        reverse("sessions:book", args=[covered_offering.slug]),
        {
            "starts_at": slot.isoformat(),
            "outcome": "A plan for my next review",
            "prework_0": "Two options",
            "prework_1": "Growth",
            "use_credit": "on",
        },
    )
    booking = Booking.objects.get()
    assert response["Location"] == f"{booking.get_absolute_url()}?confirmed=1"
    assert booking.state == Booking.State.CONFIRMED and booking.price_amount == 0
    assert not Payment.objects.exists()
    assert credits_left(subscription=subscription) == 1
    assert "1 subscription credit" in client.get(booking.get_absolute_url()).content.decode()
    confirmation = client.get(response["Location"]).content.decode()
    assert "<dt>Paid</dt><dd>1 subscription credit" in confirmation
    assert "cancel and get the credit back until" in confirmation


@pytest.mark.django_db
def test_unticking_the_credit_goes_to_payment_as_usual(client, subscriber, covered_offering, settings):
    settings.BILLING_PROVIDER, settings.DEBUG = "demo", True
    subscription = subscribe(subscriber, covered_offering)
    client.force_login(subscriber)
    slot = next_weekday_at(10)
    client.post(
        reverse("sessions:book", args=[covered_offering.slug]),
        {"starts_at": slot.isoformat(), "outcome": "A plan", "prework_0": "a", "prework_1": "b"},
    )
    booking = Booking.objects.get()
    assert booking.state == Booking.State.HELD and booking.price_amount == 4500
    assert credits_left(subscription=subscription) == 2


@pytest.mark.django_db
def test_no_credit_left_is_said_next_to_the_choice_and_nothing_is_booked(
    client, subscriber, covered_offering
):
    subscription = subscribe(subscriber, covered_offering, credits=1)
    book(covered_offering, subscriber, hour=10)
    assert credits_left(subscription=subscription) == 0
    client.force_login(subscriber)
    slot = next_weekday_at(14)
    response = client.post(
        reverse("sessions:book", args=[covered_offering.slug]),
        {
            "starts_at": slot.isoformat(),
            "outcome": "A plan",
            "prework_0": "a",
            "prework_1": "b",
            "use_credit": "on",
        },
    )
    assert response.status_code == 400
    assert "no credits left this period" in response.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_credit_covers_only_sessions_up_to_the_plans_length(subscriber):
    long_offering = OfferingFactory(duration_minutes=60, price_amount=9000)
    subscription = subscribe(subscriber, long_offering, max_minutes=30)
    with pytest.raises(booking_services.BookingError, match="up to 30 minutes"):
        book(long_offering, subscriber)
    assert credits_left(subscription=subscription) == 2
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_credits_expire_at_the_end_of_their_period(subscriber, covered_offering):
    subscription = subscribe(subscriber, covered_offering)
    with time_machine.travel(subscription.current_period_end + timedelta(minutes=1)):
        assert credits_left(subscription=subscription) == 0
        with pytest.raises(booking_services.BookingError, match="no credits left"):
            book(covered_offering, subscriber, days=3)


@pytest.mark.django_db
def test_credits_freeze_after_the_grace_period_of_a_failed_renewal(subscriber, covered_offering, settings):
    subscription = subscribe(subscriber, covered_offering, status=Status.PAST_DUE)
    subscription.past_due_since = now_utc()
    subscription.save()
    book(covered_offering, subscriber, hour=10)  # inside the grace period
    with time_machine.travel(now_utc() + timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS, minutes=1)):
        with pytest.raises(booking_services.BookingError, match="on hold"):
            book(covered_offering, subscriber, hour=14)
    assert credits_left(subscription=subscription) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "hours_before", "comes_back"),
    [("mentee", 48, True), ("mentee", 3, False), ("mentor", 3, True)],
)
def test_cancelling_in_time_or_by_the_mentor_gives_the_credit_back(
    subscriber, covered_offering, who, hours_before, comes_back
):
    subscription = subscribe(subscriber, covered_offering)
    booking = book(covered_offering, subscriber)
    assert credits_left(subscription=subscription) == 1
    by = subscriber if who == "mentee" else covered_offering.mentor.user
    with time_machine.travel(booking.starts_at - timedelta(hours=hours_before)):
        booking_services.booking_cancel(booking=booking, by=by)
    assert credits_left(subscription=subscription) == (2 if comes_back else 1)
    note = booking.events.last().note
    assert ("credit returned" in note) is comes_back


@pytest.mark.django_db
def test_a_mentor_no_show_gives_the_credit_back(subscriber, covered_offering):
    subscription = subscribe(subscriber, covered_offering)
    booking = book(covered_offering, subscriber)
    with time_machine.travel(booking.starts_at + timedelta(minutes=15)):
        booking_services.booking_report_no_show(booking=booking, by=subscriber)
    assert credits_left(subscription=subscription) == 2


@pytest.mark.django_db
def test_the_dashboard_shows_credits_left_and_the_renewal(client, subscriber, covered_offering):
    subscription = subscribe(subscriber, covered_offering, credits=3)
    book(covered_offering, subscriber)
    client.force_login(subscriber)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "<strong>2</strong> credits left" in page
    renewal = subscription.current_period_end.astimezone(subscriber.zone)  # the page's zone, not UTC
    assert f"renews {renewal:%-d %b}" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_with_one_credit_left_one_succeeds():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    offering = OfferingFactory(price_amount=4500, duration_minutes=30)
    from tests.factories import UserFactory

    mentee = UserFactory()
    subscription = subscribe(mentee, offering, credits=1)

    def attempt(hour):
        try:
            return book(Offering.objects.get(pk=offering.pk), User.objects.get(pk=mentee.pk), hour=hour)
        except booking_services.BookingError as error:
            return error

    results = all_at_once(attempt, [10, 14])
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, booking_services.BookingError)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert "no credits left" in refused[0].message
    assert Booking.objects.count() == 1
    assert Credit.objects.get(subscription=subscription).booking_id == booked[0].pk


@pytest.mark.django_db
def test_a_free_session_spends_no_credit(client, subscriber):
    free = OfferingFactory(price_amount=0, duration_minutes=15)
    subscription = subscribe(subscriber, free)
    client.force_login(subscriber)
    slot = next_weekday_at(10)
    page = client.get(
        reverse("sessions:offering", args=[free.slug]),
        {"day": slot.date().isoformat(), "slot": slot.isoformat()},
    ).content.decode()
    assert "subscription credit" not in page
    booking = book(free, subscriber)
    assert booking.state == Booking.State.CONFIRMED
    assert credits_left(subscription=subscription) == 2
