"""Group sessions made, booked and paid through the real services: the demo provider, or Stripe
Checkout and its signed events (tests/billing/fixtures.py)."""

from __future__ import annotations

from datetime import timedelta

from billing.services.checkout import purchase_start_checkout
from groups import services
from groups.models import GroupSeat, GroupSession
from tests.billing.helpers import fixture_text, next_weekday_at
from tests.factories import MentorFactory, UserFactory
from tests.packs.helpers import mentor_payouts_on

CHECKOUT = {"success_url": "http://testserver/ok", "cancel_url": "http://testserver/no"}


def group_of(mentor=None, *, publish: bool = True, **terms) -> GroupSession:
    """A published group session a week ahead at 11:00 in Berlin (a weekday): 5 seats, at least 2."""
    values = {
        "title": "Salary negotiation workshop",
        "description": "Your number, your script, your first reply.",
        "starts_at": next_weekday_at(11, days_ahead=7),
        "duration_minutes": 60,
        "seats": 5,
        "seats_min": 2,
        "price_amount": 0,
        "currency": "USD",
        "join_url": "https://meet.example.com/salary-workshop",
        "cancellation_hours": 24,
    }
    values.update(terms)
    mentor = mentor or MentorFactory()
    if values["price_amount"]:
        mentor_payouts_on(mentor)
    group_session = services.group_session_create(mentor=mentor, **values)
    if publish:
        group_session = services.group_session_publish(group_session=group_session, mentor=mentor)
    return group_session


def paid_group(**terms) -> GroupSession:
    return group_of(price_amount=2500, **terms)


def hold(group_session: GroupSession, mentee=None) -> tuple[GroupSeat, object]:
    """The mentee's seat, held with its checkout open: (seat, payment)."""
    seat = services.seat_book(group_session=group_session, mentee=mentee or UserFactory())
    payment = purchase_start_checkout(purchase=seat, **CHECKOUT)
    return seat, payment


def completed(seat: GroupSeat, payment, *, amount=None) -> str:
    return fixture_text(
        "event_checkout_session_completed_group_seat.json",
        session_id=payment.checkout_session_id,
        group_seat_id=seat.pk,
        payment_id=payment.pk,
        amount=payment.amount if amount is None else amount,
    )


def expired(seat: GroupSeat, payment) -> str:
    return fixture_text(
        "event_checkout_session_expired_group_seat.json",
        session_id=payment.checkout_session_id,
        group_seat_id=seat.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )


def before_start(group_session: GroupSession, **delta):
    return group_session.starts_at - timedelta(**delta)
