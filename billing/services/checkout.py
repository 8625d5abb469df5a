"""Checkout: the hosted page where a held purchase (a session, a cohort seat) is paid, and the
events that say how it went.

Each purchase has one Payment row at its own price, written when its checkout first opens; the
Stripe session is created after that transaction (a network call) with the payment's id as its
idempotency key. The purchase's kind (billing.purchases) says what is held, what the checkout
shows, what a payment confirms and what a checkout that will not be paid releases. Subscriptions
open their own checkout in "subscription" mode; its events go to them (events.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User

from .. import purchases, stripe_client
from ..models import BillingCustomer, Payment
from ..purchases import PaidTooLate, PurchaseKind
from ..stripe_client import BillingError
from . import authorisations, codes
from .mismatch import payment_as_asked
from .payments import payment_for, payments_off, provider
from .refunds import refund_create
from .refunds_in_stripe import cancel_refunded_in_full, refunded_in_full_in_stripe, take_refunds_heard_before

logger = logging.getLogger("billing")

CHECKOUT_MIN_EXPIRY = timedelta(minutes=30, seconds=30)  # Stripe refuses less than 30 minutes


def customer_id_for(user: User) -> str:
    """The buyer's Stripe Customer, created on their first checkout and reused for every other."""
    existing = BillingCustomer.objects.filter(user=user).first()
    if existing:
        return existing.stripe_customer_id
    customer = stripe_client.customer_create(email=user.email, name=user.name, user_id=user.pk)
    stored, _ = BillingCustomer.objects.get_or_create(user=user, defaults={"stripe_customer_id": customer.id})
    return stored.stripe_customer_id


def purchase_start_checkout(*, purchase: Model, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout of a held purchase (a booking, an enrolment); the price
    comes from the purchase's row, and the hold is kept until the checkout ends."""
    kind = purchases.kind_for(purchase)
    if payments_off():
        raise BillingError(gettext("Card payments are not set up on this site yet."), code="not_configured")
    now = timezone.now()
    with transaction.atomic():
        purchase = kind.lock_for_checkout(purchase)
        amount, _ = kind.price(purchase)
        if not kind.is_held(purchase) or not amount:
            raise BillingError(kind.not_waiting)
        if purchase.hold_expires_at and purchase.hold_expires_at <= now:
            raise BillingError(kind.hold_ran_out)
        payment = _pending_payment(kind, purchase)
        if payment.checkout_url:
            return payment
        # The checkout and the hold end together; Stripe needs at least 30 minutes.
        expires_at = max(purchase.hold_expires_at or now, now + CHECKOUT_MIN_EXPIRY).replace(microsecond=0)
        kind.extend_hold(purchase, until=expires_at)
    return _open_checkout_session(
        payment, lambda: _checkout_params(kind, purchase, payment, success_url, cancel_url, expires_at)
    )


def _pending_payment(kind: PurchaseKind, purchase: Model) -> Payment:
    """The one payment row of a purchase, at its own price (after its code, if it has one)."""
    amount, currency = kind.price(purchase)
    redemption = codes.redemption_for(purchase.pk) if kind.accepts_codes else None
    payment, _ = Payment.objects.get_or_create(
        **{kind.field: purchase},
        defaults={
            "provider": provider(),
            "amount": amount,
            "currency": currency,
            "platform_fee": codes.platform_fee_with_code(amount, redemption),
        },
    )
    return payment


def _open_checkout_session(payment: Payment, params: Callable[[], dict[str, Any]]) -> Payment:
    """The hosted page for a pending payment: Stripe Checkout (params() builds the session) or
    the demo's test checkout. Called outside the purchase's transaction (a network call)."""
    if payment.provider == Payment.Provider.DEMO:
        session_id = f"cs_demo_{payment.pk.hex}"
        url = reverse("billing:demo_checkout", args=[payment.pk])
    else:
        session = stripe_client.checkout_session_create(payment_id=str(payment.pk), params=params())
        session_id, url = session.id, session.url
    Payment.objects.filter(pk=payment.pk).update(checkout_session_id=session_id, checkout_url=url)
    payment.refresh_from_db()
    return payment


def _checkout_params(
    kind: PurchaseKind,
    purchase: Model,
    payment: Payment,
    success_url: str,
    cancel_url: str,
    expires_at: datetime,
) -> dict[str, Any]:
    item = kind.checkout_item(purchase)
    buyer = kind.buyer(purchase)
    metadata = {kind.metadata_key: str(purchase.pk), "payment_id": str(payment.pk), **item.metadata}
    # A promotion code: the line at its price before the code, and a coupon of the discount, so
    # that Stripe's total (and receipt) is exactly the payment's amount.
    redemption = codes.redemption_for(purchase.pk) if kind.accepts_codes else None
    if redemption is not None and redemption.amount != payment.amount:
        redemption = None  # the payment row predates the code: charge what it says
    discounts = codes.checkout_discounts(redemption) if redemption is not None else []
    if redemption is not None:
        metadata["promotion_code"] = redemption.code.code
    params = {
        "mode": "payment",
        "customer": customer_id_for(buyer),
        "client_reference_id": str(purchase.pk),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": redemption.list_amount if redemption is not None else payment.amount,
                    "product_data": {"name": item.name, "description": item.description},
                },
            }
        ],
        "payment_intent_data": {
            "receipt_email": buyer.email,
            "metadata": metadata,
            "transfer_group": item.transfer_group,
        },
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }
    if discounts:
        params["discounts"] = discounts
    if item.capture_manually:  # billing/services/authorisations.py captures or releases it
        params["payment_intent_data"]["capture_method"] = "manual"
    return params


