"""Request to book: the card is authorised at checkout (Checkout with
`payment_intent_data.capture_method=manual`), captured when the mentor accepts, and the
authorisation released when they decline, the request lapses or the mentee withdraws it.

The payment of a request moves pending → authorized → paid (captured) or released, under its row
lock, and every Stripe event about it may come more than once and in any order:
`checkout.session.completed` (payment_status "unpaid": authorised) and
`payment_intent.amount_capturable_updated` both send the request to the mentor, once;
`payment_intent.succeeded` after the capture marks it paid, once; `payment_intent.canceled`
releases it (and lets a request still waiting lapse). The capture and the release are Celery
tasks after the decision's commit, with keys from the payment's id (`capture-<payment>`,
`release-<payment>`); the demo provider does the same without Stripe.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from sessions import services as booking_services
from sessions.models import Booking, BookingApproval

from .. import stripe_client, tasks
from ..models import Payment
from ..stripe_client import BillingError
from .payments import charge_matches, payment_for
from .refunds import refund_create

logger = logging.getLogger("billing")

State = Payment.State
# What a booking may keep the money for; a captured payment of any other is refunded in full.
KEEPS_MONEY = (Booking.State.CONFIRMED, Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE)


def is_request_to_book(obj: dict) -> bool:
    """Whether a Stripe object (a checkout session, a payment intent) is about a request's payment."""
    try:
        payment = payment_for(obj, lock=False)
    except LookupError:
        return False
    return (
        payment.booking_id is not None
        and BookingApproval.objects.filter(booking_id=payment.booking_id).exists()
    )


def _authorised_amount(obj: dict) -> object:
    if obj.get("object") == "checkout.session":
        return obj.get("amount_total")
    return obj.get("amount_capturable") or obj.get("amount_received") or obj.get("amount")


def on_authorised(obj: dict) -> None:
    """checkout.session.completed or payment_intent.amount_capturable_updated (or a succeeded
    intent heard first): the card holds the price, so the request goes to the mentor. Only a
    pending payment moves; a replay or a later event finds it authorised, paid or released."""
    if obj.get("object") == "payment_intent" and obj.get("status") not in ("requires_capture", "succeeded"):
        return
    if not is_request_to_book(obj):
        return  # not ours, or not a request's: ordinary checkouts capture at once
    payment = payment_for(obj)
    if payment.state != State.PENDING:
        return
    intent_id = obj.get("payment_intent") if obj.get("object") == "checkout.session" else obj.get("id")
    payment.payment_intent_id = intent_id or payment.payment_intent_id
    if obj.get("object") == "checkout.session":
        payment.checkout_session_id = payment.checkout_session_id or obj.get("id", "")
    if not charge_matches(
        asked_amount=payment.amount,
        asked_currency=payment.currency,
        amount=_authorised_amount(obj),
        currency=obj.get("currency"),
    ):
        _release_now(payment, error="The card was authorised for another amount than asked.")
        booking_services.booking_release_hold(booking=payment.booking, note="authorised for another amount")
        return
    payment.state = State.AUTHORIZED
    payment.save(update_fields=["state", "payment_intent_id", "checkout_session_id"])
    try:
        booking_services.booking_request_authorised(booking=payment.booking)
    except booking_services.BookingError as error:
        logger.info("request %s cannot be sent (%s): releasing its card", payment.booking_id, error.message)
        _release_now(payment, error=error.message)


def _release_now(payment: Payment, *, error: str) -> None:
    payment.state = State.AUTHORIZED  # what authorisation_release lets go
    payment.last_error = error[:500]
    payment.save(update_fields=["state", "last_error", "payment_intent_id", "checkout_session_id"])
    tasks.release_authorisation.delay_on_commit(str(payment.booking_id))


def on_intent_succeeded(intent: dict) -> None:
    """payment_intent.succeeded: the capture went through (ours, or one made in the Dashboard).
    Heard before the authorisation, it authorises first; heard again, it changes nothing."""
    if not is_request_to_book(intent):
        return  # an ordinary checkout is settled by checkout.session.completed
    if payment_for(intent).state == State.PENDING:
        on_authorised(intent)
    payment = payment_for(intent)
    _mark_captured(payment, charge_id=intent.get("latest_charge") or "")


