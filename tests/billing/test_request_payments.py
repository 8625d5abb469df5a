"""A request to book's card at Stripe's HTTP boundary: authorised at checkout (manual capture),
captured once when the mentor accepts, released once when they decline or it lapses — however
the signed events are replayed or reordered. The recording client answers as Stripe would and
remembers what we asked (localstripe has no Checkout Sessions: TESTING.md)."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Payment, Refund, WebhookEvent
from sessions import services as booking_services
from sessions.models import Booking
from tests.billing.helpers import book, fixture_text, next_weekday_at
from tests.factories import OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db
CAPTURE = "/v1/payment_intents/pi_3Test123/capture"
CANCEL = "/v1/payment_intents/pi_3Test123/cancel"
State = Booking.State


@pytest.fixture
def request_offering(db):
    return OfferingFactory(price_amount=4500, currency="USD", requires_approval=True)


@pytest.fixture
def stripe_capture(stripe_http):
    stripe_http.answer("post", CAPTURE, "response_payment_intent_captured.json")
    stripe_http.answer("post", CANCEL, "response_payment_intent_canceled.json")
    return stripe_http


def checkout(booking):
    from billing import services

    return services.payment_start_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )


def event(name, payment, **values):
    values.setdefault("amount", payment.amount)
    return fixture_text(
        name,
        session_id=payment.checkout_session_id,
        booking_id=payment.booking_id,
        payment_id=payment.pk,
        **values,
    )


AUTHORISED = "event_checkout_session_completed_authorised.json"
CAPTURABLE = "event_payment_intent_amount_capturable_updated.json"
SUCCEEDED = "event_payment_intent_succeeded.json"
CANCELED = "event_payment_intent_canceled.json"


def fresh(booking, payment):
    booking.refresh_from_db()
    payment.refresh_from_db()
    return booking, payment


def test_the_checkout_of_a_request_authorises_the_card_without_capturing_it(stripe_capture, request_offering):
    booking = book(request_offering)
    assert booking.state == State.HELD

    checkout(booking)

    params = stripe_capture.only("post", "/v1/checkout/sessions").params
    assert params["payment_intent_data[capture_method]"] == "manual"
    assert params["line_items[0][price_data][unit_amount]"] == "4500"


def test_an_ordinary_checkout_still_captures_at_once(stripe_capture):
    checkout(book(OfferingFactory(price_amount=4500)))
    assert (
        "payment_intent_data[capture_method]"
        not in stripe_capture.only("post", "/v1/checkout/sessions").params
    )


@pytest.mark.parametrize(
    "order", [(AUTHORISED, CAPTURABLE), (CAPTURABLE, AUTHORISED)], ids=["session-first", "intent-first"]
)
def test_the_authorisation_sends_the_request_once_in_either_order_and_replayed(
    stripe_capture, request_offering, post_event, order
):
    booking = book(request_offering)
    payment = checkout(booking)
    mail.outbox.clear()

    for name in (*order, *order):
        assert post_event(event(name, payment)).status_code == 200

    booking, payment = fresh(booking, payment)
    assert booking.state == State.REQUESTED
    assert payment.state == Payment.State.AUTHORIZED
    assert payment.payment_intent_id == "pi_3Test123"
    assert [m.subject for m in mail.outbox] == [f"New request to book: {request_offering.title}"]
    assert stripe_capture.count("post", CAPTURE) == stripe_capture.count("post", CANCEL) == 0
    assert WebhookEvent.objects.filter(state="processed").count() == 4


def authorised(booking, post_event):
    payment = checkout(booking)
    post_event(event(AUTHORISED, payment))
    return fresh(booking, payment)


def test_accepting_captures_once_and_the_succeeded_event_replayed_changes_nothing(
    stripe_capture, request_offering, post_event, django_capture_on_commit_callbacks
):
    booking, payment = authorised(book(request_offering), post_event)

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_request_accept(booking=booking, by=request_offering.mentor.user)
    for _ in range(2):
        post_event(event(SUCCEEDED, payment))
        post_event(event(CAPTURABLE, payment))  # a late authorisation event
        post_event(event(AUTHORISED, payment))

    booking, payment = fresh(booking, payment)
    assert booking.state == State.CONFIRMED
    assert (payment.state, payment.charge_id) == (Payment.State.PAID, "ch_3Test123")
    capture = stripe_capture.only("post", CAPTURE)
    assert capture.idempotency_key == f"capture-{payment.pk}"
    assert stripe_capture.count("post", CANCEL) == 0
    assert not Refund.objects.exists()


def test_declining_releases_the_authorisation_once_and_the_canceled_event_changes_nothing(
    stripe_capture, request_offering, post_event, django_capture_on_commit_callbacks
):
    booking, payment = authorised(book(request_offering), post_event)

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_request_decline(
            booking=booking, by=request_offering.mentor.user, message="No"
        )
    for _ in range(2):
        post_event(event(CANCELED, payment))
        post_event(event(AUTHORISED, payment))

    booking, payment = fresh(booking, payment)
    assert booking.state == State.DECLINED
    assert payment.state == Payment.State.RELEASED
    cancel = stripe_capture.only("post", CANCEL)
    assert cancel.idempotency_key == f"release-{payment.pk}"
    assert cancel.params == {"cancellation_reason": "abandoned"}
    assert stripe_capture.count("post", CAPTURE) == 0
    assert not Refund.objects.exists()


def test_an_authorisation_cancelled_in_stripe_lets_the_waiting_request_lapse_and_tells_both(
    stripe_capture, request_offering, post_event
):
    booking, payment = authorised(book(request_offering), post_event)
    mail.outbox.clear()

    post_event(event(CANCELED, payment))
    post_event(event(CANCELED, payment))

    booking, payment = fresh(booking, payment)
    assert (booking.state, payment.state) == (State.LAPSED, Payment.State.RELEASED)
    assert len([m for m in mail.outbox if m.subject.startswith("Request lapsed")]) == 2
    assert stripe_capture.count("post", CANCEL) == 0  # nothing left to release


def test_a_capture_made_in_the_dashboard_before_a_decline_is_refunded_exactly_once(
    stripe_capture, request_offering, post_event, django_capture_on_commit_callbacks
):
    booking, payment = authorised(book(request_offering), post_event)
    post_event(event(SUCCEEDED, payment))  # captured by hand in the Dashboard
    booking, payment = fresh(booking, payment)
    assert (booking.state, payment.state) == (State.REQUESTED, Payment.State.PAID)

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_request_decline(booking=booking, by=request_offering.mentor.user)
    post_event(event(SUCCEEDED, payment))

    refund = Refund.objects.get()
    assert (refund.amount, refund.key) == (4500, f"booking-{booking.pk}-policy")
    assert stripe_capture.count("post", "/v1/refunds") == 1
    assert stripe_capture.count("post", CANCEL) == 0


def test_a_succeeded_event_heard_before_the_authorisation_sends_the_request_and_records_the_money(
    stripe_capture, request_offering, post_event
):
    booking = book(request_offering)
    payment = checkout(booking)

    post_event(event(SUCCEEDED, payment))
    post_event(event(AUTHORISED, payment))
    post_event(event(CAPTURABLE, payment))

    booking, payment = fresh(booking, payment)
    assert (booking.state, payment.state) == (State.REQUESTED, Payment.State.PAID)
    assert booking.events.filter(to_state=State.REQUESTED).count() == 1


def test_an_authorisation_for_another_amount_is_released_and_sends_nothing(
    stripe_capture, request_offering, post_event
):
    booking = book(request_offering)
    payment = checkout(booking)
    mail.outbox.clear()

    post_event(event(AUTHORISED, payment, amount=100))

    booking, payment = fresh(booking, payment)
    assert booking.state == State.EXPIRED
    assert payment.state == Payment.State.RELEASED
    assert stripe_capture.count("post", CANCEL) == 1
    assert not [m for m in mail.outbox if "request" in m.subject.lower()]


def test_a_late_authorisation_for_a_time_taken_meanwhile_is_released(
    stripe_capture, request_offering, post_event
):
    starts_at = next_weekday_at(10)
    booking = book(request_offering, starts_at=starts_at)
    payment = checkout(booking)
    booking_services.booking_release_hold(booking=booking, note="hold expired")
    book(OfferingFactory(mentor=request_offering.mentor), starts_at=starts_at)  # someone else's now

    post_event(event(AUTHORISED, payment))

    booking, payment = fresh(booking, payment)
    assert booking.state == State.EXPIRED
    assert payment.state == Payment.State.RELEASED
    assert stripe_capture.count("post", CANCEL) == 1


def test_the_demo_provider_authorises_captures_on_accept_and_releases_on_decline(
    settings, client, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"
    settings.STRIPE_SECRET_KEY = ""
    offering = OfferingFactory(price_amount=4500, requires_approval=True)
    mentee = UserFactory()
    client.force_login(mentee)
    for hour in (10, 11):
        form = {
            "starts_at": next_weekday_at(hour).isoformat(),
            "outcome": "A decision",
            "prework_0": "a",
            "prework_1": "b",
        }
        response = client.post(reverse("sessions:book", args=[offering.slug]), form)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(response["Location"], {"action": "pay"})
    first, second = Booking.objects.order_by("starts_at")
    assert first.state == second.state == State.REQUESTED
    assert set(Payment.objects.values_list("state", flat=True)) == {Payment.State.AUTHORIZED}

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_request_accept(booking=first, by=offering.mentor.user)
        booking_services.booking_request_decline(booking=second, by=offering.mentor.user)

    assert Payment.objects.get(booking=first).state == Payment.State.PAID
    assert Payment.objects.get(booking=second).state == Payment.State.RELEASED


def test_intent_events_about_an_ordinary_payment_change_nothing(stripe_capture, post_event):
    booking = book(OfferingFactory(price_amount=4500))
    payment = checkout(booking)

    for name in (CAPTURABLE, SUCCEEDED, CANCELED):
        assert post_event(event(name, payment)).status_code == 200

    booking, payment = fresh(booking, payment)
    assert (booking.state, payment.state) == (State.HELD, Payment.State.PENDING)
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"processed"}
