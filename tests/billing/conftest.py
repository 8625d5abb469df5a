"""Stripe at the HTTP boundary: a recording HTTP client for what we send, signed fixtures for what we get."""

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
import stripe
from django.db import transaction
from django.utils import timezone

from billing import services as billing_services
from billing import stripe_client
from sessions import services as booking_services
from tests.factories import OfferingFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"
PLATFORM_SECRET = "whsec_test_platform"
CONNECT_SECRET = "whsec_test_connect"
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Call:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


@dataclass
class RecordingHTTPClient(stripe.HTTPClient):
    """Answers every Stripe request with fixture JSON and remembers exactly what was asked."""

    routes: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    meanwhile: dict = field(default_factory=dict)
    name = "recording"

    def __post_init__(self):
        super().__init__()

    def answer(self, method: str, path: str, fixture: str, status: int = 200, *, meanwhile=None) -> None:
        """Answer `method path` with the fixture. `meanwhile`, if given, runs once, on the next such
        request, before its answer comes back: what Stripe does while our request waits for it
        (e.g. send a webhook about what the request just created)."""
        self.routes[(method.lower(), path)] = (fixture, status)
        if meanwhile is not None:
            self.meanwhile[(method.lower(), path)] = meanwhile

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or "", keep_blank_values=True))
        self.calls.append(Call(method.lower(), parts.path, params, (headers or {}).get("Idempotency-Key")))
        key = (method.lower(), parts.path)
        if key not in self.routes:
            raise AssertionError(f"unexpected Stripe call {method.upper()} {parts.path}")
        fixture, status = self.routes[key]
        if key in self.meanwhile:
            self.meanwhile.pop(key)()
        return (FIXTURES / fixture).read_text(), status, {"Request-Id": f"req_{len(self.calls)}"}

    def close(self):
        pass

    def only(self, method: str, path: str) -> Call:
        found = [c for c in self.calls if (c.method, c.path) == (method, path)]
        assert len(found) == 1, f"{method} {path} called {len(found)} times: {self.calls}"
        return found[0]

    def count(self, method: str, path: str) -> int:
        return len([c for c in self.calls if (c.method, c.path) == (method, path)])


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


def next_weekday_at(hour: int, days_ahead: int = 3) -> datetime:
    day = timezone.now().astimezone(BERLIN).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=BERLIN)


@pytest.fixture
def paid_offering(db):
    return OfferingFactory(price_amount=4500, currency="USD", cancellation_window_hours=24)


def book(offering, mentee=None, starts_at=None):
    mentee = mentee or UserFactory()
    return booking_services.booking_create(
        offering=offering,
        mentee=mentee,
        request=booking_services.BookingRequest(
            starts_at=starts_at or next_weekday_at(10),
            outcome="A decision on one job offer",
            prework_answers=["Two offers", "Growth"],
        ),
    )


def fixture_text(name: str, **values) -> str:
    text = (FIXTURES / name).read_text()
    values.setdefault("event_id", f"evt_{uuid.uuid4().hex[:24]}")
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    json.loads(text)  # still valid JSON
    return text


def signed_headers(payload: str, secret: str = PLATFORM_SECRET, timestamp: int | None = None) -> dict:
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp if timestamp is not None else int(time.time())
    )
    return {"HTTP_STRIPE_SIGNATURE": header}


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


def pay(booking, post_event):
    """Pay a held booking through Stripe Checkout and the signed completed event; its Payment."""
    payment = billing_services.payment_start_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    post_event(
        fixture_text(
            "event_checkout_session_completed.json",
            session_id=payment.checkout_session_id,
            booking_id=booking.pk,
            payment_id=payment.pk,
            amount=payment.amount,
        )
    )
    booking.refresh_from_db()
    payment.refresh_from_db()
    return payment


@pytest.fixture
def paid_booking(stripe_http, paid_offering, post_event):
    """A $45 booking paid through Stripe Checkout and confirmed by the signed webhook."""
    booking = book(paid_offering)
    payment = pay(booking, post_event)
    assert payment.state == "paid" and booking.state == "confirmed"
    return booking
