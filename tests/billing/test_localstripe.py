"""A refund round trip against localstripe, a stateful fake Stripe server (no internet).

localstripe has no Checkout Sessions or Connect, so the payment is made the way Checkout makes it
underneath (a card PaymentIntent, confirmed); from there our own code takes over: the customer,
the refunds (billing.stripe_client and billing.services) and the error mapping.

localstripe is not one of our dependencies (it pins nothing we can share and is old); CI installs
it in its own virtualenv and puts it on PATH or in LOCALSTRIPE:
    python3 -m venv .tools/localstripe && .tools/localstripe/bin/pip install localstripe==1.15.10
    LOCALSTRIPE=.tools/localstripe/bin/localstripe

What localstripe does NOT check, so these tests don't claim it: idempotency keys are ignored
(the same key twice makes two refunds) and refunds above the charge are accepted; our own
Refund rows (unique key, refundable amount) are what guard against both — see
tests/billing/test_refunds_and_payouts.py with the recording client.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import stripe

from billing import services, stripe_client
from billing.models import Payment, Refund
from billing.stripe_client import BillingError
from tests.billing.helpers import book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_KEY = "sk_test_localstripe"


def _executable() -> str | None:
    configured = os.environ.get("LOCALSTRIPE")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("localstripe")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe on a free port for the whole session; its URL."""
    executable = _executable()
    if executable is None:
        pytest.skip(
            "localstripe not found (on PATH or at $LOCALSTRIPE): "
            "python3 -m venv .tools/localstripe && .tools/localstripe/bin/pip install localstripe"
        )
    port = _free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        # --from-scratch: don't load /tmp/localstripe.pickle (it still writes it; nothing reads it).
        process = subprocess.Popen(
            [executable, "--port", str(port), "--from-scratch"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{url}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"localstripe did not start:\n{log.read_text()}", pytrace=False)
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def on_localstripe(localstripe, settings):
    """Our stripe client, pointed at localstripe (the same setting works for stripe-mock)."""
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 5
    stripe_client.use_http_client(None)
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe}, max_network_retries=0)


def _card_payment(fake: stripe.StripeClient, *, customer: str, number: str, amount: int):
    """What Checkout does underneath: a card PaymentIntent, confirmed."""
    method = fake.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    intent = fake.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "customer": customer,
            "payment_method": method.id,
            "payment_method_types": ["card"],
        }
    )
    return intent, method


def test_a_card_payment_refunded_in_two_parts_through_our_services(
    on_localstripe, paid_offering, django_capture_on_commit_callbacks
):
    fake = on_localstripe
    booking = book(paid_offering)
    customer = stripe_client.customer_create(
        email=booking.mentee.email, name=booking.mentee.name, user_id=booking.mentee.pk
    )
    assert customer.id.startswith("cus_")
    intent, _ = _card_payment(fake, customer=customer.id, number="4242424242424242", amount=4500)
    intent = fake.v1.payment_intents.confirm(intent.id)
    assert intent.status == "succeeded"
    # Old shape: localstripe expands latest_charge (today's API gives its id).
    charge = intent.to_dict()["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge

    payment = Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.STRIPE,
        amount=4500,
        currency="USD",
        platform_fee=services.platform_fee(4500),
        state=Payment.State.PAID,
        payment_intent_id=intent.id,
        charge_id=charge_id,
    )
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        partial = services.payment_refund(payment=payment, amount=1500, reason="Started late", by=staff)
    partial.refresh_from_db()
    assert partial.state == Refund.State.SUCCEEDED and partial.stripe_refund_id.startswith("re_")
    remote = fake.v1.refunds.retrieve(partial.stripe_refund_id)
    assert (remote.amount, remote.payment_intent, remote.metadata["refund_id"]) == (
        1500,
        intent.id,
        str(partial.pk),
    )
    assert fake.v1.charges.retrieve(charge_id).amount_refunded == 1500

    with django_capture_on_commit_callbacks(execute=True):
        rest = services.payment_refund(payment=payment, amount=None, reason="Mentor no-show", by=staff)
    rest.refresh_from_db()
    assert rest.amount == 3000 and rest.state == Refund.State.SUCCEEDED
    remote_charge = fake.v1.charges.retrieve(charge_id)
    assert remote_charge.amount_refunded == 4500 and remote_charge.refunded is True
    assert payment.refundable == 0
    with pytest.raises(BillingError, match="Nothing is left"):
        services.payment_refund(payment=payment, amount=None, reason="again", by=staff)


def test_a_stripe_refusal_is_stored_on_the_refund_not_raised(
    on_localstripe, paid_offering, django_capture_on_commit_callbacks
):
    """A refund for a PaymentIntent Stripe does not know: kept FAILED with a safe message."""
    payment = Payment.objects.create(
        booking=book(paid_offering),
        provider=Payment.Provider.STRIPE,
        amount=4500,
        currency="USD",
        platform_fee=services.platform_fee(4500),
        state=Payment.State.PAID,
        payment_intent_id="pi_unknown0000",
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, amount=None, reason="Test", by=None)
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED and refund.stripe_refund_id is None
    assert refund.last_error == stripe_client.GENERIC_MESSAGE


def test_a_declined_card_becomes_a_billing_error_with_stripes_message(on_localstripe):
    fake = on_localstripe
    customer = stripe_client.customer_create(email="d@example.com", name="D", user_id=999_001)
    # 4000000000000341: attaches, then the charge is declined.
    intent, _ = _card_payment(fake, customer=customer.id, number="4000000000000341", amount=4500)
    with pytest.raises(BillingError) as declined:
        stripe_client._call("payment_intent.confirm", lambda c: c.v1.payment_intents.confirm(intent.id))
    assert declined.value.code == "card_declined"
    assert "declined" in declined.value.message
