"""Refunds: one row per reason (its key), asked of Stripe after commit, then followed up once.

A refund's row is written first (refund_create, inside the caller's transaction); a task asks
Stripe for it with the row's id as the idempotency key (refund_execute); once Stripe has taken
it, the buyer is told and the mentor's share taken back from a payout already sent, each exactly
once (refund_follow_up). Refunds made in Stripe itself arrive as events: refunds_in_stripe.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.emails import templated_email
from core.money import format_money

from .. import purchases, stripe_client, tasks
from ..models import Payment, Refund, Transfer
from ..stripe_client import BillingError

logger = logging.getLogger("billing")


def refund_create(
    *, payment: Payment, amount: int | None, key: str, reason: str, by: User | None
) -> Refund | None:
    """Write the refund row (one per key, ever) and ask Stripe after commit."""
    existing = Refund.objects.filter(key=key).first()
    if existing:
        return existing
    if payment.state != Payment.State.PAID:
        return None
    refundable = payment.refundable
    amount = refundable if amount is None else amount
    if amount <= 0:
        if refundable == 0:
            return None
        raise BillingError(_("A refund must be more than zero."))
    if amount > refundable:
        raise BillingError(
            _("At most %(amount)s can still be refunded.")
            % {"amount": format_money(refundable, payment.charged_currency)}
        )
    refund = Refund.objects.create(
        payment=payment,
        key=key,
        amount=amount,
        currency=payment.charged_currency,  # the charge's: another than asked for on a mismatch
        reason=reason[:300],
        requested_by=by,
    )
    tasks.execute_refund.delay_on_commit(refund.pk)
    return refund


def refund_in_full(*, kind: str, purchase_id: UUID | str, reason: str) -> Refund | None:
    """The policy's refund of a purchase (a session cancelled in time or missed by its mentor, a
    seat left before the start or in a cancelled cohort): everything paid, at most once, ever.
    `kind` names the purchase kind ("session", "seat")."""
    kind = purchases.kind_named(kind)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(**{kind.metadata_key: purchase_id}).first()
        if payment is None:
            return None  # a free purchase, or one made before payments existed
        return refund_create(
            payment=payment,
            amount=None,
            key=f"{kind.refund_key}-{purchase_id}-policy",
            reason=reason,
            by=None,
        )


def payment_refund(*, payment: Payment, amount: int | None, reason: str, by: User | None) -> Refund:
    """Staff refund part or all of a payment from the admin; moderators only up to
    MODERATOR_REFUND_LIMIT, superusers any amount."""
    if not reason.strip():
        raise BillingError(_("Say why the money goes back."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.state != Payment.State.PAID:
            raise BillingError(_("Only a paid payment can be refunded."))
        limit = settings.MODERATOR_REFUND_LIMIT
        asked = payment.refundable if amount is None else amount
        if by is not None and not by.is_superuser and asked > limit:
            raise BillingError(
                _("Refunds over %(amount)s need a superuser; ask one to do it.")
                % {"amount": format_money(limit, payment.currency)}
            )
        count = payment.refunds.count()
        refund = refund_create(
            payment=payment,
            amount=amount,
            key=f"payment-{payment.pk}-staff-{count + 1}",
            reason=reason,
            by=by,
        )
        if refund is None:
            raise BillingError(_("Nothing is left to refund."))
    return refund


def refund_execute(*, refund_id: int) -> Refund:
    """Ask the provider for the money back, then follow it up (refund_follow_up).

    Stripe's events about the refund can come before its answer to our request (a slow answer,
    or the first answer replayed to a repeated request): the answer only moves the refund forward
    (Refund.moves_forward_to), so one its events settled stays settled, and a request that failed
    marks failed only a refund Stripe never took. A refund Stripe already took is not asked for
    again (a redelivered task, staff pressing Retry): that would at best replay its first answer,
    and once Stripe forgets the idempotency key (after 24 hours), refund a second time."""
    with transaction.atomic():
        refund = refund_locked(refund_id)
    if refund.is_taken or refund.made_in_stripe:  # made in Stripe: staff retry it there, if at all
        return refund_follow_up(refund_id=refund.pk)
    payment = refund.payment
    refund_provider_id, status, error_message = None, None, ""
    try:
        if payment.provider == Payment.Provider.DEMO:
            refund_provider_id, status = f"re_demo_{refund.pk}", "succeeded"
        else:
            answer = stripe_client.refund_create(
                refund_id=refund.pk,
                payment_intent=_payment_intent_of(payment),
                amount=refund.amount,
                metadata={payment.purchase_key: payment.purchase_id, "refund_id": str(refund.pk)},
                destination_charge=payment.kind.destination_charge,
            )
            refund_provider_id, status = answer.id, getattr(answer, "status", None) or "succeeded"
    except BillingError as error:
        error_message = error.message
    with transaction.atomic():
        refund = refund_locked(refund.pk)
        if status is None and refund.stripe_refund_id is None:
            refund.state = Refund.State.FAILED
            refund.last_error = error_message[:500]
            refund.save(update_fields=["state", "last_error"])
            return refund
        if status is not None:  # else our request failed, yet Stripe's event says it took the refund
            state = REFUND_STATES.get(status, Refund.State.PENDING)
            refund_take(
                refund, state, stripe_refund_id=refund_provider_id, failure=f"Stripe answered {status}."
            )
            refund._change_reason = f"the provider answered {status}"
            refund.save(update_fields=["stripe_refund_id", "state", "last_error"])
    return refund_follow_up(refund_id=refund.pk)


def _payment_intent_of(payment: Payment) -> str:
    """What a refund is asked against: a subscription's payment may know only its invoice."""
    if not payment.payment_intent_id and payment.invoice_id:
        intent = stripe_client.invoice_payment_intent(invoice_id=payment.invoice_id)
        Payment.objects.filter(pk=payment.pk, payment_intent_id="").update(payment_intent_id=intent)
        payment.payment_intent_id = intent
    if not payment.payment_intent_id:
        raise BillingError("Stripe has not told us which charge to refund yet.", code="no_payment_intent")
    return payment.payment_intent_id


