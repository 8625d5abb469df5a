"""Payouts: the mentor's share of a payment (what is left after refunds, less the platform's
fee) sent once by a Stripe Transfer to their connected account, from the buyer's charge.

When a payment is payable is its purchase kind's rule (a session once it is done, a cohort's
seats once it finished); the kinds call transfer_row and transfer_send. A disputed payment is
held until the dispute is won. retry_stuck_money_movements is the periodic safety net for every
money movement a lost task never finished.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import format_money
from mentors.models import MentorProfile

from .. import purchases, stripe_client
from ..models import REFUND_FOLLOW_UP_DUE, ConnectedAccount, Payment, Refund, Transfer
from ..stripe_client import BillingError
from .codes import codes_release_stale
from .events import events_process_pending
from .payments import payment_for, platform_fee
from .refunds import refund_execute, refund_follow_up

logger = logging.getLogger("billing")


def payments_to_pay_out(purchases: Q, *, cutoff: datetime):
    """Paid payments of `purchases` (a kind's own condition) confirmed before `cutoff` whose
    mentor's share was not sent: not disputed, not refused for their amount, and not refunded in
    full (by Stripe's figure or by our own refund rows). The kinds' payout sweeps read this."""
    refunded = (
        Refund.objects.filter(payment=OuterRef("pk"))
        .exclude(state=Refund.State.FAILED)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Payment.objects.filter(
            purchases, is_disputed=False, amount_mismatch=False, state=Payment.State.PAID, paid_at__lte=cutoff
        )
        .exclude(transfer__state=Transfer.State.PAID)
        .exclude(amount_refunded__gte=F("amount"))
        .annotate(refunded=Coalesce(Subquery(refunded), 0))
        .filter(refunded__lt=F("amount"))
    )


def transfer_row(payment: Payment, *, mentor: MentorProfile) -> Transfer | None:
    """Under the payment's lock: the one transfer row of this payment, created once."""
    if payment.is_disputed:
        logger.info("payout for %s held: the payment is disputed", payment.purchase_id)
        return None
    if payment.amount_mismatch:
        return None  # refused: nothing was bought, so nothing is owed
    transfer = Transfer.objects.filter(payment=payment).first()
    net = payment.amount - payment.refunded_total
    share = net - platform_fee(net)
    if transfer is not None:
        if transfer.state != Transfer.State.PAID and transfer.amount != share:
            # Not sent yet (it failed, or its task was lost) and refunded since it was made: it
            # sends what is left now, or nothing, never the share of money given back.
            if share <= 0:
                return None
            transfer.amount = share
            transfer._change_reason = "refunded before it was sent: the share of what is left"
            transfer.save(update_fields=["amount"])
        return transfer
    if share <= 0:
        return None
    destination = _payout_destination(payment, mentor)
    if destination is None:
        logger.info("mentor %s cannot receive payouts yet", mentor.pk)
        return None
    return Transfer.objects.create(
        payment=payment, amount=share, currency=payment.currency, destination=destination
    )


def transfer_send(transfer: Transfer, payment: Payment) -> Transfer:
    """Ask the provider to move the money (idempotency key from the transfer's id)."""
    if transfer.state == Transfer.State.PAID:
        return transfer
    try:
        if payment.provider == Payment.Provider.DEMO:
            transfer_provider_id = f"tr_demo_{transfer.pk}"
        else:
            payment = _with_charge_id(payment)
            transfer_provider_id = stripe_client.transfer_create(
                transfer_id=transfer.pk,
                amount=transfer.amount,
                currency=transfer.currency,
                destination=transfer.destination,
                source_charge=payment.charge_id,
                metadata={payment.purchase_key: payment.purchase_id, "payment_id": str(payment.pk)},
            ).id
    except BillingError as error:
        transfer.state, transfer.last_error = Transfer.State.FAILED, error.message[:500]
        transfer.save(update_fields=["state", "last_error"])
    else:
        transfer.stripe_transfer_id = transfer_provider_id
        transfer.state, transfer.last_error = Transfer.State.PAID, ""
        transfer.save(update_fields=["stripe_transfer_id", "state", "last_error"])
    return transfer


def _with_charge_id(payment: Payment) -> Payment:
    """The transfer is paid from the mentee's charge (source_transaction), so the funds are there
    even before they settle; charge.succeeded may not have told us the charge's id yet."""
    if payment.charge_id or not payment.payment_intent_id:
        return payment
    intent = stripe_client.payment_intent_retrieve(payment_intent_id=payment.payment_intent_id)
    charge = getattr(intent, "latest_charge", None) or ""
    if not isinstance(charge, str):  # expanded
        charge = getattr(charge, "id", "")
    if charge:
        Payment.objects.filter(pk=payment.pk, charge_id="").update(charge_id=charge)
        payment.charge_id = charge
    return payment


def _payout_destination(payment: Payment, mentor: MentorProfile) -> str | None:
    if payment.provider == Payment.Provider.DEMO:
        return f"acct_demo_{mentor.pk}"
    account = ConnectedAccount.objects.filter(mentor=mentor, payouts_enabled=True).first()
    return account.stripe_account_id if account else None


def retry_stuck_money_movements(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """The periodic safety net: events, refunds and transfers a lost task never finished, and
    the follow-ups of refunds Stripe took (their task lost, or our request erred and only its
    event said so)."""
    cutoff = timezone.now() - older_than
    count = events_process_pending(older_than=older_than)
    for refund_id in Refund.objects.filter(
        state__in=[Refund.State.PENDING, Refund.State.FAILED],
        stripe_refund_id__isnull=True,
        created_at__lte=cutoff,
    ).values_list("pk", flat=True)[:100]:
        refund_execute(refund_id=refund_id)
        count += 1
    due = Refund.objects.filter(REFUND_FOLLOW_UP_DUE, created_at__lte=cutoff).order_by("created_at")
    for refund_id in due.values_list("pk", flat=True)[:100]:
        refund_follow_up(refund_id=refund_id)
        count += 1
    for kind in purchases.kinds():
        count += kind.retry_payouts(cutoff=cutoff)
    # Promotion-code uses held by checkouts that ended while their task was lost.
    return count + codes_release_stale()


# --- events about payouts -----------------------------------------------------------------


def on_dispute_created(dispute: dict) -> None:
    payment = payment_for(
        {"object": "charge", "id": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
    )
    payment.is_disputed = True
    payment.save(update_fields=["is_disputed"])
    transaction.on_commit(
        lambda: mail_admins(
            f"Dispute opened on payment for {payment.purchase_id}",
            f"Stripe dispute {dispute.get('id')} ({dispute.get('reason')}) on payment {payment.pk}: "
            + format_money(dispute.get("amount") or 0, (dispute.get("currency") or payment.currency).upper()),
        )
    )


def on_dispute_closed(dispute: dict) -> None:
    """Won: the money is ours again and a payout held back by the dispute goes out. Lost: Stripe
    has taken the money back, so the payout stays held (staff decide)."""
    payment = payment_for(
        {"object": "charge", "id": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
    )
    if dispute.get("status") != "won":
        return
    payment.is_disputed = False
    payment.save(update_fields=["is_disputed"])
    payment.kind.dispute_won(payment)


def on_transfer_reversed(transfer: dict) -> None:
    stored = Transfer.objects.select_for_update().filter(stripe_transfer_id=transfer.get("id")).first()
    if stored is None:
        raise LookupError(f"no transfer {transfer.get('id')}")
    stored.amount_reversed = max(stored.amount_reversed, transfer.get("amount_reversed") or 0)
    stored.reversed = bool(transfer.get("reversed")) or stored.amount_reversed >= stored.amount
    stored.save(update_fields=["amount_reversed", "reversed"])
