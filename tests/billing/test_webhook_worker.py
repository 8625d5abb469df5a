"""A signed webhook posted to the real view, processed by a real Celery worker on Redis.

The other billing tests run tasks eagerly (inline); this one proves the stored event really goes
through the broker after commit, that the worker confirms the booking, and that the same event
posted again is answered 200 and changes nothing.
"""

import time

import pytest

from billing.models import Payment, WebhookEvent
from billing.services import payment_start_checkout
from sessions.models import Booking
from tests.billing.helpers import book, fixture_text, signed_headers
from tests.support import needs_redis, wait_for

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
]


def test_a_signed_completed_checkout_is_confirmed_by_the_worker_once(
    stripe_http, paid_offering, client, real_worker
):
    booking = book(paid_offering)
    payment = payment_start_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    payload = fixture_text(
        "event_checkout_session_completed.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )

    response = client.post(
        "/billing/stripe/webhook/", data=payload, content_type="application/json", **signed_headers(payload)
    )
    assert response.status_code == 200 and response.json() == {"received": True, "duplicate": False}
    event = WebhookEvent.objects.get()
    assert wait_for(lambda: WebhookEvent.objects.get().state == WebhookEvent.State.PROCESSED), (
        "the worker did not process the event"
    )
    event.refresh_from_db()
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert payment.state == Payment.State.PAID and payment.payment_intent_id == "pi_3Test123"
    assert event.attempts == 1
    confirmed_at = (booking.state, payment.paid_at)

    # Stripe retries delivery: the same event (same id, re-signed) changes nothing.
    again = client.post(
        "/billing/stripe/webhook/", data=payload, content_type="application/json", **signed_headers(payload)
    )
    assert again.status_code == 200 and again.json() == {"received": True, "duplicate": True}
    time.sleep(1.0)  # give a (wrongly) queued task the time to run
    assert WebhookEvent.objects.count() == 1
    event.refresh_from_db()
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert event.attempts == 1 and event.state == WebhookEvent.State.PROCESSED
    assert (booking.state, payment.paid_at) == confirmed_at
    assert not payment.refunds.exists()
    assert stripe_http.count("post", "/v1/refunds") == 0