def refund_follow_up(*, refund_id: int) -> Refund:
    """Once the provider has taken a refund, tell the buyer and take the mentor's share back from
    a payout already sent: each exactly once, however many times this runs, even at once (a
    redelivered task, staff retrying, an event's task, the sweep). A refund not taken yet, or
    failed, gets neither; one that fails after them keeps both (the reversal happened at Stripe;
    paying the mentor again is a staff decision).

    The e-mail is decided and marked under the refund's lock and sent after commit (at most once:
    a mail server down then loses it). The reversal is asked of Stripe outside any transaction,
    with the refund's idempotency key, so runs that overlap ask for the same one; it is counted on
    the transfer only by the run that marks the refund, under both locks."""
    with transaction.atomic():
        refund = refund_locked(refund_id)
        if not refund.is_taken:
            return refund
        if refund.buyer_told_at is None:
            refund.buyer_told_at = timezone.now()
            Refund.objects.filter(pk=refund.pk).update(buyer_told_at=refund.buyer_told_at)
            told = refund
            transaction.on_commit(lambda: _send_refund_email(told))
    if refund.payout_adjusted_at is None:
        _reverse_transfer_for(refund)
    refund.refresh_from_db()
    return refund


def refund_follow_up_on_commit(refund: Refund) -> None:
    """An event says the provider took the refund: queue its follow-ups if some are not done (our
    request may have ended in an error, so that refund_execute did not do them)."""
    if refund.follow_up_due:
        tasks.follow_up_refund.delay_on_commit(refund.pk)


def refund_take(refund: Refund, state: str, *, stripe_refund_id: str | None, failure: str) -> bool:
    """Apply what Stripe reported about the refund (its answer or an event): the state if it is
    news (Refund.moves_forward_to), with `failure` as its error when it failed, and Stripe's id
    unless the refund has one already. Whether the state was news; the caller saves."""
    news = refund.moves_forward_to(state)
    if news:
        refund.state = state
        refund.last_error = failure[:500] if state == Refund.State.FAILED else ""
    refund.stripe_refund_id = refund.stripe_refund_id or stripe_refund_id
    return news


def stripe_refund_failure(stripe_refund: dict) -> str:
    reason = stripe_refund.get("failure_reason") or stripe_refund.get("status")
    return f"Stripe could not refund: {reason}"


def refund_locked(refund_id: int) -> Refund:
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment__booking", "payment__enrollment")
        .get(pk=refund_id)
    )


# Stripe's refund statuses; a pending one becomes succeeded with charge.refunded.
REFUND_STATES = {
    "succeeded": Refund.State.SUCCEEDED,
    "pending": Refund.State.PENDING,
    "requires_action": Refund.State.PENDING,
    "failed": Refund.State.FAILED,
    "canceled": Refund.State.FAILED,
}


def _reverse_transfer_for(refund: Refund) -> None:
    """The mentor gives back the same share of their transfer as the buyer got back of the
    charge; marks the refund's payout adjusted (also when nothing was sent, so nothing is owed)."""
    payment = refund.payment
    transfer = Transfer.objects.filter(payment=payment, state=Transfer.State.PAID).first()
    amount = 0
    if transfer is not None:
        share = -(-transfer.amount * refund.amount // payment.amount)
        amount = min(share, transfer.amount - transfer.amount_reversed)
    if amount > 0 and payment.provider == Payment.Provider.STRIPE:
        try:
            stripe_client.transfer_reverse(
                transfer_id=transfer.stripe_transfer_id, amount=amount, refund_id=refund.pk
            )
        except BillingError as error:
            transfer.last_error = f"reversal failed: {error.message}"[:500]
            transfer.save(update_fields=["last_error"])
            return  # not marked: the sweep asks again, with the same idempotency key
    with transaction.atomic():
        refund = refund_locked(refund.pk)
        if refund.payout_adjusted_at is not None:
            return  # another run counted it; Stripe made one reversal of both requests
        Refund.objects.filter(pk=refund.pk).update(
            payout_adjusted_at=timezone.now(), payout_reversed_amount=amount
        )
        if amount > 0:
            # What our refunds took back in all, or what Stripe's transfer.reversed said if more:
            # that event may have been counted while this reversal's answer was on its way, so
            # adding this amount to the stored figure could count it twice.
            ours = Refund.objects.filter(payment=payment).aggregate(s=Sum("payout_reversed_amount"))["s"]
            transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
            transfer.amount_reversed = min(transfer.amount, max(transfer.amount_reversed, ours))
            transfer.reversed = transfer.amount_reversed >= transfer.amount
            transfer.save(update_fields=["amount_reversed", "reversed"])


def _send_refund_email(refund: Refund) -> None:
    payment = refund.payment
    booking, enrollment = payment.booking, payment.enrollment
    buyer, what = payment.buyer, payment.purchase_title
    amount = format_money(refund.amount, refund.currency)
    templated_email(
        template="billing/email/refund",
        subject=lambda: _("Refund: %(amount)s for %(what)s") % {"amount": amount, "what": what},
        to=[buyer.email],
        context={
            "booking": booking,
            "enrollment": enrollment,
            "what": what,
            "buyer": buyer,
            "refund": refund,
            "amount": amount,
            "site_url": settings.SITE_URL,
            "purchase_url": settings.SITE_URL + payment.purchase_url,
        },
        zone=buyer.zone,
    ).send()
