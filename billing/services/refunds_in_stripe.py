"""Refunds Stripe tells us about: ours moving forward, and those made in Stripe itself (the
Dashboard, Stripe's dispute flow), recorded once whichever of their events comes first.

A refund made in Stripe is followed up like ours (refunds.refund_follow_up) but never asked of
Stripe; one that gives back the whole price cancels the purchase (its kind's cancel_refunded).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum

from core.history import change_reason

from .. import stripe_client, tasks
from ..models import Payment, Refund, WebhookEvent
from ..stripe_client import BillingError
from .events import event_apply_again
from .payments import payment_for
from .refunds import REFUND_STATES, refund_follow_up_on_commit, refund_take, stripe_refund_failure

logger = logging.getLogger("billing")

# The events that can say a refund was made (stored ones are read again: take_refunds_heard_before).
REFUND_EVENT_TYPES = [
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
]


def on_charge_refunded(charge: dict) -> None:
    """Stripe refunded (part of) a charge. Its figure is recorded; each refund it lists is taken
    like that refund's own event (_take_stripe_refund); and money refunded that no refund row has
    a Stripe id for yet is looked up in Stripe after commit (current API versions list no refunds
    on the charge): a refund made in the Dashboard is recorded even if only this event comes."""
    payment = _payment_of_refund(charge)
    if payment is None:
        return
    payment.charge_id = payment.charge_id or charge.get("id", "")
    payment.payment_intent_id = payment.payment_intent_id or charge.get("payment_intent") or ""
    # A weekly series' checkout: one charge shared by one payment per occurrence, each refunded on
    # its own (docs/design/recurring-sessions.md), so the charge's total is no one payment's figure.
    if not _shares_its_charge(payment):
        payment.amount_refunded = max(payment.amount_refunded, charge.get("amount_refunded") or 0)
    payment.save(update_fields=["charge_id", "payment_intent_id", "amount_refunded"])
    listed = (charge.get("refunds") or {}).get("data")
    for stripe_refund in listed or []:
        about = {"charge": charge.get("id"), "payment_intent": charge.get("payment_intent")}
        _take_stripe_refund({**about, **stripe_refund}, payment=payment)
    if listed is None and payment.amount_refunded > _refunded_with_stripe_ids(payment):
        tasks.sync_refunds.delay_on_commit(str(payment.pk))


def _shares_its_charge(payment: Payment) -> bool:
    intent = payment.payment_intent_id
    return bool(intent) and Payment.objects.filter(payment_intent_id=intent).exclude(pk=payment.pk).exists()


def on_refund_event(stripe_refund: dict) -> None:
    """refund.created, refund.updated, refund.failed, charge.refund.updated."""
    _take_stripe_refund(stripe_refund)


def _take_stripe_refund(stripe_refund: dict, *, payment: Payment | None = None) -> None:
    """What Stripe says about one refund (its own event, or listed with its charge). One we asked
    for (our Stripe id on it, or our refund_id in its metadata) moves forward as it always has;
    any other was made in Stripe (the Dashboard, Stripe's dispute flow) and is recorded once."""
    if _take_our_refund(stripe_refund):
        return
    if (stripe_refund.get("metadata") or {}).get("refund_id"):
        logger.info("refund update for a refund we no longer know: %s", stripe_refund.get("id"))
        return
    payment = payment or _payment_of_refund(stripe_refund)
    if payment is None:
        return
    _take_refund_made_in_stripe(payment, stripe_refund)


def _take_our_refund(stripe_refund: dict) -> bool:
    """A pending refund of ours succeeded or failed; False when the refund is not one we asked for."""
    query = Refund.objects.select_for_update().filter(made_in_stripe=False)
    refund = query.filter(stripe_refund_id=stripe_refund.get("id")).first()
    our_id = str((stripe_refund.get("metadata") or {}).get("refund_id") or "")
    if refund is None and our_id.isdigit():
        refund = query.filter(pk=int(our_id), stripe_refund_id__isnull=True).first()
    if refund is None:
        return False
    state = REFUND_STATES.get(stripe_refund.get("status"), refund.state)
    first_heard = refund.stripe_refund_id is None
    failure = stripe_refund_failure(stripe_refund)
    news = refund_take(refund, state, stripe_refund_id=stripe_refund.get("id"), failure=failure)
    if news or first_heard:
        refund.save(update_fields=["stripe_refund_id", "state", "last_error"])
    refund_follow_up_on_commit(refund)
    return True


def _payment_of_refund(obj: dict) -> Payment | None:
    """The payment (locked) a charge or refund object is about. None when it names none of ours:
    a subscription invoice's charge, or a session's or seat's before its checkout completed, as a
    refund made in the Dashboard names only the charge and the payment intent (the checkout's
    settlement takes it then: take_refunds_heard_before)."""
    if obj.get("object") == "refund":
        recorded = Refund.objects.filter(stripe_refund_id=obj.get("id")).values_list("payment_id", flat=True)
        payment_id = recorded.first()
        if payment_id:
            query = Payment.objects.select_for_update(of=("self",)).select_related("booking", "enrollment")
            return query.get(pk=payment_id)
        obj = {
            "object": "charge",
            "id": obj.get("charge"),
            "payment_intent": obj.get("payment_intent"),
            "metadata": obj.get("metadata"),
        }
    try:
        return payment_for(obj)
    except LookupError:
        logger.info("refund of %s %s, no payment of ours (yet)", obj.get("object"), obj.get("id"))
        return None


def _refunded_with_stripe_ids(payment: Payment) -> int:
    """What the payment's refunds that Stripe has told us about (by id) take back."""
    known = payment.refunds.filter(stripe_refund_id__isnull=False).exclude(state=Refund.State.FAILED)
    return known.aggregate(s=Sum("amount"))["s"] or 0


def _take_refund_made_in_stripe(payment: Payment, stripe_refund: dict) -> None:
    """Under the payment's lock: the refund row, created once per Stripe refund (whichever of
    its events comes first, however often), moved forward by later news. Taken by Stripe, it is
    followed up like ours (the buyer told, the mentor's share taken back from a payout already
    sent: refund_follow_up) but never asked of Stripe; refunding the whole price, it cancels the
    purchase (cancel_refunded_in_full)."""
    stripe_refund_id = stripe_refund.get("id")
    state = REFUND_STATES.get(stripe_refund.get("status"))
    failure = stripe_refund_failure(stripe_refund)
    refund = Refund.objects.select_for_update().filter(stripe_refund_id=stripe_refund_id).first()
    if refund is None:
        amount = stripe_refund.get("amount")
        if not stripe_refund_id or state is None or not isinstance(amount, int) or amount <= 0:
            logger.warning("refund %s made in Stripe not recorded: %s", stripe_refund_id, stripe_refund)
            return
        refund = Refund.objects.create(
            payment=payment,
            key=f"stripe-{stripe_refund_id}"[:120],
            amount=amount,
            currency=str(stripe_refund.get("currency") or payment.currency).upper()[:3],
            reason=_made_in_stripe_reason(stripe_refund),
            stripe_refund_id=stripe_refund_id,
            made_in_stripe=True,
            state=state,
            last_error=failure[:500] if state == Refund.State.FAILED else "",
        )
        logger.info("refund %s made in Stripe recorded on payment %s", stripe_refund_id, payment.pk)
    elif state is not None and refund_take(refund, state, stripe_refund_id=None, failure=failure):
        refund.save(update_fields=["state", "last_error"])
    refund_follow_up_on_commit(refund)
    cancel_refunded_in_full(payment)


def _made_in_stripe_reason(stripe_refund: dict) -> str:
    why = str(stripe_refund.get("reason") or "").replace("_", " ")
    return "Refunded in Stripe" + (f" ({why})" if why else "")


def refunded_in_full_in_stripe(payment: Payment) -> bool:
    """The payment's refunds give back the whole price, and at least one was made in Stripe (our
    own full refunds come from our own decisions, which already say what happens to the purchase)."""
    refunds = payment.refunds.exclude(state=Refund.State.FAILED)
    if not refunds.filter(made_in_stripe=True).exists():
        return False
    return (refunds.aggregate(s=Sum("amount"))["s"] or 0) >= payment.amount


def cancel_refunded_in_full(payment: Payment) -> None:
    """A purchase refunded in full in Stripe is cancelled the way staff cancel one (the slot or
    seat freed, no payout, both sides told), without asking Stripe to refund again. A session
    that has started, or a finished cohort's seat, stands: the refund took the money and the
    payout back. Idempotent: a purchase cancelled already is left as it is."""
    kind = payment.kind
    # A subscription's payment row exists only for a refused one, ended already.
    if not kind.cancelled_when_refunded_in_full or not refunded_in_full_in_stripe(payment):
        return
    kind.cancel_refunded(payment.purchase, reason=f"The payment for this {kind.noun} was refunded in full.")


def take_refunds_heard_before(payment: Payment) -> None:
    """Refund events Stripe sent before this checkout completed here, which could not name the
    payment then (a refund made in the Dashboard names only the charge and the payment intent),
    are taken now, before the purchase is confirmed. They are stored (and processed, as no-ops)."""
    if not payment.payment_intent_id:
        return
    heard = WebhookEvent.objects.filter(
        type__in=REFUND_EVENT_TYPES,
        received_at__gte=payment.created_at,
        payload__data__object__payment_intent=payment.payment_intent_id,
    ).order_by("received_at", "pk")
    for event in heard:
        event_apply_again(event)


def payment_sync_refunds(*, payment_id: str) -> None:
    """Stripe refunded more of a charge than our refund rows know by id: read the charge's
    refunds from Stripe and take each like its own event. A network call, so outside any
    transaction; safe to run any number of times (each refund is recorded once)."""
    payment = Payment.objects.filter(pk=payment_id, provider=Payment.Provider.STRIPE).first()
    if payment is None or not (payment.charge_id or payment.payment_intent_id):
        return
    try:
        listed = stripe_client.refund_list(charge=payment.charge_id, payment_intent=payment.payment_intent_id)
    except BillingError:
        logger.warning("could not list the refunds of payment %s; its refund events will tell", payment.pk)
        return
    for stripe_refund in reversed(listed):  # oldest first
        with transaction.atomic(), change_reason(f"refund {stripe_refund.get('id')} listed by Stripe"):
            _take_stripe_refund(stripe_refund)
