"""A weekly series paid with a pack: one pack session per occurrence, all or nothing."""

import pytest

from billing.models import Payment
from packs.models import PackSession
from sessions import services as booking_services
from sessions.models import Booking, BookingSeries
from tests.billing.helpers import next_weekday_at
from tests.factories import UserFactory
from tests.packs.helpers import pack_of
from tests.packs.test_booking_with_pack import active_pack

pytestmark = pytest.mark.django_db


def book_series(offering, mentee, weeks):
    first = next_weekday_at(10, days_ahead=2)
    dates = booking_services.series.series_starts(mentor=offering.mentor, first=first, weeks=weeks)
    return booking_services.series_create(
        offering=offering,
        mentee=mentee,
        request=booking_services.BookingRequest(
            starts_at=first, outcome="A plan", prework_answers=["a", "b"]
        ),
        weeks=weeks,
        dates=dates,
        use_pack=True,
    )


def left(purchase) -> int:
    return PackSession.objects.filter(purchase=purchase, booking__isnull=True).count()


def test_each_occurrence_spends_one_pack_session_and_too_few_books_nothing():
    pack = pack_of()
    mentee = UserFactory()
    purchase = active_pack(pack, mentee)  # 3 sessions
    payments = Payment.objects.count()
    with pytest.raises(booking_services.BookingError, match="nothing was booked") as error:
        book_series(pack.offering, mentee, weeks=4)
    assert error.value.field == "use_pack"
    assert not Booking.objects.exists() and not BookingSeries.objects.exists() and left(purchase) == 3

    series = book_series(pack.offering, mentee, weeks=3)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert [(b.state, b.price_amount) for b in bookings] == [(Booking.State.CONFIRMED, 0)] * 3
    assert left(purchase) == 0 and Payment.objects.count() == payments

    booking_services.series_cancel_from(booking=bookings[1], by=mentee)
    assert left(purchase) == 2