def demo_checkout_open(*, payment: Payment) -> bool:
    """The demo's stand-in for an open Checkout Session: pending, and its hold not run out."""
    purchase = payment.purchase
    if payment.state != Payment.State.PENDING or not payment.kind.is_held(purchase):
        return False
    return purchase.hold_expires_at is None or purchase.hold_expires_at > timezone.now()


def demo_checkout_abandon(*, payment: Payment) -> None:
    """The buyer left the demo's test checkout of a purchase with no page of its own to come back
    to (a pack): like the Stripe session expiring, it is let go at once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if payment.state == Payment.State.PENDING:
            payment.state = Payment.State.EXPIRED
            payment.save(update_fields=["state"])
            payment.kind.release(payment.purchase, note="checkout abandoned")


def checkout_expire(*, purchase_id: str) -> None:
    """Close the Stripe session of an abandoned or cancelled hold (of any purchase kind) so it can
    no longer be paid. A payment that still slips through is refunded by the late-payment rule
    (never lost)."""
    for_purchase = Q()
    for kind in purchases.kinds():
        for_purchase |= Q(**{f"{kind.field}_id": purchase_id})
    payment = Payment.objects.filter(for_purchase).first()
    if payment is not None and payment.state == Payment.State.PAID:
        return
    if (
        payment is not None
        and payment.provider == Payment.Provider.STRIPE
        and payment.state == Payment.State.PENDING
        and payment.checkout_session_id
    ):
        try:
            stripe_client.checkout_session_expire(session_id=payment.checkout_session_id)
        except BillingError:
            # Already completed or expired: the webhook that says which will settle it (and
            # redeem or give back its code's use).
            logger.info("checkout %s could not be expired", payment.checkout_session_id)
            return
    # The checkout can no longer be paid: a promotion code's use held for it is free again.
    codes.code_release(purchase_id=purchase_id)


# --- what Stripe says about a checkout -------------------------------------------------------


def on_checkout_completed(session: dict) -> None:
    if authorisations.is_request_to_book(session):
        authorisations.on_authorised(session)  # authorised, not captured: "unpaid" until accepted
        return
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return  # an asynchronous method: async_payment_succeeded/failed follows
    settle_paid_session(session)


def settle_paid_session(session: dict) -> None:
    """checkout.session.completed (paid) and async_payment_succeeded: the purchase is the buyer's,
    unless the money is not what we asked for, was refunded in full in Stripe first, or arrived
    after the purchase was gone (then it is refunded)."""
    payment = payment_for(session)
    if payment.state == Payment.State.PAID:
        return  # a replay, or async_payment_succeeded after completed: already settled
    settle_payment(
        payment,
        session_id=session.get("id"),
        payment_intent=session.get("payment_intent"),
        amount=session.get("amount_total"),
        currency=session.get("currency"),
    )


def settle_payment(payment: Payment, *, session_id, payment_intent, amount: object, currency: object) -> None:
    """Under the payment's lock, not paid yet: it is now, and what it bought is confirmed (or
    refused, cancelled or refunded as settle_paid_session says)."""
    payment.state = Payment.State.PAID
    payment.paid_at = timezone.now()
    payment.payment_intent_id = payment_intent or payment.payment_intent_id
    payment.checkout_session_id = payment.checkout_session_id or session_id
    payment.save(update_fields=["state", "paid_at", "payment_intent_id", "checkout_session_id"])
    # Refunds made in Stripe before the checkout completed here count first: a refused payment
    # is refunded only what is left, and one refunded in full was cancelled, never confirmed.
    take_refunds_heard_before(payment)
    if not payment_as_asked(payment, amount=amount, currency=currency):
        codes.code_release(purchase_id=payment.purchase_id)
        return
    if refunded_in_full_in_stripe(payment):
        logger.info("payment %s was refunded in Stripe before its checkout completed", payment.pk)
        cancel_refunded_in_full(payment)
        codes.code_release(purchase_id=payment.purchase_id)
        return
    kind = payment.kind
    try:
        kind.confirm(payment.purchase)
        codes.code_redeem(purchase_id=payment.purchase_id)  # counted once: a replay returned above
    except PaidTooLate as error:
        codes.code_release(purchase_id=payment.purchase_id)
        # Paid too late: the hold ran out and the slot or seat went to someone else (or was cancelled).
        logger.warning(
            "payment %s arrived for a %s no longer available: %s", payment.pk, kind.noun, error.message
        )
        refund_create(
            payment=payment,
            amount=None,
            key=f"{kind.refund_key}-{payment.purchase_id}-{kind.paid_too_late_key}",
            reason=kind.paid_too_late_reason,
            by=None,
        )


def on_checkout_expired(session: dict) -> None:
    payment = payment_for(session)
    if payment.state == Payment.State.PENDING:
        payment.state = Payment.State.EXPIRED
        payment.save(update_fields=["state"])
    if payment.state != Payment.State.PAID:
        payment.kind.release(payment.purchase, note="checkout expired")
        codes.code_release(purchase_id=payment.purchase_id)


def on_async_payment_failed(session: dict) -> None:
    payment = payment_for(session)
    if payment.state == Payment.State.PAID:
        return
    payment.state = Payment.State.FAILED
    payment.last_error = "The payment method was declined."
    payment.save(update_fields=["state", "last_error"])
    payment.kind.release(payment.purchase, note="payment failed")
    codes.code_release(purchase_id=payment.purchase_id)


def on_payment_intent_failed(intent: dict) -> None:
    payment = payment_for(intent)
    if payment.state == Payment.State.PAID:
        return
    message = (intent.get("last_payment_error") or {}).get("message") or "The payment was declined."
    payment.last_error = message[:500]
    payment.payment_intent_id = payment.payment_intent_id or intent.get("id", "")
    payment.save(update_fields=["last_error", "payment_intent_id"])


def on_charge_succeeded(charge: dict) -> None:
    payment = payment_for(charge)
    if not payment.charge_id:
        payment.charge_id = charge["id"]
        payment.save(update_fields=["charge_id"])
