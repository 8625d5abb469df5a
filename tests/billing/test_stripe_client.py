"""The one client module: timeouts, retries on network errors with the same idempotency key."""

from dataclasses import dataclass

import pytest
import stripe

from billing import stripe_client
from billing.stripe_client import BillingError
from tests.billing.helpers import RecordingHTTPClient


@dataclass
class FlakyHTTPClient(RecordingHTTPClient):
    """Drops the connection a number of times before answering like the recording client."""

    failures: int = 0

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.failures:
            self.failures -= 1
            super().request(method, url, headers, post_data)  # recorded, then lost on the wire
            raise stripe.APIConnectionError("Connection reset by peer", should_retry=True)
        return super().request(method, url, headers, post_data)


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(stripe.HTTPClient, "_sleep_time_seconds", lambda self, num_retries: 0)


def test_a_dropped_connection_is_retried_with_the_same_idempotency_key(stripe_on, settings, no_backoff):
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    flaky = FlakyHTTPClient(failures=2)
    flaky.answer("post", "/v1/refunds", "response_refund.json")
    stripe_client.use_http_client(flaky)
    try:
        refund = stripe_client.refund_create(
            refund_id=7, payment_intent="pi_3Test123", amount=4500, metadata={"booking_id": "b"}
        )
    finally:
        stripe_client.use_http_client(None)
    assert refund.id == "re_3Test123"
    assert flaky.count("post", "/v1/refunds") == 3
    assert {c.idempotency_key for c in flaky.calls} == {"refund-7"}


def test_when_retries_run_out_the_user_gets_a_message_not_an_exception(stripe_on, settings, no_backoff):
    settings.STRIPE_MAX_NETWORK_RETRIES = 1
    flaky = FlakyHTTPClient(failures=5)
    flaky.answer("post", "/v1/refunds", "response_refund.json")
    stripe_client.use_http_client(flaky)
    try:
        with pytest.raises(BillingError, match="try again in a minute") as caught:
            stripe_client.refund_create(refund_id=8, payment_intent="pi_3Test123", amount=1, metadata={})
    finally:
        stripe_client.use_http_client(None)
    assert flaky.count("post", "/v1/refunds") == 2
    assert isinstance(caught.value.__cause__, stripe.APIConnectionError)


def test_the_real_http_client_has_our_timeout_and_retries(stripe_on, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 7.5
    settings.STRIPE_MAX_NETWORK_RETRIES = 3
    built = stripe_client.client()
    requestor = built._requestor
    assert requestor._options.max_network_retries == 3
    assert isinstance(requestor._client, stripe.RequestsClient) and requestor._client._timeout == 7.5


def test_without_a_secret_key_there_is_a_message_and_no_call(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(BillingError, match="not set up"):
        stripe_client.client()
