"""Subscriptions made directly, and the signed events Stripe Billing sends about them."""

import json
import time
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from billing.models import ConnectedAccount
from subscriptions.models import Plan, Subscription
from subscriptions.services import credits_grant
from tests.billing.helpers import fixture_text
from tests.factories import MentorFactory

Status = Subscription.Status


STRIPE_SUB = "sub_Test123"
PRICE = "price_Plan123"


def make_plan(mentor=None, **fields) -> Plan:
    mentor = mentor or MentorFactory()
    values = {
        "name": "Monthly mentoring",
        "price_amount": 12000,
        "currency": "USD",
        "credits_per_period": 2,
        "max_session_minutes": 30,
        "includes_qa": True,
        "is_published": True,
    }
    values.update(fields)
    return Plan.objects.create(mentor=mentor, **values)


def payouts_ready(mentor) -> None:
    ConnectedAccount.objects.get_or_create(
        mentor=mentor,
        defaults={
            "stripe_account_id": "acct_1Mentor",
            "payouts_enabled": True,
            "charges_enabled": True,
            "details_submitted": True,
        },
    )


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


class StripeBilling:
    """Builds the signed events Stripe Billing sends for one of our subscriptions."""

    def __init__(self, subscription: Subscription, post):
        self.subscription = subscription
        self.post = post
        self.clock = int(time.time())

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def _values(self, **values) -> dict:
        return {
            "stripe_subscription_id": STRIPE_SUB,
            "subscription_id": self.subscription.pk,
            "plan_id": self.subscription.plan_id,
            "price_id": PRICE,
            **values,
        }

    def subscription_event(
        self,
        kind: str,
        *,
        status: str,
        start: datetime,
        end: datetime,
        created=None,
        cancel_at_period_end=False,
        plan=None,
        price_id=PRICE,
    ) -> str:
        return fixture_text(
            "event_customer_subscription.json",
            **self._values(
                type=f"customer.subscription.{kind}",
                status=status,
                period_start=stamp(start),
                period_end=stamp(end),
                created=created or self.tick(),
                cancel_at_period_end="true" if cancel_at_period_end else "false",
                plan_id=(plan or self.subscription.plan).pk,
                price_id=price_id,
            ),
        )

    def invoice_event(
        self,
        kind: str,
        *,
        start: datetime,
        end: datetime,
        reason="subscription_cycle",
        created=None,
        suffix="1",
        amount_paid=12000,
    ) -> str:
        paid = kind == "paid"
        return fixture_text(
            "event_invoice.json",
            **self._values(
                type=f"invoice.{kind}",
                billing_reason=reason,
                amount_paid=amount_paid if paid else 0,
                invoice_status="paid" if paid else "open",
                period_start=stamp(start),
                period_end=stamp(end),
                created=created or self.tick(),
                invoice_suffix=suffix,
            ),
        )

    def checkout_completed(self, created=None, amount_total=12000) -> str:
        event = json.loads(
            fixture_text(
                "event_checkout_session_completed_subscription.json",
                **self._values(
                    session_id=self.subscription.checkout_session_id or "cs_test_Sub456",
                    created=created or self.tick(),
                ),
            )
        )
        event["data"]["object"]["amount_total"] = amount_total
        return json.dumps(event)


def month(start: datetime) -> tuple[datetime, datetime]:
    return start, start + timedelta(days=30)


def now_utc() -> datetime:
    return timezone.now().astimezone(UTC).replace(microsecond=0)


def subscribe(mentee, offering, *, credits=2, status=Status.ACTIVE, max_minutes=30) -> Subscription:
    """An active subscription to the offering's mentor whose current month is paid."""
    plan = make_plan(mentor=offering.mentor, credits_per_period=credits, max_session_minutes=max_minutes)
    start = now_utc() - timedelta(days=1)
    subscription = Subscription.objects.create(
        plan=plan,
        mentor=offering.mentor,
        mentee=mentee,
        provider="demo",
        status=status,
        current_period_start=start,
        current_period_end=start + timedelta(days=30),
    )
    credits_grant(
        subscription=subscription, period_start=start, period_end=start + timedelta(days=30), count=credits
    )
    return subscription
