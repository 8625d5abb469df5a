"""The demo provider: the events Stripe would send (subscriptions/demo.py builds them) go through
billing's event store like Stripe's, and periods renew on a schedule instead of at Stripe."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from billing import services as billing_services
from billing.models import WebhookEvent

from .. import demo
from ..models import Subscription


def record_events(events: list[dict]) -> None:
    """The demo provider's events go through the same store and processing as Stripe's."""
    for event in events:
        billing_services.event_record(
            event_id=event["id"], type=event["type"], endpoint=WebhookEvent.Endpoint.DEMO, payload=event
        )


def demo_periods_advance(
    *, subscriptions: Iterable[Subscription], paid: bool = True, at_period_end: bool = False
) -> int:
    """Demo provider: move subscriptions into their next period, as Stripe does when one ends
    (now, or at the end of the current period), with the events Stripe would send."""
    moved = 0
    for subscription in subscriptions:
        start = subscription.current_period_end if at_period_end else None
        record_events(demo.renewal_events(subscription, paid=paid, start=start))
        moved += 1
    return moved


def demo_periods_renew_due(*, now: datetime | None = None) -> int:
    """The demo's stand-in for Stripe's renewals: subscriptions whose period has ended renew (or
    end, if cancelled at period end). The next period starts where the last ended, so running
    twice grants nothing twice (credits are unique per period)."""
    if billing_services.provider() != "demo":
        return 0
    due = Subscription.objects.filter(
        provider=Subscription.Provider.DEMO,
        status__in=Subscription.LIVE_STATUSES,
        current_period_end__lte=now or timezone.now(),
    ).select_related("plan")[:200]
    return demo_periods_advance(subscriptions=list(due), at_period_end=True)
