"""Reads for plans, subscriptions and credits."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from billing.models import CodeRedemption, UpgradeOffer
from mentors.models import MentorProfile
from sessions.models import Booking

from .models import Credit, Plan, Subscription


def unspent_credits(subscription: Subscription, now: datetime) -> QuerySet[Credit]:
    return Credit.objects.filter(subscription=subscription, booking__isnull=True, expires_at__gt=now)


def _open_count(plan: Plan, now: datetime) -> int:
    """Subscriptions that take a place under the plan's cap (a checkout in progress does too)."""
    return (
        plan.subscriptions.filter(status__in=Subscription.OPEN_STATUSES)
        .exclude(status=Subscription.Status.INCOMPLETE, checkout_expires_at__lte=now)
        .count()
    )


def plan_is_full(plan: Plan, now: datetime | None = None) -> bool:
    return (
        plan.max_subscribers is not None and _open_count(plan, now or timezone.now()) >= plan.max_subscribers
    )


def credits_left(*, subscription: Subscription, now: datetime | None = None) -> int:
    return unspent_credits(subscription, now or timezone.now()).count()


def covering_subscription(*, mentee, offering, now: datetime | None = None) -> Subscription | None:
    """The mentee's subscription whose credits can pay for this offering right now, if any (a
    free offering needs none)."""
    if not mentee.is_authenticated or offering.is_free:
        return None
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_related("plan")
        .filter(
            mentee=mentee,
            mentor_id=offering.mentor_id,
            status__in=Subscription.LIVE_STATUSES,
            plan__max_session_minutes__gte=offering.duration_minutes,
        )
        .filter(Q(credits__booking__isnull=True, credits__expires_at__gt=now))
        .distinct()
        .first()
    )
    if subscription is None or not subscription.credits_usable(now):
        return None
    return subscription


def offering_page_context(*, offering, viewer) -> dict:
    """Paying with a credit on the offering page: the covering subscription and its credits left
    (sessions.hooks.offering_page_context)."""
    subscription = covering_subscription(mentee=viewer, offering=offering)
    return {
        "credit_subscription": subscription,
        "credits_left": credits_left(subscription=subscription) if subscription else 0,
    }


def booking_page_context(*, booking, viewer, now, forms) -> dict:
    """The credit that paid for the booking, on its page (sessions.hooks.booking_page_context)."""
    return {"credit": booking_credit(booking=booking) if not booking.price_amount else None}


