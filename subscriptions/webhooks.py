"""Stripe Billing events → our subscription rows and credits.

billing stores and processes every event (one transaction each, retried when a handler raises);
these handlers are registered with its event handlers (apps.py) and get the whole event, because the
event's `created` time is what makes them tolerant of reordering: a subscription row remembers
the newest event it applied and ignores older news. Credits are granted by `invoice.paid` only,
once per period (unique rows), whatever the order or number of deliveries.

The first payment is checked against what the first month charges wherever Stripe reports it
(the paid checkout, the first invoice): if it is not that, the subscription is refused
(billing.services.subscription_first_payment_as_asked), and nothing said about it afterwards
activates it or grants credits.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from billing import services as billing_services
from billing.models import Payment
from billing.services import codes

from . import tasks
from .models import Credit, Plan, Subscription

# From the modules, not the package: subscriptions.services imports this module in turn.
from .services.checkout import checkout_given_up, subscription_cancel_refused_on_commit
from .services.credits import credits_end_before, credits_grant

logger = logging.getLogger("subscriptions")
Status = Subscription.Status
KNOWN_STATUSES = set(Status.values)
# Invoices that pay for a new period (a switch's proration invoice does not).
PERIOD_INVOICES = {"subscription_create", "subscription_cycle"}


def _at(timestamp) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None


def _find(*, stripe_id: str | None, metadata: dict | None, reference: str | None = None) -> Subscription:
    """Our row for a Stripe subscription, by its id or by the id we put in its metadata; locked."""
    query = Subscription.objects.select_for_update(of=("self",)).select_related("plan", "mentee")
    found = query.filter(stripe_subscription_id=stripe_id).first() if stripe_id else None
    ours = (metadata or {}).get("subscription_id") or reference
    if found is None and ours:
        try:
            found = query.filter(pk=uuid.UUID(str(ours))).first()
        except (ValueError, ValidationError):
            found = None
    if found is None:
        # Raised, not ignored: the event is kept and tried again by the sweep, so an event that
        # arrives before the checkout that made its subscription is applied once that lands.
        raise LookupError(f"no subscription for {stripe_id or ours}")
    if stripe_id and not found.stripe_subscription_id:
        found.stripe_subscription_id = stripe_id
    return found


def _first_item(obj: dict) -> dict:
    items = (obj.get("items") or {}).get("data") or []
    return items[0] if items else {}


def _plan_for_price(price, fallback: Plan) -> Plan:
    """The plan of a Stripe price: its metadata names it (prices are made per plan)."""
    if isinstance(price, dict):
        plan_id = (price.get("metadata") or {}).get("plan_id")
        if plan_id and str(plan_id).isdigit():
            found = Plan.objects.filter(pk=int(plan_id), mentor_id=fallback.mentor_id).first()
            if found:
                return found
        price = price.get("id")
    if price:
        found = Plan.objects.filter(stripe_price_id=price, mentor_id=fallback.mentor_id).first()
        if found:
            return found
    return fallback


def _set_status(subscription: Subscription, status: str, now: datetime) -> None:
    if status not in KNOWN_STATUSES:
        logger.warning("unknown subscription status %s on %s", status, subscription.pk)
        return
    if status == Status.PAST_DUE and subscription.past_due_since is None:
        subscription.past_due_since = now
    elif status != Status.PAST_DUE:
        subscription.past_due_since = None
    if status == Status.CANCELED and subscription.ended_at is None:
        subscription.ended_at = now
    subscription.status = status


def subscription_apply(subscription: Subscription, obj: dict, *, created: int) -> Subscription:
    """Apply a Stripe Subscription object as of `created` (under the row's lock). Older news than
    what the row already shows is ignored; a cancelled subscription stays cancelled."""
    if created < subscription.synced_at or subscription.status == Status.CANCELED:
        subscription.save(update_fields=["stripe_subscription_id", "updated_at"])
        return subscription
    now = timezone.now()
    item = _first_item(obj)
    # Since API 2025-03-31 the period lives on the item; older versions have it on the object.
    start = _at(item.get("current_period_start") or obj.get("current_period_start"))
    end = _at(item.get("current_period_end") or obj.get("current_period_end"))
    if start and end:
        subscription.current_period_start, subscription.current_period_end = start, end
        credits_end_before(subscription=subscription, period_start=start)
    subscription.stripe_item_id = item.get("id") or subscription.stripe_item_id
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    old_plan_id = subscription.plan_id
    subscription.plan = _plan_for_price(item.get("price"), subscription.plan)
    _set_status(subscription, obj.get("status") or subscription.status, now)
    if subscription.status == Status.CANCELED:
        subscription.ended_at = _at(obj.get("ended_at")) or subscription.ended_at
    subscription.synced_at = created
    subscription.save()
    if subscription.plan_id != old_plan_id:
        _top_up(subscription)
    return subscription


def _top_up(subscription: Subscription) -> None:
    """A switch to a plan with more credits adds the difference to the paid period (never takes
    credits away: a downgrade takes effect from the next period)."""
    paid = Credit.objects.filter(subscription=subscription, period_start=subscription.current_period_start)
    if subscription.current_period_start and paid.exists():
        credits_grant(
            subscription=subscription,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
            count=subscription.plan.credits_per_period,
        )


def _charged_after_refusal(subscription: Subscription, invoice: dict) -> bool:
    """A later invoice of a subscription whose first payment was refused was paid: it should have
    been cancelled at Stripe (the cancellation failed every retry). Nothing is granted; Stripe is
    asked again to end it, and staff are told to refund this invoice."""
    if not Payment.objects.filter(subscription=subscription, amount_mismatch=True).exists():
        return False
    logger.error("refused subscription %s was charged again: invoice %s", subscription.pk, invoice.get("id"))
    subscription_cancel_refused_on_commit(subscription)
    transaction.on_commit(
        lambda: mail_admins(
            f"A refused subscription was charged again ({subscription.pk})",
            f"Stripe invoice {invoice.get('id')} was paid for subscription {subscription.pk}, whose first "
            "payment was refused as not the amount asked for. Refund it in the Stripe Dashboard.",
        )
    )
    return True


def _id_of(value) -> str:
    """A Stripe reference, expanded (an object) or not (its id)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _invoice_payment_intent(invoice: dict) -> str:
    """The PaymentIntent that paid an invoice, if the event says (older API versions name it on
    the invoice, newer ones in its `payments` when included); else billing asks Stripe."""
    if intent := _id_of(invoice.get("payment_intent")):
        return intent
    payments = invoice.get("payments")
    for paid in (payments.get("data") if isinstance(payments, dict) else None) or []:
        payment = paid.get("payment") if isinstance(paid, dict) else None
        if isinstance(payment, dict) and (intent := _id_of(payment.get("payment_intent"))):
            return intent
    return ""


def on_subscription_event(event: dict) -> None:
    """customer.subscription.created / .updated / .deleted"""
    obj = event["data"]["object"]
    subscription = _find(stripe_id=obj.get("id"), metadata=obj.get("metadata"))
    if event["type"] == "customer.subscription.deleted":
        obj = {**obj, "status": Status.CANCELED}
    subscription_apply(subscription, obj, created=int(event.get("created") or 0))


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    """The subscription an invoice is for: `parent.subscription_details` in current API
    versions, `subscription` / `subscription_details` in older ones."""
    details = (
        ((invoice.get("parent") or {}).get("subscription_details"))
        or invoice.get("subscription_details")
        or {}
    )
    stripe_id = details.get("subscription") or invoice.get("subscription")
    if isinstance(stripe_id, dict):
        stripe_id = stripe_id.get("id")
    return stripe_id, details.get("metadata") or {}


def _period_line(invoice: dict) -> dict | None:
    """The invoice line that pays for the subscription's period (not a proration)."""
    lines = [
        line
        for line in (invoice.get("lines") or {}).get("data") or []
        if not line.get("proration")
        and not ((line.get("parent") or {}).get("subscription_item_details") or {}).get("proration")
    ]
    return max(lines, key=lambda line: (line.get("period") or {}).get("end") or 0) if lines else None


def _line_price(line: dict):
    pricing = (line.get("pricing") or {}).get("price_details") or {}
    return line.get("price") or pricing.get("price")


def on_invoice_paid(event: dict) -> None:
    """A period is paid: grant its credits (once) and, if this is the newest news, the
    subscription is in good standing again."""
    invoice = event["data"]["object"]
    stripe_id, metadata = _invoice_subscription(invoice)
    if not stripe_id and not metadata:
        return  # not a subscription invoice
    subscription = _find(stripe_id=stripe_id, metadata=metadata)
    if invoice.get("billing_reason") == "subscription_create":
        if not _first_payment_settled(
            subscription,
            amount=invoice.get("amount_paid"),
            currency=invoice.get("currency"),
            invoice_id=_id_of(invoice.get("id")),
            payment_intent_id=_invoice_payment_intent(invoice),
        ):
            return  # refused: nothing is granted, the subscription stays ended
    elif _charged_after_refusal(subscription, invoice):
        return
    created = int(event.get("created") or 0)
    line = _period_line(invoice)
    if invoice.get("billing_reason") in PERIOD_INVOICES and line:
        period = line.get("period") or {}
        start, end = _at(period.get("start")), _at(period.get("end"))
        plan = _plan_for_price(_line_price(line), subscription.plan)
        if start and end:
            credits_grant(
                subscription=subscription, period_start=start, period_end=end, count=plan.credits_per_period
            )
            if subscription.current_period_end is None or end > subscription.current_period_end:
                subscription.current_period_start, subscription.current_period_end = start, end
    if created >= subscription.synced_at and subscription.status in (
        Status.INCOMPLETE,
        Status.PAST_DUE,
        Status.UNPAID,
    ):
        _set_status(subscription, Status.ACTIVE, timezone.now())
        subscription.synced_at = created
    subscription.save()


def on_invoice_payment_failed(event: dict) -> None:
    """A renewal failed: past due. Credits stay usable for the grace period, then freeze until
    Stripe's retries succeed (invoice.paid) or give up (customer.subscription.deleted)."""
    invoice = event["data"]["object"]
    stripe_id, metadata = _invoice_subscription(invoice)
    if not stripe_id and not metadata:
        return
    subscription = _find(stripe_id=stripe_id, metadata=metadata)
    created = int(event.get("created") or 0)
    if created < subscription.synced_at or subscription.status not in Subscription.LIVE_STATUSES:
        subscription.save(update_fields=["stripe_subscription_id", "updated_at"])
        return
    newly = subscription.status != Status.PAST_DUE
    _set_status(subscription, Status.PAST_DUE, timezone.now())
    subscription.synced_at = created
    subscription.save()
    if newly:
        tasks.send_payment_failed.delay_on_commit(str(subscription.pk))


def on_checkout_completed(session: dict) -> None:
    """The mentee finished a subscription checkout: link our row to Stripe's subscription (its
    status and credits come with the subscription and invoice events)."""
    stripe_id = session.get("subscription")
    if isinstance(stripe_id, dict):
        stripe_id = stripe_id.get("id")
    subscription = _find(
        stripe_id=stripe_id, metadata=session.get("metadata"), reference=session.get("client_reference_id")
    )
    subscription.checkout_session_id = subscription.checkout_session_id or session.get("id")
    subscription.save(update_fields=["stripe_subscription_id", "checkout_session_id", "updated_at"])
    if session.get("payment_status") in ("paid", "no_payment_required"):
        _first_payment_settled(
            subscription,
            amount=session.get("amount_total"),
            currency=session.get("currency"),
            invoice_id=_id_of(session.get("invoice")),
            payment_intent_id=_id_of(session.get("payment_intent")),
        )


def _first_payment_settled(subscription: Subscription, **reported) -> bool:
    """The first payment as Stripe reports it (the paid checkout, the first invoice): as asked,
    the promotion code on the first month counts (once, however often it is reported); refused,
    its use is given back."""
    as_asked = billing_services.subscription_first_payment_as_asked(subscription=subscription, **reported)
    if as_asked:
        codes.code_redeem(purchase_id=subscription.pk)
    else:
        codes.code_release(purchase_id=subscription.pk)
    return as_asked


def on_checkout_expired(session: dict) -> None:
    subscription = _find(
        stripe_id=None, metadata=session.get("metadata"), reference=session.get("client_reference_id")
    )
    if subscription.status == Status.INCOMPLETE and not subscription.stripe_subscription_id:
        checkout_given_up(subscription)


# Registered with billing's event handlers (apps.py): these get the whole event (its `created`).
HANDLERS = {
    "customer.subscription.created": on_subscription_event,
    "customer.subscription.updated": on_subscription_event,
    "customer.subscription.deleted": on_subscription_event,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
}
# Checkout sessions in "subscription" mode (the others are billing's): these get the session.
CHECKOUT_HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
}
