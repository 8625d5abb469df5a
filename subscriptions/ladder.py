"""What subscriptions answer to billing's ladder up (billing.hooks): the plan an upgrade offer
names, where a credit can be spent, and which subscriptions bought with one were kept.
Registered from subscriptions.apps."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.urls import NoReverseMatch

from billing.selectors import UpgradeTarget
from mentors.models import MentorProfile

from .models import Plan, Subscription


def offerable_plans(*, mentor_ids, currency: str | None = None):
    plans = Plan.objects.filter(mentor_id__in=mentor_ids, is_published=True)
    if currency:
        plans = plans.filter(currency=currency.upper())
    return plans.order_by("price_amount", "pk")


def plan_url(plan: Plan) -> str:
    """The plan's page; the mentor's profile until subscription pages are routed."""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return plan.mentor.get_absolute_url() + "#plans"


def upgrade_offer_target(
    *, mentor: MentorProfile, mentee, currency: str, now: datetime | None = None
) -> dict | None:
    """The mentor's cheapest published plan, unless the mentee already subscribes to them."""
    subscribed = Subscription.objects.filter(
        mentee=mentee, mentor=mentor, status__in=Subscription.OPEN_STATUSES
    ).exists()
    if subscribed:
        return None
    plan = offerable_plans(mentor_ids=[mentor.pk], currency=currency).first()
    return {"plan": plan} if plan is not None else None


def upgrade_spend_targets(*, offers, now: datetime | None = None, per_kind: int) -> dict:
    """Each offer's mentor's published plans in its currency, the one its e-mail named first."""
    plans = list(offerable_plans(mentor_ids={offer.mentor_id for offer in offers}).select_related("mentor"))
    targets = {}
    for offer in offers:
        mine = [p for p in plans if p.mentor_id == offer.mentor_id and p.currency == offer.currency]
        mine.sort(key=lambda p: p.pk != offer.plan_id)
        targets[offer.pk] = [
            UpgradeTarget(
                kind="plan",
                title=p.name,
                url=plan_url(p),
                price_amount=p.price_amount,
                price_after_credit=offer.price_after(p.price_amount),
                currency=p.currency,
            )
            for p in mine[:per_kind]
        ]
    return targets


def upgrade_credit_kept() -> Q:
    """A subscription bought with a credit was kept: it went past its first payment."""
    not_started = (Subscription.Status.INCOMPLETE, Subscription.Status.INCOMPLETE_EXPIRED)
    return Q(subscription__status__in=[s for s in Subscription.Status.values if s not in not_started])
