"""Packs made, bought and paid through the real services: the demo provider, or Stripe Checkout
and its signed events (tests/billing/fixtures.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from billing.models import ConnectedAccount
from billing.services.checkout import purchase_start_checkout
from packs import services
from packs.models import Pack, PackPurchase
from sessions import services as booking_services
from tests.billing.helpers import fixture_text, next_weekday_at
from tests.factories import OfferingFactory, UserFactory

CHECKOUT = {"success_url": "http://testserver/ok", "cancel_url": "http://testserver/no"}


def pack_of(offering=None, **terms) -> Pack:
    """A published pack: 3 sessions of a $45 offering at 15 % off ($114.75), valid 6 months."""
    offering = offering or OfferingFactory(price_amount=4500, currency="USD", cancellation_window_hours=24)
    values = {"sessions": 3, "discount_percent": 15, "valid_months": 6}
    values.update(terms)
    pack = services.pack_save(mentor=offering.mentor, offering=offering, **values)
    return services.pack_set_published(pack=pack, mentor=offering.mentor, published=True)


def mentor_payouts_on(mentor) -> None:
    ConnectedAccount.objects.get_or_create(
        mentor=mentor,
        defaults={
            "stripe_account_id": f"acct_1Mentor{mentor.pk}",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
        },
    )


def hold(pack: Pack, mentee=None):
    """The mentee's purchase of the pack, with its checkout open: (purchase, payment)."""
    purchase = services.pack_purchase_hold(pack=pack, mentee=mentee or UserFactory())
    payment = purchase_start_checkout(purchase=purchase, **CHECKOUT)
    return purchase, payment


def completed(purchase: PackPurchase, payment, *, amount=None) -> str:
    return fixture_text(
        "event_checkout_session_completed_pack.json",
        session_id=payment.checkout_session_id,
        pack_purchase_id=purchase.pk,
        payment_id=payment.pk,
        amount=payment.amount if amount is None else amount,
    )


def expired(purchase: PackPurchase, payment) -> str:
    return fixture_text(
        "event_checkout_session_expired_pack.json",
        session_id=payment.checkout_session_id,
        pack_purchase_id=purchase.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )


def book_with_pack(offering, mentee, *, starts_at=None, use_pack=True, use_credit=False):
    return booking_services.booking_create(
        offering=offering,
        mentee=mentee,
        request=booking_services.BookingRequest(
            starts_at=starts_at or next_weekday_at(10),
            outcome="A decision on one job offer",
            prework_answers=["Two offers", "Growth"],
        ),
        use_pack=use_pack,
        use_credit=use_credit,
    )


def in_days(days: int):
    return timezone.now() + timedelta(days=days)