def published_plans(*, mentor_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(mentor_id=mentor_id, is_published=True)


def public_plan(*, plan_id: int) -> Plan:
    plan = (
        Plan.objects.select_related("mentor__user")
        .filter(pk=plan_id, is_published=True, mentor__status=MentorProfile.Status.APPROVED)
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    return plan


def subscription_for_viewer(*, user, subscription_id) -> Subscription:
    """The subscriber, the mentor and staff see a subscription; anyone else gets a 404."""
    if not user.is_authenticated:
        raise Http404("No such subscription.")
    query = Subscription.objects.select_related("plan", "mentor__user", "mentee")
    if not user.is_staff:
        query = query.filter(Q(mentee=user) | Q(mentor__user=user))
    found = query.filter(pk=subscription_id).first()
    if found is None:
        raise Http404("No such subscription.")
    return found


def own_subscription(*, user, subscription_id) -> Subscription:
    """Pages only the subscriber uses (checkout, managing)."""
    found = (
        Subscription.objects.select_related("plan", "mentor__user", "mentee")
        .filter(pk=subscription_id, mentee=user)
        .first()
        if user.is_authenticated
        else None
    )
    if found is None:
        raise Http404("No such subscription.")
    return found


def open_subscriptions_of(*, user) -> QuerySet[Subscription]:
    """The mentee's subscriptions that are running (past their first payment)."""
    return Subscription.objects.filter(mentee=user, status__in=Subscription.OPEN_STATUSES).exclude(
        status=Subscription.Status.INCOMPLETE
    )


def mentee_subscriptions(*, user, now: datetime | None = None) -> list[Subscription]:
    """The dashboard's list: open subscriptions with their credits left (one query)."""
    now = now or timezone.now()
    return list(
        open_subscriptions_of(user=user)
        .select_related("plan", "mentor__user")
        .only(  # what the list shows
            "id",
            "status",
            "current_period_end",
            "cancel_at_period_end",
            "plan__id",
            "plan__name",
            "mentor__id",
            "mentor__user__id",
            "mentor__user__display_name",
            "mentor__user__email",
        )
        .annotate(
            credits_left=Count(
                "credits", filter=Q(credits__booking__isnull=True, credits__expires_at__gt=now)
            )
        )
        .order_by("-created_at")
    )


def mentor_plans(*, mentor, now: datetime | None = None) -> list[Plan]:
    """The mentor's plans with how many open subscriptions each has."""
    live = Q(
        subscriptions__status__in=[
            s for s in Subscription.OPEN_STATUSES if s != Subscription.Status.INCOMPLETE
        ]
    )
    return list(
        mentor.plans.annotate(subscribers=Count("subscriptions", filter=live)).order_by("price_amount", "pk")
    )


def mentor_subscribers(*, mentor) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(mentor=mentor)
        .exclude(status__in=[Subscription.Status.INCOMPLETE, Subscription.Status.INCOMPLETE_EXPIRED])
        .select_related("plan", "mentee")
        .order_by("-created_at")[:100]
    )


def subscription_bookings(*, subscription: Subscription) -> QuerySet[Booking]:
    """Sessions paid with this subscription's credits."""
    return (
        Booking.objects.filter(credit__subscription=subscription)
        .select_related("offering")
        .order_by("-starts_at")[:50]
    )


def open_subscription_with(*, user, mentor_id: int) -> Subscription | None:
    if not user.is_authenticated:
        return None
    return (
        Subscription.objects.filter(mentee=user, mentor_id=mentor_id, status__in=Subscription.OPEN_STATUSES)
        .exclude(status=Subscription.Status.INCOMPLETE)
        .first()
    )


def covered_offerings(*, subscription: Subscription):
    """The mentor's published offerings a credit of this plan pays for."""
    return subscription.mentor.offerings.filter(
        is_published=True, duration_minutes__lte=subscription.plan.max_session_minutes, price_amount__gt=0
    )


def checkout_waiting(*, subscription: Subscription) -> bool:
    """A checkout was opened for this subscription and nothing has been paid yet."""
    return subscription.status == Subscription.Status.INCOMPLETE and not subscription.stripe_subscription_id


def demo_checkout_open(*, subscription: Subscription, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return checkout_waiting(subscription=subscription) and (
        subscription.checkout_expires_at is None or subscription.checkout_expires_at > now
    )


def paid_periods(*, subscription: Subscription) -> list[dict]:
    """Each paid period with its credits granted and spent (the demo's invoice list)."""
    return list(
        subscription.credits.values("period_start", "expires_at")
        .annotate(granted=Count("pk"), spent=Count("pk", filter=Q(booking__isnull=False)))
        .order_by("-period_start")
    )


def booking_credit(*, booking) -> Credit | None:
    """The subscription credit that paid for a booking, if one did."""
    return Credit.objects.select_related("subscription__plan").filter(booking=booking).first()


def subscription_upgrade_credit(*, subscription: Subscription):
    """The ladder-up credit this subscription's first month uses, if any."""
    return UpgradeOffer.objects.filter(subscription=subscription, redeemed_at__isnull=False).first()


def subscription_first_charge(subscription: Subscription) -> tuple[int, str]:
    """What the first month's checkout asks for, in minor units and the plan's currency: the
    plan's price less the upgrade credit or the promotion code its checkout applied (a one-time
    coupon at Stripe; still so if the credit or the code's use was given back when the checkout
    was given up, as a late payment was made with it), never below zero. What the demo charges,
    and what Stripe's reports of the first payment must match."""
    plan = subscription.plan
    credit = UpgradeOffer.objects.filter(subscription=subscription).first()
    if credit is not None:
        return credit.price_after(plan.price_amount), plan.currency
    code = CodeRedemption.objects.filter(kind="subscription", purchase_id=str(subscription.pk)).first()
    return (code.amount if code else plan.price_amount), plan.currency


def subscription_code(subscription: Subscription) -> CodeRedemption | None:
    """The promotion code taken off the subscription's first month, if any (with its code)."""
    return (
        CodeRedemption.objects.select_related("code")
        .filter(kind="subscription", purchase_id=str(subscription.pk))
        .first()
    )
