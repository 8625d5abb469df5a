"""A weekly series paid by card: one hosted checkout for every held occurrence, one Payment each.

Each occurrence (a Booking of the series) keeps its own Payment row at its own price, exactly as a
single session's: refunds (the cancellation policy, staff, no-shows) and payouts stay per
occurrence and use the session kind unchanged. Only the checkout is shared: it is opened from the
first occurrence's payment (the "lead": the only row that carries the Stripe session's id), shows
one line per date and charges their total; the Stripe objects carry `booking_series_id` in their
metadata, and checkout.py hands their events here. The payment intent and charge are then shared
by the series' payments; a refund of one occurrence is a partial refund of that charge.
See docs/design/recurring-sessions.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sessions import services as booking_services
from sessions.models import Booking, BookingSeries

from .. import purchases
from ..models import Payment
from ..stripe_client import BillingError
from . import checkout as single
from .checkout import (
    CHECKOUT_MIN_EXPIRY,
    _open_checkout_session,
    _pending_payment,
    customer_id_for,
    settle_payment,
)
from .mismatch import _payment_refuse
from .payments import charge_matches, payments_off

logger = logging.getLogger("billing")


def _session_kind() -> purchases.PurchaseKind:
    return purchases.kind_named("session")


def series_start_checkout(*, series: BookingSeries, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the one checkout of a series' held occurrences; returns the lead payment
    (its checkout_url is the page). Prices come from the bookings' rows."""
    if payments_off():
        raise BillingError(gettext("Card payments are not set up on this site yet."), code="not_configured")
    kind = _session_kind()
    now = timezone.now()
    with transaction.atomic():
        held = list(
            Booking.objects.select_for_update()
            .select_related("offering", "mentee", "mentor__user")
            .filter(series=series, state=Booking.State.HELD, price_amount__gt=0)
            .order_by("starts_at")
        )
        if not held:
            raise BillingError(kind.not_waiting)
        if any(b.hold_expires_at and b.hold_expires_at <= now for b in held):
            raise BillingError(kind.hold_ran_out)
        payments = [_pending_payment(kind, booking) for booking in held]
        lead = payments[0]
        if lead.checkout_url:
            return lead
        expires_at = max(held[0].hold_expires_at or now, now + CHECKOUT_MIN_EXPIRY).replace(microsecond=0)
        for booking in held:
            kind.extend_hold(booking, until=expires_at)
    lead = _open_checkout_session(
        lead, lambda: _params(series, held, payments, success_url, cancel_url, expires_at)
    )
    # Every occurrence's "pay" button leads to the same checkout.
    Payment.objects.filter(pk__in=[p.pk for p in payments[1:]]).update(checkout_url=lead.checkout_url)
    return lead


def _params(series, held, payments, success_url, cancel_url, expires_at) -> dict[str, Any]:
    lead_booking, lead = held[0], payments[0]
    buyer = lead_booking.mentee
    metadata = {
        "booking_id": str(lead_booking.pk),
        "payment_id": str(lead.pk),
        "booking_series_id": str(series.pk),
    }
    lines = [
        {
            "quantity": 1,
            "price_data": {
                "currency": payment.currency.lower(),
                "unit_amount": payment.amount,
                "product_data": {
                    "name": f"{booking.offering.title} — {booking.starts_at:%a %d %b %Y %H:%M} UTC",
                    "description": gettext("%(minutes)s minutes with %(name)s")
                    % {"minutes": booking.offering.duration_minutes, "name": booking.mentor.user.name},
                },
            },
        }
        for booking, payment in zip(held, payments, strict=True)
    ]
    return {
        "mode": "payment",
        "customer": customer_id_for(buyer),
        "client_reference_id": str(lead_booking.pk),
        "line_items": lines,
        "payment_intent_data": {
            "receipt_email": buyer.email,
            "metadata": metadata,
            "transfer_group": f"series-{series.pk}",
        },
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }


def _series_payments(series_id: str) -> list[Payment]:
    """The series' payments written for its checkout, locked, in the order of their dates."""
    return list(
        Payment.objects.select_for_update(of=("self",))
        .select_related("booking")
        .filter(booking__series_id=series_id)
        .order_by("booking__starts_at")
    )


