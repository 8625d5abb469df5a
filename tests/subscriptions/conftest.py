"""Subscriptions at Stripe's HTTP boundary: the recording client for what we ask, signed
fixtures for what Stripe Billing tells us."""

import pytest

from billing import stripe_client
from tests.billing.helpers import RecordingHTTPClient
from tests.factories import OfferingFactory, UserFactory
from tests.subscriptions.helpers import STRIPE_SUB


@pytest.fixture
def stripe_billing(stripe_on):
    client = RecordingHTTPClient()
    client.answer("post", "/v1/customers", "response_customer.json")
    client.answer("post", "/v1/products", "response_product.json")
    client.answer("post", "/v1/prices", "response_price.json")
    client.answer("post", "/v1/checkout/sessions", "response_checkout_session_subscription.json")
    client.answer(
        "post", "/v1/checkout/sessions/cs_test_Sub456/expire", "response_checkout_session_expired.json"
    )
    client.answer(
        "post", f"/v1/subscriptions/{STRIPE_SUB}", "response_subscription_cancel_at_period_end.json"
    )
    client.answer("post", "/v1/billing_portal/sessions", "response_billing_portal_session.json")
    stripe_client.use_http_client(client)
    yield client
    stripe_client.use_http_client(None)


@pytest.fixture
def demo_provider(settings):
    settings.BILLING_PROVIDER = "demo"
    settings.DEBUG = True


@pytest.fixture
def subscriber(db):
    return UserFactory(timezone="Europe/Berlin")


@pytest.fixture
def covered_offering(db):
    """A 30-minute, $45 offering of a mentor who also sells a 2-credit plan."""
    return OfferingFactory(price_amount=4500, duration_minutes=30)
