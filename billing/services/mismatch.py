"""Payments that are not what we asked for: refused, whatever was bought.

Money that arrives for a purchase is compared with what the purchase charges (payments.
charge_matches, the one comparison). Anything else confirms nothing: the purchase ends before it
starts (its kind's release), everything Stripe took is refunded, staff find it flagged and the
buyer is told why.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit
from core.emails import templated_email
from core.money import format_money

from .. import purchases
from ..models import Payment, Refund
from ..stripe_client import BillingError
from .payments import charge_matches, platform_fee
from .refunds import refund_create

logger = logging.getLogger("billing")

MAX_MINOR_UNITS = 2**31 - 1  # what the amount columns hold


def payment_as_asked(payment: Payment, *, amount: object, currency: object) -> bool:
    """Money arrived for a purchase (the payment is PAID, under its lock): whether Stripe took
    what the purchase charges (`payment.amount` in `payment.currency`, after member discounts and
    upgrade credits). If not, the purchase is refused (_payment_refuse) and is never confirmed."""
    if charge_matches(
        asked_amount=payment.amount, asked_currency=payment.currency, amount=amount, currency=currency
    ):
        return True
    _payment_refuse(payment, amount=amount, currency=currency)
    return False


def _payment_refuse(payment: Payment, *, amount: object, currency: object) -> None:
    """The one way a purchase whose payment is not what we asked for ends, whatever was bought:
    it is not confirmed (the slot or seat freed, a subscription ended at Stripe), everything
    Stripe took is refunded through the refund rows (so their follow-ups happen once), staff find
    it flagged (the payments admin, the moderation queue, an e-mail) and the buyer is told why,
    after commit, once. Called once per payment: under its lock, when it becomes PAID."""
    payment.amount_mismatch = True
    payment.reported_amount = amount if type(amount) is int and 0 <= amount <= MAX_MINOR_UNITS else None
    payment.reported_currency = (
        currency.upper() if isinstance(currency, str) and currency.isascii() and len(currency) == 3 else ""
    )
    payment._change_reason = "refused: not the amount asked for"
    payment.save(update_fields=["amount_mismatch", "reported_amount", "reported_currency"])
    logger.error(
        "payment %s for %s refused: Stripe reported %r %r, we asked %s %s",
        payment.pk,
        payment.purchase_id,
        amount,
        currency,
        payment.amount,
        payment.currency,
    )
    payment.kind.release(payment.purchase, note="paid another amount than asked for")
    refund = refund_create(
        payment=payment,
        amount=None,
        key=f"payment-{payment.pk}-amount-mismatch",
        reason="The payment was not the amount we asked for.",
        by=None,
    )
    if refund is not None:  # the buyer is told by the e-mail below, not by the refund's own
        Refund.objects.filter(pk=refund.pk, buyer_told_at__isnull=True).update(buyer_told_at=timezone.now())
    payment_pk = payment.pk
    transaction.on_commit(lambda: _send_mismatch_emails(payment_pk))


def _send_mismatch_emails(payment_pk: UUID) -> None:
    payment = Payment.objects.select_related(
        "booking__offering",
        "booking__mentee",
        "enrollment__cohort",
        "enrollment__member",
        "subscription__plan",
    ).get(pk=payment_pk)
    buyer, what = payment.buyer, payment.purchase_title
    refund = payment.refunds.filter(key=f"payment-{payment.pk}-amount-mismatch").first()
    templated_email(
        template="billing/email/amount_mismatch",
        subject=lambda: _("We could not take your payment for %(what)s") % {"what": what},
        to=[buyer.email],
        context={
            "buyer": buyer,
            "what": what,
            "payment": payment,
            "asked": payment.amount_display,
            # What Stripe said it took, when it said so plainly.
            "charged": payment.charged_display if payment.reported_amount is not None else None,
            "refunded": format_money(refund.amount, refund.currency) if refund else None,
            "purchase_url": settings.SITE_URL + payment.purchase_url,
        },
        zone=buyer.zone,
    ).send()
    mail_admins(
        f"Payment refused: not the amount asked for ({payment.purchase_id})",
        f"Payment {payment.pk} for {payment.purchase_key} {payment.purchase_id}: we asked "
        f"{payment.amount_display}, Stripe reported {payment.reported_amount!r} "
        f"{payment.reported_currency or '(no currency)'}. The purchase was not confirmed and "
        f"{format_money(refund.amount, refund.currency) if refund else 'nothing'} is being refunded. It "
        "waits in the moderation queue.",
    )


def subscription_first_payment_as_asked(
    *,
    subscription: Model,
    amount: object,
    currency: object,
    invoice_id: str = "",
    payment_intent_id: str = "",
) -> bool:
    """Stripe Billing reported a subscription's first payment (a paid checkout, its first
    invoice); call under the subscription's lock. Whether it is what the first month charges
    (the subscription kind's price). If not, the money that arrived is
    recorded as a Payment of the subscription and refused like any purchase's (_payment_refuse);
    once refused, every later report of it is refused too, whatever it says."""
    refused = Payment.objects.select_for_update().filter(subscription=subscription).first()
    if refused is not None:
        # Learn where the money is, for the refund, from whichever event says it.
        Payment.objects.filter(pk=refused.pk, invoice_id="").update(invoice_id=invoice_id or "")
        Payment.objects.filter(pk=refused.pk, payment_intent_id="").update(
            payment_intent_id=payment_intent_id or ""
        )
        return False
    asked_amount, asked_currency = purchases.kind_for(subscription).price(subscription)
    if charge_matches(
        asked_amount=asked_amount, asked_currency=asked_currency, amount=amount, currency=currency
    ):
        return True
    payment = Payment.objects.create(
        subscription=subscription,
        provider=subscription.provider,
        amount=asked_amount,
        currency=asked_currency,
        platform_fee=platform_fee(asked_amount),
        state=Payment.State.PAID,
        paid_at=timezone.now(),
        invoice_id=invoice_id or "",
        payment_intent_id=payment_intent_id or "",
    )
    _payment_refuse(payment, amount=amount, currency=currency)
    return False


def payment_mismatch_reviewed(*, payment: Payment, by: User, reason: str) -> Payment:
    """Staff looked into a payment refused for its amount (why Stripe took what it took, that the
    refund went through): it leaves the moderation queue; the reason is kept in the audit log."""
    if not reason.strip():
        raise BillingError(_("Give a reason; it is kept in the audit log."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.amount_mismatch:
            raise BillingError(_("This payment was not refused for its amount."))
        if payment.mismatch_reviewed_at is None:
            payment.mismatch_reviewed_at = timezone.now()
            payment.save(update_fields=["mismatch_reviewed_at"])
            audit(actor=by, action="payment.mismatch_reviewed", target=payment, reason=reason.strip())
    return payment