def _mark_captured(payment: Payment, *, charge_id: str = "") -> None:
    """Under the payment's lock: authorised (or released, if a capture won the race) → paid, once.
    A booking that no longer keeps the money (declined, lapsed, cancelled) is refunded in full."""
    if payment.state not in (State.AUTHORIZED, State.RELEASED):
        return
    payment.state = State.PAID
    payment.paid_at = timezone.now()
    payment.charge_id = payment.charge_id or (charge_id if isinstance(charge_id, str) else "")
    payment.save(update_fields=["state", "paid_at", "charge_id"])
    _refund_unless_kept(payment)


def _refund_unless_kept(payment: Payment) -> None:
    """A captured request whose booking no longer keeps the money is refunded in full, with the
    policy refund's key (so never twice, whichever path finds it first)."""
    from .bookings import booking_is_payable  # bookings imports checkout, which imports this module

    booking = Booking.objects.get(pk=payment.booking_id)
    if booking.state in KEEPS_MONEY or booking_is_payable(booking):
        return
    refund_create(
        payment=payment,
        amount=None,
        key=f"booking-{booking.pk}-policy",
        reason="Your request was not accepted, so nothing is owed.",
        by=None,
    )


def on_intent_canceled(intent: dict) -> None:
    """payment_intent.canceled: the authorisation is gone (we released it, it expired, or it was
    cancelled in the Dashboard). A request still waiting lapses; a hold is let go."""
    if not is_request_to_book(intent):
        return
    payment = payment_for(intent)
    if payment.state in (State.PAID, State.RELEASED):
        return
    payment.state = State.RELEASED
    payment.save(update_fields=["state"])
    booking = Booking.objects.get(pk=payment.booking_id)
    if booking.state == Booking.State.REQUESTED:
        booking_services.booking_request_lapse(booking=booking, note="the card's authorisation was cancelled")
    elif booking.state == Booking.State.HELD:
        booking_services.booking_release_hold(booking=booking, note="the card's authorisation was cancelled")


# --- the tasks after a decision ---------------------------------------------------------------


def _payment_of(booking_id: str) -> Payment | None:
    return Payment.objects.filter(booking_id=booking_id).first()


def authorisation_capture(*, booking_id: str) -> Payment | None:
    """The mentor accepted: capture the authorised price, once (key `capture-<payment>`)."""
    payment = _payment_of(booking_id)
    if payment is None or payment.state != State.AUTHORIZED:
        return payment  # captured already, released, or free
    charge_id = ""
    if payment.provider == Payment.Provider.STRIPE:
        try:
            intent = stripe_client.payment_intent_capture(
                payment_intent_id=payment.payment_intent_id, payment_id=str(payment.pk)
            )
        except BillingError as error:
            Payment.objects.filter(pk=payment.pk).update(last_error=f"Capture failed: {error.message}"[:500])
            raise
        if intent.status != "succeeded":
            return payment  # payment_intent.succeeded settles it
        charge_id = _charge_of(intent)
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        _mark_captured(payment, charge_id=charge_id)
    return payment


def authorisation_release(*, booking_id: str) -> Payment | None:
    """Declined, lapsed or withdrawn: release the authorisation, once (key `release-<payment>`).
    A payment captured meanwhile is refunded in full instead (_mark_captured)."""
    payment = _payment_of(booking_id)
    if payment is None:
        return None
    if payment.state == State.PAID:
        with transaction.atomic():
            _refund_unless_kept(Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk))
        return payment
    if payment.state not in (State.AUTHORIZED, State.PENDING):
        return payment
    if payment.provider == Payment.Provider.STRIPE and payment.payment_intent_id:
        try:
            intent = stripe_client.payment_intent_cancel(
                payment_intent_id=payment.payment_intent_id, payment_id=str(payment.pk)
            )
        except BillingError:
            intent = stripe_client.payment_intent_retrieve(payment_intent_id=payment.payment_intent_id)
        if intent.status == "succeeded":  # captured before we could release it: refund
            with transaction.atomic():
                payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
                _mark_captured(payment, charge_id=_charge_of(intent))
            return payment
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        if payment.state in (State.AUTHORIZED, State.PENDING):
            payment.state = State.RELEASED
            payment.save(update_fields=["state"])
    return payment


def _charge_of(intent) -> str:
    charge = getattr(intent, "latest_charge", None)
    return charge if isinstance(charge, str) else ""
