"""Paying for a seat: the price is the server's, the checkout is billing's, and the money moves
once however Stripe's events are replayed or reordered."""

import pytest
from django.core import mail

from billing.models import Payment, Refund
from groups import services
from groups.models import GroupSeat, GroupSession
from tests.factories import UserFactory
from tests.groups.helpers import completed, expired, hold, paid_group

pytestmark = pytest.mark.django_db
Seat = GroupSeat.State
SUBJECT = "Your seat: Salary negotiation workshop"


def test_booking_holds_the_seat_at_the_server_price_and_asks_stripe_for_exactly_that(stripe_http):
    seat, payment = hold(paid_group())
    assert (seat.state, seat.price_amount, seat.currency) == (Seat.HELD, 2500, "USD")
    assert (payment.amount, payment.currency, payment.kind.name) == (2500, "USD", "group seat")
    call = stripe_http.only("post", "/v1/checkout/sessions")
    assert call.params["line_items[0][price_data][unit_amount]"] == "2500"
    assert call.params["metadata[group_seat_id]"] == str(seat.pk)
    assert call.idempotency_key == f"checkout-{payment.pk}"


def test_booking_twice_while_the_checkout_is_open_reuses_it(stripe_http):
    group_session = paid_group()
    mentee = UserFactory()
    first, payment = hold(group_session, mentee)
    again, same = hold(group_session, mentee)
    assert (again.pk, same.pk) == (first.pk, payment.pk)
    assert stripe_http.count("post", "/v1/checkout/sessions") == 1


def test_the_signed_payment_confirms_the_seat_once_however_often_it_is_delivered(stripe_http, post_event):
    seat, payment = hold(paid_group())
    event = completed(seat, payment)
    post_event(event)
    post_event(event)  # the same event again
    post_event(completed(seat, payment))  # another delivery of the same news
    seat.refresh_from_db()
    assert seat.state == Seat.CONFIRMED
    assert [m.subject for m in mail.outbox].count(SUBJECT) == 1
    assert not Refund.objects.exists()


def test_an_expiry_after_the_payment_changes_nothing(stripe_http, post_event):
    seat, payment = hold(paid_group())
    post_event(completed(seat, payment))
    post_event(expired(seat, payment))
    seat.refresh_from_db()
    assert seat.state == Seat.CONFIRMED
    assert GroupSession.objects.get().group_seats.filter(state=Seat.CONFIRMED).count() == 1


def test_a_payment_heard_after_the_expiry_takes_a_seat_when_one_is_still_free(stripe_http, post_event):
    seat, payment = hold(paid_group())
    post_event(expired(seat, payment))
    seat.refresh_from_db()
    assert seat.state == Seat.RELEASED
    post_event(completed(seat, payment))  # paid in the moment before the expiry, told after
    seat.refresh_from_db()
    assert seat.state == Seat.CONFIRMED
    assert not Refund.objects.exists()


def test_a_payment_heard_after_the_last_seat_went_to_someone_else_is_refunded_once(
    stripe_http, post_event, settings
):
    group_session = paid_group(seats=2, seats_min=1)
    late, late_payment = hold(group_session)
    post_event(expired(late, late_payment))  # the seat is free again…
    settings.BILLING_PROVIDER = "demo"  # …and two others take both seats (free of Stripe here)
    settings.DEBUG = True
    for _ in range(2):
        other = services.seat_book(group_session=group_session, mentee=UserFactory())
        GroupSeat.objects.filter(pk=other.pk).update(state=Seat.CONFIRMED)
    settings.BILLING_PROVIDER = "stripe"
    event = completed(late, late_payment)
    post_event(event)
    post_event(event)  # replayed
    late.refresh_from_db()
    assert late.state == Seat.RELEASED
    assert group_session.group_seats.filter(state=Seat.CONFIRMED).count() == 2  # never oversold
    refund = Refund.objects.get()
    assert (refund.amount, refund.payment_id) == (2500, late_payment.pk)
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_payment_for_a_cancelled_session_is_refunded_in_full_once(stripe_http, post_event):
    group_session = paid_group()
    seat, payment = hold(group_session)
    services.group_session_cancel(group_session=group_session, by=group_session.mentor.user, reason="ill")
    post_event(completed(seat, payment))
    post_event(completed(seat, payment))
    seat.refresh_from_db()
    assert seat.state == Seat.RELEASED
    assert Refund.objects.get().amount == 2500
    assert Payment.objects.get().state == Payment.State.PAID


def test_a_payment_of_another_amount_confirms_nothing_and_is_refunded(stripe_http, post_event):
    seat, payment = hold(paid_group())
    post_event(completed(seat, payment, amount=100))
    seat.refresh_from_db()
    payment.refresh_from_db()
    assert seat.state == Seat.RELEASED
    assert payment.amount_mismatch
    assert Refund.objects.get().amount == 100
