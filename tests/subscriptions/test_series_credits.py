"""A weekly series paid with subscription credits: one credit per occurrence, all or nothing."""

import pytest

from billing.models import Payment
from sessions import services as booking_services
from sessions.models import Booking, BookingSeries
from subscriptions.selectors import credits_left
from tests.billing.helpers import next_weekday_at
from tests.subscriptions.helpers import subscribe

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
        use_credit=True,
    )


def test_each_occurrence_spends_one_credit_and_too_few_books_nothing(subscriber, covered_offering):
    subscription = subscribe(subscriber, covered_offering)  # 2 credits
    with pytest.raises(booking_services.BookingError, match="nothing was booked") as error:
        book_series(covered_offering, subscriber, weeks=3)
    assert error.value.field == "use_credit"
    assert not Booking.objects.exists() and not BookingSeries.objects.exists()
    assert credits_left(subscription=subscription) == 2

    series = book_series(covered_offering, subscriber, weeks=2)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert [(b.state, b.price_amount) for b in bookings] == [(Booking.State.CONFIRMED, 0)] * 2
    assert credits_left(subscription=subscription) == 0 and not Payment.objects.exists()

    booking_services.series_cancel_from(booking=bookings[0], by=subscriber)
    assert credits_left(subscription=subscription) == 2
