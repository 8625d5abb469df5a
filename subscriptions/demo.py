"""The demo provider's Stripe Billing: the events Stripe would send, in the same shapes.

They go through billing's event store and processing, exactly like signed webhooks, so the demo
exercises the same code as production. `renewal_events` lets the demo move a subscription into
its next period at once (manage.py demo_advance_period).
"""

from __future__ import annotations

import calendar
import uuid
from datetime import datetime

from django.utils import timezone

from billing.demo import event

from .models import Plan, Subscription


def add_month(moment: datetime) -> datetime:
    """The same day next month (clamped to the month's last day), as Stripe anchors billing."""
    year, month = moment.year + moment.month // 12, moment.month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def stripe_id(subscription: Subscription) -> str:
    return subscription.stripe_subscription_id or f"sub_demo_{subscription.pk.hex}"


def _price(plan: Plan) -> dict:
    return {
        "id": plan.stripe_price_id or f"price_demo_{plan.pk}",
        "object": "price",
        "unit_amount": plan.price_amount,
        "currency": plan.currency.lower(),
        "metadata": {"plan_id": str(plan.pk)},
    }


def _metadata(subscription: Subscription, plan: Plan) -> dict:
    return {"subscription_id": str(subscription.pk), "plan_id": str(plan.pk)}


def _subscription(
    subscription: Subscription,
    *,
    status: str,
    start: datetime,
    end: datetime,
    plan: Plan | None = None,
    cancel_at_period_end: bool | None = None,
) -> dict:
    plan = plan or subscription.plan
    return {
        "id": stripe_id(subscription),
        "object": "subscription",
        "status": status,
        "cancel_at_period_end": subscription.cancel_at_period_end
        if cancel_at_period_end is None
        else cancel_at_period_end,
        "customer": f"cus_demo_{subscription.mentee_id}",
        "metadata": _metadata(subscription, plan),
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_demo_{subscription.pk.hex}",
                    "object": "subscription_item",
                    "current_period_start": int(start.timestamp()),
                    "current_period_end": int(end.timestamp()),
                    "price": _price(plan),
                    "quantity": 1,
                }
            ],
        },
    }


def _invoice(subscription: Subscription, *, reason: str, start: datetime, end: datetime, amount: int) -> dict:
    plan = subscription.plan
    return {
        "id": f"in_demo_{uuid.uuid4().hex[:16]}",
        "object": "invoice",
        "billing_reason": reason,
        "amount_due": amount,
        "amount_paid": amount,
        "currency": plan.currency.lower(),
        "customer": f"cus_demo_{subscription.mentee_id}",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": stripe_id(subscription),
                "metadata": _metadata(subscription, plan),
            },
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_demo_{uuid.uuid4().hex[:16]}",
                    "object": "line_item",
                    "amount": amount,
                    "period": {"start": int(start.timestamp()), "end": int(end.timestamp())},
                    "pricing": {"type": "price_details", "price_details": {"price": _price(plan)["id"]}},
                    "parent": {"subscription_item_details": {"proration": False}},
                }
            ],
        },
    }


def checkout_paid_events(subscription: Subscription, *, amount: int | None = None) -> list[dict]:
    """What Stripe sends when a subscription checkout is paid: the session, the subscription and
    its first invoice (`amount`: what was charged, after any upgrade credit)."""
    now = timezone.now().replace(microsecond=0)
    end = add_month(now)
    plan = subscription.plan
    charged = plan.price_amount if amount is None else amount
    session = {
        "id": subscription.checkout_session_id,
        "object": "checkout.session",
        "amount_total": charged,
        "currency": plan.currency.lower(),
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "subscription": stripe_id(subscription),
        "client_reference_id": str(subscription.pk),
        "metadata": _metadata(subscription, plan),
    }
    return [
        event("checkout.session.completed", session),
        event(
            "customer.subscription.created",
            _subscription(subscription, status=Subscription.Status.ACTIVE, start=now, end=end),
        ),
        event(
            "invoice.paid",
            _invoice(subscription, reason="subscription_create", start=now, end=end, amount=charged),
        ),
    ]


def renewal_events(
    subscription: Subscription, *, paid: bool = True, start: datetime | None = None
) -> list[dict]:
    """The current period ends at `start` (default: now) and the next one is invoiced (paid or
    failed), or the subscription ends if it was cancelled at period end."""
    now = (start or timezone.now()).replace(microsecond=0)
    end = add_month(now)
    if subscription.cancel_at_period_end:
        return [
            event(
                "customer.subscription.deleted",
                _subscription(
                    subscription,
                    status=Subscription.Status.CANCELED,
                    start=subscription.current_period_start or now,
                    end=now,
                ),
            )
        ]
    invoice = _invoice(
        subscription, reason="subscription_cycle", start=now, end=end, amount=subscription.plan.price_amount
    )
    if paid:
        return [
            event("invoice.paid", invoice),
            event(
                "customer.subscription.updated",
                _subscription(subscription, status=Subscription.Status.ACTIVE, start=now, end=end),
            ),
        ]
    return [
        event("invoice.payment_failed", {**invoice, "amount_paid": 0, "status": "open"}),
        event(
            "customer.subscription.updated",
            _subscription(subscription, status=Subscription.Status.PAST_DUE, start=now, end=end),
        ),
    ]


def updated_event(
    subscription: Subscription, *, plan: Plan | None = None, cancel_at_period_end: bool | None = None
) -> dict:
    """The subscription changed at the subscriber's request (plan switch, cancel, resume)."""
    now = timezone.now().replace(microsecond=0)
    return event(
        "customer.subscription.updated",
        _subscription(
            subscription,
            status=subscription.status,
            start=subscription.current_period_start or now,
            end=subscription.current_period_end or add_month(now),
            plan=plan,
            cancel_at_period_end=cancel_at_period_end,
        ),
    )
