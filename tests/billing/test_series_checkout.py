"""A weekly series paid by card (billing/services/series.py): one Stripe Checkout for every held
occurrence, one Payment per occurrence; money moves exactly once under replayed and reordered
webhooks, and refunds and payouts stay per occurrence."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Payment, Refund
from billing.services.series import series_start_checkout
from sessions import services as booking_services
from sessions.models import Booking, BookingSeries
from sessions.services import BookingRequest
from tests.billing.helpers import fixture_text, next_weekday_at
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db
CHECKOUT = {"success_url": "http://testserver/ok", "cancel_url": "http://testserver/no"}


def held_series(offering, *, weeks=3, days_ahead=3):
    first = next_weekday_at(10, days_ahead=days_ahead)
    starts = booking_services.series.series_starts(mentor=offering.mentor, first=first, weeks=weeks)
    return booking_services.series_create(
        offering=offering,
        mentee=UserFactory(),
        request=BookingRequest(starts_at=first, outcome="A plan", prework_answers=["a", "b"]),
        weeks=weeks,
        dates=starts,
    )


def series_event(name, series: BookingSeries, lead: Payment, *, amount=None):
    total = sum(Payment.objects.filter(booking__series=series).values_list("amount", flat=True))
    return fixture_text(
        name,
        session_id=lead.checkout_session_id,
        booking_id=lead.booking_id,
        payment_id=lead.pk,
        series_id=series.pk,
        amount=total if amount is None else amount,
    )


def states(series):
    return list(series.occurrences.order_by("starts_at").values_list("state", flat=True))


def test_one_checkout_pays_every_occurrence_and_a_replay_moves_nothing(
    paid_offering, stripe_http, post_event
):
    series = held_series(paid_offering)
    lead = series_start_checkout(series=series, **CHECKOUT)
    sent = stripe_http.only("post", "/v1/checkout/sessions")
    assert [sent.params[f"line_items[{i}][price_data][unit_amount]"] for i in range(3)] == ["4500"] * 3
    assert sent.params["metadata[booking_series_id]"] == str(series.pk)
    payments = Payment.objects.filter(booking__series=series)
    assert payments.count() == 3 and payments.filter(checkout_session_id__isnull=False).count() == 1
    assert set(payments.values_list("checkout_url", flat=True)) == {lead.checkout_url}
    # Opening it again (any occurrence's "pay") reuses the same checkout.
    assert series_start_checkout(series=series, **CHECKOUT).pk == lead.pk
    assert stripe_http.count("post", "/v1/checkout/sessions") == 1

    mail.outbox.clear()
    completed = series_event("event_checkout_session_completed_series.json", series, lead)
    post_event(completed)
    assert states(series) == [Booking.State.CONFIRMED] * 3
    assert set(payments.values_list("state", "payment_intent_id")) == {(Payment.State.PAID, "pi_3Test123")}
    assert len([m for m in mail.outbox if "3 weekly sessions" in m.subject]) == 2  # mentee and mentor

    # The same event again, and again under a new id: nothing more happens.
    mail.outbox.clear()
    post_event(completed)
    post_event(series_event("event_checkout_session_completed_series.json", series, lead))
    assert states(series) == [Booking.State.CONFIRMED] * 3
    assert not mail.outbox and not Refund.objects.exists()


def test_expiry_after_payment_changes_nothing_and_payment_after_expiry_still_confirms(
    paid_offering, stripe_http, post_event
):
    series = held_series(paid_offering)
    lead = series_start_checkout(series=series, **CHECKOUT)
    post_event(series_event("event_checkout_session_expired_series.json", series, lead))
    assert states(series) == [Booking.State.EXPIRED] * 3
    assert set(Payment.objects.values_list("state", flat=True)) == {Payment.State.EXPIRED}
    # Reordered: the payment's event arrives after the expiry; the slots are still free.
    post_event(series_event("event_checkout_session_completed_series.json", series, lead))
    assert states(series) == [Booking.State.CONFIRMED] * 3
    post_event(series_event("event_checkout_session_expired_series.json", series, lead))
    assert states(series) == [Booking.State.CONFIRMED] * 3
    assert not Refund.objects.exists()


def test_a_date_taken_after_its_hold_ran_out_is_refunded_alone(paid_offering, stripe_http, post_event):
    series = held_series(paid_offering)
    lead = series_start_checkout(series=series, **CHECKOUT)
    post_event(series_event("event_checkout_session_expired_series.json", series, lead))
    second = series.occurrences.order_by("starts_at")[1]
    BookingFactory(offering=paid_offering, starts_at=second.starts_at)  # someone else took it
    post_event(series_event("event_checkout_session_completed_series.json", series, lead))
    assert states(series) == [Booking.State.CONFIRMED, Booking.State.EXPIRED, Booking.State.CONFIRMED]
    refund = Refund.objects.get()
    assert (refund.payment.booking_id, refund.amount) == (second.pk, 4500)
    assert stripe_http.only("post", "/v1/refunds").params["amount"] == "4500"


def test_cancelling_onwards_refunds_each_occurrence_once_from_the_shared_charge(
    paid_offering, stripe_http, post_event, django_capture_on_commit_callbacks
):
    series = held_series(paid_offering, days_ahead=5)
    lead = series_start_checkout(series=series, **CHECKOUT)
    post_event(series_event("event_checkout_session_completed_series.json", series, lead))
    bookings = list(series.occurrences.order_by("starts_at"))
    stripe_http.answer(
        "post",
        "/v1/refunds",
        "response_refund.json",
        meanwhile=lambda: stripe_http.answer("post", "/v1/refunds", "response_refund_second.json"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.series_cancel_from(booking=bookings[1], by=bookings[1].mentee)
    refunds = Refund.objects.order_by("pk")
    assert [(r.payment.booking_id, r.amount) for r in refunds] == [(b.pk, 4500) for b in bookings[1:]]
    assert {r.key for r in refunds} == {f"booking-{b.pk}-policy" for b in bookings[1:]}
    calls = [c for c in stripe_http.calls if c.path == "/v1/refunds" and c.method == "post"]
    assert [(c.params["payment_intent"], c.params["amount"]) for c in calls] == [("pi_3Test123", "4500")] * 2
    # Stripe's charge.refunded carries the charge's total: no single occurrence takes it as its own.
    post_event(
        fixture_text(
            "event_charge_refunded.json", amount=13500, amount_refunded=9000, booking_id=bookings[0].pk
        )
    )
    first_payment = Payment.objects.get(booking=bookings[0])
    assert first_payment.amount_refunded == 0 and first_payment.refundable == 4500
    # Cancelling again refunds nothing more.
    with pytest.raises(booking_services.BookingError):
        booking_services.series_cancel_from(booking=bookings[1], by=bookings[1].mentee)
    assert Refund.objects.count() == 2


def test_a_series_paid_another_total_is_refunded_once_and_released(paid_offering, stripe_http, post_event):
    series = held_series(paid_offering)
    lead = series_start_checkout(series=series, **CHECKOUT)
    post_event(series_event("event_checkout_session_completed_series.json", series, lead, amount=9000))
    assert Booking.State.CONFIRMED not in states(series)
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount) == (lead.pk, 9000)  # what Stripe took, once
    assert set(Payment.objects.exclude(pk=lead.pk).values_list("state", flat=True)) == {Payment.State.FAILED}


def test_abandoning_the_checkout_lets_every_held_date_go_together(
    paid_offering, stripe_http, client, django_capture_on_commit_callbacks
):
    series = held_series(paid_offering)
    lead = series_start_checkout(series=series, **CHECKOUT)
    client.force_login(series.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:checkout_cancel", args=[lead.booking_id]))
    assert states(series) == [Booking.State.EXPIRED] * 3
    assert stripe_http.count("post", "/v1/checkout/sessions/cs_test_a1B2c3/expire") == 1
