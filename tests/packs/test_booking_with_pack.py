"""Booking with a pack: the same booking service spends one of its sessions as it would a
subscription credit, and the same cancellation rules give it back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Payment
from packs import services
from packs.models import PackPurchase, PackSession
from sessions import services as booking_services
from sessions.models import Booking, Offering
from sessions.services import BookingError
from tests.billing.helpers import next_weekday_at
from tests.factories import OfferingFactory, UserFactory
from tests.packs.helpers import book_with_pack, pack_of
from tests.support import all_at_once

pytestmark = pytest.mark.django_db
State = PackPurchase.State


def active_pack(pack, mentee, *, sessions=None, expires_in=timedelta(days=180)):
    """A pack paid through the demo provider, as its confirmed payment leaves it."""
    with override_settings(BILLING_PROVIDER="demo", DEBUG=True):
        purchase = services.pack_purchase_hold(pack=pack, mentee=mentee)
    Payment.objects.create(
        pack_purchase=purchase,
        provider=Payment.Provider.DEMO,
        amount=purchase.price_amount,
        currency=purchase.currency,
        platform_fee=purchase.price_amount * 15 // 100,
        state=Payment.State.PAID,
        paid_at=timezone.now(),
    )
    services.pack_purchase_confirm(purchase=purchase)
    purchase.refresh_from_db()
    if expires_in is not None:
        PackPurchase.objects.filter(pk=purchase.pk).update(expires_at=timezone.now() + expires_in)
    if sessions is not None:
        purchase.pack_sessions.filter(number__gt=sessions).delete()
    purchase.refresh_from_db()
    return purchase


@pytest.fixture
def pack():
    return pack_of()


def sessions_left(purchase) -> int:
    return PackSession.objects.filter(purchase=purchase, booking__isnull=True).count()


def test_a_booking_paid_from_a_pack_confirms_at_once_and_costs_nothing_more(pack):
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)
    booking = book_with_pack(pack.offering, mentee)
    assert (booking.state, booking.price_amount) == (Booking.State.CONFIRMED, 0)
    assert not Payment.objects.filter(booking=booking).exists()
    assert sessions_left(purchase) == 2
    assert PackSession.objects.get(booking=booking).purchase == purchase
    assert booking.events.get().note == "paid with a pack session"


def test_cancelled_in_time_the_session_goes_back_to_the_pack_and_late_it_is_used(pack):
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)
    early = book_with_pack(pack.offering, mentee, starts_at=next_weekday_at(10, days_ahead=5))
    booking_services.booking_cancel(booking=early, by=mentee)
    assert sessions_left(purchase) == 3
    assert "(pack session returned)" in early.events.last().note

    late = book_with_pack(pack.offering, mentee, starts_at=next_weekday_at(11, days_ahead=5))
    booking_services.booking_cancel(booking=late, by=mentee, now=late.starts_at - timedelta(hours=2))
    assert sessions_left(purchase) == 2
    assert "pack session returned" not in late.events.last().note


def test_when_the_mentor_cancels_the_session_comes_back(pack):
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)
    booking = book_with_pack(pack.offering, mentee)
    booking_services.booking_cancel(booking=booking, by=pack.offering.mentor.user)
    assert sessions_left(purchase) == 3


def test_no_session_left_or_no_pack_is_said_beside_the_choice_and_books_nothing(pack):
    mentee = UserFactory()
    with pytest.raises(BookingError, match="no pack for this offering") as refused:
        book_with_pack(pack.offering, mentee)
    assert refused.value.field == "use_pack"
    active_pack(pack, mentee, sessions=1)
    book_with_pack(pack.offering, mentee, starts_at=next_weekday_at(10))
    with pytest.raises(BookingError, match="no sessions left"):
        book_with_pack(pack.offering, mentee, starts_at=next_weekday_at(12))
    assert Booking.objects.count() == 1


def test_a_pack_pays_only_for_its_own_offering(pack):
    mentee = UserFactory()
    active_pack(pack, mentee)
    other = OfferingFactory(mentor=pack.offering.mentor, price_amount=4500, slug="another")
    with pytest.raises(BookingError, match="no pack for this offering"):
        book_with_pack(other, mentee)


def test_a_session_after_the_pack_ends_is_refused(pack):
    mentee = UserFactory()
    active_pack(pack, mentee, expires_in=timedelta(days=2))
    with pytest.raises(BookingError, match="Your pack ends on"):
        book_with_pack(pack.offering, mentee, starts_at=next_weekday_at(10, days_ahead=5))
    assert not Booking.objects.exists()


def test_the_booking_form_offers_the_pack_and_books_with_it(client, pack):
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)
    client.force_login(mentee)
    start = next_weekday_at(10)
    page = client.get(
        pack.offering.get_absolute_url(), {"day": start.date().isoformat(), "slot": start.isoformat()}
    ).content.decode()
    assert "Use a session of my pack" in page and "<strong>3</strong> left" in page
    response = client.post(
        reverse("sessions:book", args=[pack.offering.slug]),
        {
            "starts_at": start.isoformat(),
            "outcome": "A decision",
            "prework_0": "a",
            "prework_1": "b",
            "use_pack": "on",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.state == Booking.State.CONFIRMED
    assert sessions_left(purchase) == 2
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "1 session of a pack" in page
    assert "the session goes back to your pack" in page


def test_unticked_the_mentee_pays_by_card_as_usual(client, pack, settings):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)
    client.force_login(mentee)
    start = next_weekday_at(10)
    client.post(
        reverse("sessions:book", args=[pack.offering.slug]),
        {"starts_at": start.isoformat(), "outcome": "A decision", "prework_0": "a", "prework_1": "b"},
    )
    assert Booking.objects.get().state == Booking.State.HELD
    assert sessions_left(purchase) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_with_one_pack_session_left_one_succeeds():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    pack = pack_of()
    mentee = UserFactory()
    purchase = active_pack(pack, mentee, sessions=1)

    def attempt(hour):
        try:
            return book_with_pack(
                Offering.objects.get(pk=pack.offering_id),
                User.objects.get(pk=mentee.pk),
                starts_at=next_weekday_at(hour),
            )
        except BookingError as error:
            return error

    results = all_at_once(attempt, [10, 14])
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, BookingError)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert "no sessions left" in refused[0].message
    assert PackSession.objects.get(purchase=purchase).booking_id == booked[0].pk
