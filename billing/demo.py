"""The demo provider's "Stripe": builds the same events Stripe would send, in the same shape.

They go through services.event_record → tasks.process_event, exactly like a signed webhook.
"""

import time
import uuid

from sessions.models import BookingApproval

from .models import Payment
from .services.series import series_checkout_total


def event(kind: str, obj: dict) -> dict:
    """A Stripe-shaped event around `obj` (also used by the subscriptions' demo provider)."""
    return {
        "id": f"evt_demo_{uuid.uuid4().hex}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def _session(payment: Payment, *, status: str, payment_status: str) -> dict:
    metadata = {payment.purchase_key: payment.purchase_id, "payment_id": str(payment.pk)}
    amount = payment.amount
    booking = payment.booking if payment.booking_id else None
    if booking is not None and booking.series_id is not None:  # one checkout for a weekly series
        metadata["booking_series_id"] = str(booking.series_id)
        amount = (series_checkout_total(payment) or (1, amount))[1]
    return {
        "id": payment.checkout_session_id,
        "object": "checkout.session",
        "amount_total": amount,
        "currency": payment.currency.lower(),
        "client_reference_id": payment.purchase_id,
        "metadata": metadata,
        "mode": "payment",
        "payment_intent": f"pi_demo_{payment.pk.hex}",
        "payment_status": payment_status,
        "status": status,
    }


def paid_events(payment: Payment) -> list[dict]:
    if payment.booking_id and BookingApproval.objects.filter(booking_id=payment.booking_id).exists():
        return authorised_events(payment)
    return [event("checkout.session.completed", _session(payment, status="complete", payment_status="paid"))]


def declined_events(payment: Payment) -> list[dict]:
    intent = {
        "id": f"pi_demo_{payment.pk.hex}",
        "object": "payment_intent",
        "amount": payment.amount,
        "currency": payment.currency.lower(),
        "metadata": {payment.purchase_key: payment.purchase_id},
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        "status": "requires_payment_method",
    }
    return [event("payment_intent.payment_failed", intent)]


def expired_events(payment: Payment) -> list[dict]:
    return [event("checkout.session.expired", _session(payment, status="expired", payment_status="unpaid"))]


def authorised_events(payment: Payment) -> list[dict]:
    """A request to book's card, authorised and not captured (Checkout with manual capture): the
    session completes "unpaid" and the intent waits for its capture. Capturing and releasing it
    are the demo's own (billing.services.authorisations marks the payment without Stripe)."""
    intent = {
        "id": f"pi_demo_{payment.pk.hex}",
        "object": "payment_intent",
        "amount": payment.amount,
        "amount_capturable": payment.amount,
        "currency": payment.currency.lower(),
        "metadata": {payment.purchase_key: payment.purchase_id, "payment_id": str(payment.pk)},
        "capture_method": "manual",
        "status": "requires_capture",
    }
    return [
        event("checkout.session.completed", _session(payment, status="complete", payment_status="unpaid")),
        event("payment_intent.amount_capturable_updated", intent),
    ]