def series_checkout_total(payment: Payment) -> tuple[int, int] | None:
    """For the demo's test checkout: how many occurrences the lead payment's checkout pays and
    their total (None for any other payment)."""
    booking = payment.booking if payment.booking_id else None
    if booking is None or booking.series_id is None:
        return None
    amounts = list(
        Payment.objects.filter(booking__series_id=booking.series_id, checkout_url=payment.checkout_url)
        .exclude(checkout_url="")
        .values_list("amount", flat=True)
    )
    return (len(amounts), sum(amounts)) if amounts else None


# --- Stripe's checkout events: a series' go here, every other to checkout.py (billing/apps.py) ---


def _series_session(session: dict) -> bool:
    return bool((session.get("metadata") or {}).get("booking_series_id"))


def on_checkout_completed(session: dict) -> None:
    if not _series_session(session):
        single.on_checkout_completed(session)
    elif session.get("payment_status") in ("paid", "no_payment_required"):
        settle_series_session(session)


def settle_paid_session(session: dict) -> None:
    """async_payment_succeeded."""
    if _series_session(session):
        settle_series_session(session)
    else:
        single.settle_paid_session(session)


def on_checkout_expired(session: dict) -> None:
    if _series_session(session):
        release_series_session(session, state=Payment.State.EXPIRED, note="checkout expired")
    else:
        single.on_checkout_expired(session)


def on_async_payment_failed(session: dict) -> None:
    if _series_session(session):
        release_series_session(session, state=Payment.State.FAILED, note="payment failed")
    else:
        single.on_async_payment_failed(session)


def settle_series_session(session: dict) -> None:
    """checkout.session.completed (paid) or async_payment_succeeded for a series: each pending
    payment is settled as a single session's would be (confirmed, or refunded if its slot went in
    the meantime); a replay finds them paid and changes nothing. If Stripe took another total than
    the payments add up to, the lead payment is refused for what Stripe took (refunded in full,
    once) and the others end unpaid: their occurrences are released."""
    series_id = session["metadata"]["booking_series_id"]
    with transaction.atomic():
        payments = [p for p in _series_payments(series_id) if p.checkout_url]
        pending = [p for p in payments if p.state != Payment.State.PAID]
        if not pending:
            return
        total = sum(p.amount for p in payments)
        amount, currency = session.get("amount_total"), session.get("currency")
        as_asked = charge_matches(
            asked_amount=total, asked_currency=payments[0].currency, amount=amount, currency=currency
        )
        lead = next((p for p in payments if p.checkout_session_id == session.get("id")), payments[0])
        for payment in pending:
            if as_asked:
                settle_payment(
                    payment,
                    session_id=session.get("id") if payment is lead else None,
                    payment_intent=session.get("payment_intent"),
                    amount=payment.amount,
                    currency=currency,
                )
            elif payment is lead:  # refused for what Stripe took: refunded in full, once
                payment.state, payment.paid_at = Payment.State.PAID, timezone.now()
                payment.payment_intent_id = session.get("payment_intent") or payment.payment_intent_id
                payment.save(update_fields=["state", "paid_at", "payment_intent_id"])
                _payment_refuse(payment, amount=amount, currency=currency)
            else:
                payment.state = Payment.State.FAILED
                payment.last_error = "The series' payment was not the amount asked for (refunded)."
                payment.save(update_fields=["state", "last_error"])
                booking_services.booking_release_hold(booking=payment.booking, note="paid another amount")
        series = BookingSeries.objects.get(pk=series_id)
        booking_services.series_confirmed(series=series)


def release_series_session(session: dict, *, state: str, note: str) -> None:
    """checkout.session.expired or async_payment_failed for a series: its holds end together."""
    series_id = session["metadata"]["booking_series_id"]
    with transaction.atomic():
        payments = _series_payments(series_id)
        if any(p.state == Payment.State.PAID for p in payments):
            return  # paid first (reordered events): the payment stands
        for payment in payments:
            if payment.state == Payment.State.PENDING:
                payment.state = state
                payment.save(update_fields=["state"])
        booking_services.series_release_holds(series=BookingSeries.objects.get(pk=series_id), note=note)


def series_abandon(*, booking: Booking) -> None:
    """The mentee left the series' checkout: every held occurrence is free again at once (the
    caller's task expires the Stripe session; its event then ends the pending payments)."""
    booking_services.series_release_holds(series=booking.series, note="checkout abandoned")
