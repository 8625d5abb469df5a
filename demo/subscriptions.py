"""The demo's monthly plans (demo/data/plans.toml) and subscriptions.

About a third of the mentors (the demo mentor among them) sell one or two plans; mentees
subscribe in each state a visitor can meet: active with credits, cancelling at the period's end,
past due inside its grace period, and cancelled. Subscriptions are written as the demo payment
provider would leave them (the same ids its events use) and their month's credits granted by
the credits service; a second run finds them and adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Count

from mentors.models import MentorProfile
from subscriptions import demo
from subscriptions.models import Plan, Subscription
from subscriptions.services import credits_grant

from .content import load

SEED = "plans-20241125"
Status = Subscription.Status


def _plans_for(mentor: MentorProfile) -> list[Plan]:
    """A small plan covering the mentor's cheapest paid session and a bigger one covering their
    longest, each priced at 85 % of the sessions it includes."""
    paid = list(mentor.offerings.filter(is_published=True, price_amount__gt=0).order_by("price_amount"))
    if not paid:
        return []
    covers = {"cheapest": paid[0], "longest": max(paid, key=lambda o: (o.duration_minutes, o.price_amount))}
    data = load("plans")
    plans = []
    for shape in data["plans"]:
        covered, credits, qa = covers[shape["covers"]], shape["credits"], shape["includes_qa"]
        description = data["description_with_qa" if qa else "description"]
        plan, _ = Plan.objects.get_or_create(
            mentor=mentor,
            name=shape["name"],
            defaults={
                "description": description.format(credits=credits, mentor=mentor.user.name),
                "price_amount": covered.price_amount * credits * 85 // 100,
                "currency": covered.currency,
                "credits_per_period": credits,
                "max_session_minutes": covered.duration_minutes,
                "includes_qa": qa,
                "max_subscribers": shape.get("max_subscribers"),
                "is_published": True,
            },
        )
        plans.append(plan)
    return plans


def _subscribe(plan: Plan, mentee, *, status: str, now: datetime, days_in: int, **extra) -> None:
    if Subscription.objects.filter(mentee=mentee, mentor=plan.mentor).exists():
        return
    start = (now - timedelta(days=days_in)).replace(microsecond=0)
    end = demo.add_month(start)
    subscription = Subscription.objects.create(
        plan=plan,
        mentor=plan.mentor,
        mentee=mentee,
        provider=Subscription.Provider.DEMO,
        status=status,
        current_period_start=start,
        current_period_end=end,
        ended_at=now - timedelta(days=2) if status == Status.CANCELED else None,
        past_due_since=now - timedelta(days=1) if status == Status.PAST_DUE else None,
        **extra,
    )
    subscription.stripe_subscription_id = demo.stripe_id(subscription)
    subscription.stripe_item_id = f"si_demo_{subscription.pk.hex}"
    subscription.save(update_fields=["stripe_subscription_id", "stripe_item_id"])
    if status != Status.PAST_DUE:  # a failed renewal granted nothing for this month
        credits_grant(
            subscription=subscription, period_start=start, period_end=end, count=plan.credits_per_period
        )


def seed_plans(
    *, now: datetime, mentors: list[MentorProfile], mentees: list, demo_mentor, demo_mentee
) -> None:
    rng = random.Random(SEED)
    sellers = [demo_mentor] + [m for m in mentors if m.pk != demo_mentor.pk and m.pk % 3 == 0]
    plans = [plan for mentor in sellers for plan in _plans_for(mentor)]
    if not plans:
        return
    demo_plan = next((p for p in plans if p.mentor_id == demo_mentor.pk), plans[0])
    _subscribe(demo_plan, demo_mentee, status=Status.ACTIVE, now=now, days_in=6)
    others = [m for m in mentees if m.pk != demo_mentee.pk]
    states = [
        (Status.ACTIVE, {}),
        (Status.ACTIVE, {}),
        (Status.ACTIVE, {"cancel_at_period_end": True}),
        (Status.PAST_DUE, {}),
        (Status.CANCELED, {}),
    ]
    for i, mentee in enumerate(rng.sample(others, min(len(others), 30))):
        status, extra = states[i % len(states)]
        _subscribe(rng.choice(plans), mentee, status=status, now=now, days_in=rng.randint(1, 27), **extra)


def plan_summary() -> str:
    statuses = dict(Subscription.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return f"{Plan.objects.filter(is_published=True).count()} published · subscriptions " + ", ".join(
        f"{s} {n}" for s, n in sorted(statuses.items())
    )
