"""Stripe at the HTTP boundary: a recording HTTP client for what we send, signed fixtures for
what we get; bookings made and paid through the real services; a paid session ready to be rated."""

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import stripe
from django.utils import timezone

from billing import services as billing_services
from billing.models import Payment
from sessions import services as booking_services
from sessions.services import booking_close, review_create
from tests.cohorts.factories import CohortFactory, ModuleFactory
from tests.factories import BookingFactory, OfferingFactory, UserFactory

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


def next_weekday_at(hour: int, days_ahead: int = 3) -> datetime:
    day = timezone.now().astimezone(BERLIN).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=BERLIN)


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


def paid_session(mentor, mentee=None, *, amount=4500, currency="USD"):
    """A session that happened two hours ago, paid, and closed by its mentor: ready to be rated."""
    offering = OfferingFactory(mentor=mentor, price_amount=amount, currency=currency)
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    booking = BookingFactory(
        offering=offering, mentee=mentee or UserFactory(), starts_at=start, currency=currency
    )
    if amount:
        Payment.objects.create(
            booking=booking,
            provider=Payment.Provider.DEMO,
            amount=amount,
            currency=currency,
            platform_fee=amount * 15 // 100,
            state=Payment.State.PAID,
            paid_at=start,
        )
    booking_close(
        booking=booking,
        by=mentor.user,
        action_item="Send the counter-offer e-mail",
        due_date=(timezone.now() + timedelta(days=7)).date(),
    )
    return booking


def rate(booking, rating=5):
    return review_create(booking=booking, by=booking.mentee, rating=rating, text="Clear and kind")


def open_cohort_of(mentor, **fields):
    values = {"published": True, "price_amount": 45000, "seats_min": 2, "seats_max": 3}
    values.update(fields)
    cohort = CohortFactory(facilitator=mentor, **values)
    ModuleFactory(cohort=cohort, week=1)
    return cohort
