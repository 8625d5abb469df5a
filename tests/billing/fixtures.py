"""Stripe at the HTTP boundary, as fixtures any test may ask for (registered in tests/conftest.py):
the settings of a Stripe account in test mode, the recording HTTP client answering with fixture
JSON, a signed webhook poster, and a booking paid through Stripe Checkout."""

import pytest
from django.db import transaction

from billing import stripe_client
from tests.billing.helpers import (
    CONNECT_SECRET,
    PLATFORM_SECRET,
    RecordingHTTPClient,
    book,
    pay,
    signed_headers,
)
from tests.factories import OfferingFactory


@pytest.fixture
def stripe_on(settings):
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_51Recording"
    settings.STRIPE_WEBHOOK_SECRET = PLATFORM_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ADMINS = [("Staff", "staff@example.com")]


@pytest.fixture
def stripe_http(stripe_on):
    client = RecordingHTTPClient()
    client.answer("post", "/v1/customers", "response_customer.json")
    client.answer("post", "/v1/checkout/sessions", "response_checkout_session.json")
    client.answer(
        "post", "/v1/checkout/sessions/cs_test_a1B2c3/expire", "response_checkout_session_expired.json"
    )
    client.answer("post", "/v1/refunds", "response_refund.json")
    client.answer("get", "/v1/refunds", "response_refund_list_empty.json")
    client.answer("get", "/v1/payment_intents/pi_3Test123", "response_payment_intent.json")
    client.answer("post", "/v1/transfers", "response_transfer.json")
    client.answer("post", "/v1/transfers/tr_1Test123/reversals", "response_transfer_reversal.json")
    client.answer("post", "/v1/accounts", "response_account.json")
    client.answer("get", "/v1/accounts/acct_1Mentor", "response_account.json")
    client.answer("post", "/v1/account_links", "response_account_link.json")
    stripe_client.use_http_client(client)
    yield client
    stripe_client.use_http_client(None)


@pytest.fixture
def paid_offering(db):
    return OfferingFactory(price_amount=4500, currency="USD", cancellation_window_hours=24)


@pytest.fixture
def post_event(client, django_capture_on_commit_callbacks):
    """POST a fixture, signed, to the real webhook view; run what it queues after commit.

    The delivery is its own request and transaction: what it queued runs once, here. Posted while
    another capture runs its callbacks (`answer(..., meanwhile=...)`), that capture would run them
    again, as they stay in the connection's list, so they are taken out of it once they ran."""

    def post(
        payload: str,
        *,
        secret: str = PLATFORM_SECRET,
        timestamp=None,
        path="/billing/stripe/webhook/",
        body=None,
    ):
        connection = transaction.get_connection()
        before = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                path,
                data=body if body is not None else payload,
                content_type="application/json",
                **signed_headers(payload, secret, timestamp),
            )
        del connection.run_on_commit[before:]
        return response

    return post


@pytest.fixture
def paid_booking(stripe_http, paid_offering, post_event):
    """A $45 booking paid through Stripe Checkout and confirmed by the signed webhook."""
    booking = book(paid_offering)
    payment = pay(booking, post_event)
    assert payment.state == "paid" and booking.state == "confirmed"
    return booking
