"""Everything a subscription can do: plans, checkout, managing it, and its session credits.

Stripe Billing is the source of truth for a subscription's status and periods: our row changes
when its events arrive (subscriptions/webhooks.py), or when Stripe answers a change we asked for.
The demo provider builds the same events (subscriptions/demo.py). Credits are rows, one per
credit of a paid period, unique per (subscription, period, number), so no event replay or
reordering can grant a period twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from billing import services as billing_services
from billing import stripe_client
from billing.ladder import (
    upgrade_offer_available,
    upgrade_offer_coupon_id,
    upgrade_offer_redeem,
    upgrade_offer_release,
)
from billing.models import ConnectedAccount, WebhookEvent
from billing.stripe_client import BillingError
from core.emails import templated_email
from core.errors import DomainError
from core.one_click import one_click_url
from mentors.models import MentorProfile

from . import demo
from .models import Credit, Plan, Subscription
from .selectors import checkout_waiting, plan_is_full, subscription_upgrade_credit, unspent_credits

logger = logging.getLogger("subscriptions")
Status = Subscription.Status

# Stripe lets a Checkout Session live 30 minutes to 24 hours; a subscription checkout left
# this long is given up (and its place under the plan's cap freed).
CHECKOUT_LIFETIME = timedelta(hours=1)


class SubscriptionError(DomainError):
    """A rule about plans, subscriptions or credits said no."""


# --- plans -----------------------------------------------------------------------------------


def plan_save(*, mentor: MentorProfile, plan: Plan | None = None, **fields) -> Plan:
    """Create or edit one of the mentor's plans (existing subscribers keep the price they have)."""
    with transaction.atomic():
        if plan is None:
            plan = Plan(mentor=mentor)
        elif plan.mentor_id != mentor.pk:
            raise SubscriptionError("This plan is not yours.")
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
    return plan


def plan_set_published(*, plan: Plan, by, published: bool) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=plan.pk)
        if plan.mentor.user_id != by.pk:
            raise SubscriptionError("This plan is not yours.")
        if published and not plan.mentor.is_approved:
            raise SubscriptionError("You can publish once your mentor application is approved.")
        if published and not billing_services.mentor_payouts_ready(mentor=plan.mentor):
            raise SubscriptionError("Set up payouts before publishing a plan.")
        plan.is_published = published
        plan.save(update_fields=["is_published"])
    return plan


# --- subscribing -----------------------------------------------------------------------------


def subscription_start_checkout(*, plan: Plan, mentee, base_url: str) -> Subscription:
    """Reserve a place under the plan (one open subscription per mentor) and open its checkout:
    Stripe Checkout in subscription mode, or the demo's test checkout. `base_url` is the site's
    address as the mentee reached it (Stripe sends them back there)."""
    provider = billing_services.provider()
    if provider == "none":
        raise SubscriptionError("Card payments are not set up on this site yet.")
    if not plan.is_published or not plan.mentor.is_approved:
        raise SubscriptionError("This plan is not open for subscriptions.")
    if plan.mentor.user_id == mentee.pk:
        raise SubscriptionError("You cannot subscribe to your own plan.")
    if not mentee.emailaddress_set.filter(verified=True).exists():
        raise SubscriptionError("Please verify your e-mail address before subscribing.")
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = Plan.objects.select_for_update().get(pk=plan.pk)
            current = (
                Subscription.objects.select_for_update()
                .filter(mentee=mentee, mentor_id=plan.mentor_id, status__in=Subscription.OPEN_STATUSES)
                .first()
            )
            if current and current.status == Status.INCOMPLETE and current.checkout_expires_at > now:
                if current.plan_id == plan.pk and current.checkout_url:
                    return current  # back to the checkout already open
                _give_up_checkout(current)
            elif current and current.status == Status.INCOMPLETE:
                _give_up_checkout(current)
            elif current:
                raise SubscriptionError(
                    "You already subscribe to this mentor. Switch plans from your subscription page."
                )
            if plan_is_full(plan, now):
                raise SubscriptionError("This plan is full right now.")
            subscription = Subscription.objects.create(
                plan=plan,
                mentor_id=plan.mentor_id,
                mentee=mentee,
                provider=provider,
                status=Status.INCOMPLETE,
                checkout_expires_at=now + CHECKOUT_LIFETIME,
            )
            # A ladder-up credit with this mentor comes off the first month, applied once.
            offer = upgrade_offer_available(
                mentee=mentee, mentor=plan.mentor, currency=plan.currency, now=now, for_update=True
            )
            if offer is not None:
                upgrade_offer_redeem(offer=offer, subscription=subscription, now=now)
    except IntegrityError as error:  # a second tab subscribing to this mentor at the same moment
        raise SubscriptionError("You already subscribe to this mentor.") from error
    try:
        return _open_checkout(subscription, base_url=base_url.rstrip("/"))
    except BillingError as error:
        subscription_checkout_expire(subscription=subscription)
        raise SubscriptionError(error.message) from error


def checkout_given_up(subscription: Subscription) -> None:
    """Under the row's lock: a subscription checkout that was never paid frees its place under
    the plan and gives back the upgrade credit it would have used."""
    subscription.status = Status.INCOMPLETE_EXPIRED
    subscription.save(update_fields=["status", "updated_at"])
    offer = subscription_upgrade_credit(subscription=subscription)
    if offer is not None:
        upgrade_offer_release(offer=offer)


def subscription_refuse(*, subscription: Subscription) -> Subscription:
    """Its first payment was not the amount asked for (billing refunds it; call under the row's
    lock): the subscription ends before it starts. Cancelled, with no credits (any a report of
    the same payment granted end now), its upgrade credit given back, and cancelled at Stripe at
    once so it never renews. Idempotent."""
    now = timezone.now()
    if subscription.status != Status.CANCELED:
        subscription.status = Status.CANCELED
        subscription.ended_at = subscription.ended_at or now
        subscription.past_due_since = None
        subscription._change_reason = "first payment refused: not the amount asked for"
        subscription.save(update_fields=["status", "ended_at", "past_due_since", "updated_at"])
    unspent = list(
        Credit.objects.select_for_update().filter(
            subscription=subscription, booking__isnull=True, expires_at__gt=now
        )
    )
    for credit in unspent:
        credit.expires_at = now
    bulk_update_with_history(
        unspent, Credit, ["expires_at"], default_change_reason="the first payment was refused"
    )
    offer = subscription_upgrade_credit(subscription=subscription)
    if offer is not None:
        upgrade_offer_release(offer=offer)
    subscription_cancel_refused_on_commit(subscription)
    return subscription


def subscription_cancel_refused_on_commit(subscription: Subscription) -> None:
    """Ask Stripe (after commit, retried) to end a refused subscription now; asking again is
    harmless (one idempotency key), so every later event about it asks again."""
    if subscription.provider == Subscription.Provider.STRIPE and subscription.stripe_subscription_id:
        from .tasks import cancel_refused

        cancel_refused.delay_on_commit(str(subscription.pk))


def subscription_cancel_at_stripe(*, subscription_id) -> None:
    """End a refused subscription at Stripe: no further invoice (key from our id, so a retried
    task is one cancellation)."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None or not subscription.stripe_subscription_id:
        return
    if subscription.provider != Subscription.Provider.STRIPE:
        return
    stripe_client.subscription_cancel(
        subscription_id=subscription.stripe_subscription_id,
        idempotency_key=f"subscription-{subscription.pk}-cancel-refused",
    )


def _give_up_checkout(subscription: Subscription) -> None:
    """As checkout_given_up, and close the Stripe checkout so it can no longer be paid."""
    checkout_given_up(subscription)
    if subscription.provider == Subscription.Provider.STRIPE and subscription.checkout_session_id:
        from .tasks import expire_checkout

        expire_checkout.delay_on_commit(subscription.checkout_session_id)


def _open_checkout(subscription: Subscription, *, base_url: str) -> Subscription:
    if subscription.provider == Subscription.Provider.DEMO:
        session_id = f"cs_demo_sub_{subscription.pk.hex}"
        url = reverse("subscriptions:demo_checkout", args=[subscription.pk])
    else:
        session = stripe_client.checkout_session_create(
            payment_id=f"subscription-{subscription.pk}",
            params=_checkout_params(
                subscription,
                success_url=base_url + reverse("subscriptions:welcome", args=[subscription.pk]),
                cancel_url=base_url
                + one_click_url(
                    reverse("subscriptions:checkout_cancel", args=[subscription.pk]), user=subscription.mentee
                ),
            ),
        )
        session_id, url = session.id, session.url
    Subscription.objects.filter(pk=subscription.pk).update(checkout_session_id=session_id, checkout_url=url)
    subscription.refresh_from_db()
    return subscription


def _stripe_price_id(plan: Plan) -> str:
    """The plan's Product and its monthly Price for the current amount, created on first use."""
    key = f"{plan.price_amount}:{plan.currency}"
    if plan.stripe_price_id and plan.stripe_price_key == key:
        return plan.stripe_price_id
    product = plan.stripe_product_id or (
        stripe_client.product_create(
            plan_id=plan.pk, name=f"{plan.name} — {plan.mentor.user.name}", mentor_id=plan.mentor_id
        ).id
    )
    price = stripe_client.price_create(
        plan_id=plan.pk, product=product, amount=plan.price_amount, currency=plan.currency
    )
    Plan.objects.filter(pk=plan.pk).update(
        stripe_product_id=product, stripe_price_id=price.id, stripe_price_key=key
    )
    plan.stripe_product_id, plan.stripe_price_id, plan.stripe_price_key = product, price.id, key
    return price.id


def _checkout_params(subscription: Subscription, *, success_url: str, cancel_url: str) -> dict:
    plan = subscription.plan
    account = ConnectedAccount.objects.filter(mentor_id=plan.mentor_id, payouts_enabled=True).first()
    if account is None:
        raise BillingError("This mentor cannot take subscriptions right now.")
    metadata = {"subscription_id": str(subscription.pk), "plan_id": str(plan.pk)}
    offer = subscription_upgrade_credit(subscription=subscription)
    discounts = {"discounts": [{"coupon": upgrade_offer_coupon_id(offer=offer)}]} if offer else {}
    return {
        **discounts,
        "mode": "subscription",
        "customer": billing_services.customer_id_for(subscription.mentee),
        "client_reference_id": str(subscription.pk),
        "line_items": [{"price": _stripe_price_id(plan), "quantity": 1}],
        "subscription_data": {
            # The mentor's connected account receives each invoice; the platform keeps its fee.
            "application_fee_percent": settings.PLATFORM_FEE_PERCENT,
            "transfer_data": {"destination": account.stripe_account_id},
            "description": f"{plan.name} with {plan.mentor.user.name}",
            "metadata": metadata,
        },
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(subscription.checkout_expires_at.timestamp()),
    }


def subscription_checkout_expire(*, subscription: Subscription) -> Subscription:
    """The mentee came back without paying, the checkout failed to open, or it expired: the
    place under the plan is free again (idempotent; a subscription already made stays)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if checkout_waiting(subscription=subscription):
            _give_up_checkout(subscription)
    return subscription


def checkout_session_close(*, session_id: str) -> None:
    """Close an abandoned subscription checkout at Stripe so it can no longer be paid."""
    try:
        stripe_client.checkout_session_expire(session_id=session_id)
    except BillingError:
        logger.info("checkout %s could not be expired (already completed or expired)", session_id)


def record_events(events: list[dict]) -> None:
    """The demo provider's events go through the same store and processing as Stripe's."""
    for event in events:
        billing_services.event_record(
            event_id=event["id"], type=event["type"], endpoint=WebhookEvent.Endpoint.DEMO, payload=event
        )


def payment_failed_notify(*, subscription_id) -> bool:
    """Tell the subscriber their renewal failed, once per time it falls past due."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan", "mentor__user", "mentee")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None or subscription.status != Status.PAST_DUE:
            return False
        if (
            subscription.past_due_emailed_at
            and subscription.past_due_emailed_at >= subscription.past_due_since
        ):
            return False
        mentee = subscription.mentee
        templated_email(
            template="subscriptions/email/payment_failed",
            subject=f"Your payment for {subscription.plan.name} did not go through",
            to=[mentee.email],
            context={"subscription": subscription, "site_url": settings.SITE_URL},
            zone=mentee.zone,
        ).send()
        subscription.past_due_emailed_at = timezone.now()
        subscription.save(update_fields=["past_due_emailed_at"])
    return True


def demo_periods_advance(*, subscriptions, paid: bool = True, at_period_end: bool = False) -> int:
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


# --- managing --------------------------------------------------------------------------------


def _own(subscription: Subscription, by) -> Subscription:
    if subscription.mentee_id != by.pk:
        raise SubscriptionError("Only the subscriber can change this subscription.")
    return subscription


def _change(subscription: Subscription, *, action: str, params: dict, demo_changes: dict) -> Subscription:
    """Ask Stripe for a change and apply its answer at once (the webhook that follows changes
    nothing more); the demo provider emits the event Stripe would send."""
    if subscription.provider == Subscription.Provider.DEMO:
        record_events([demo.updated_event(subscription, **demo_changes)])
    else:
        # One key per change of this row's state: a double click is one request, a later
        # change (cancel, resume, cancel again) is a new one.
        key = f"subscription-{subscription.pk}-{action}-{subscription.synced_at}"
        answer = stripe_client.subscription_update(
            subscription_id=subscription.stripe_subscription_id, params=params, idempotency_key=key
        )
        from .webhooks import subscription_apply

        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            subscription_apply(locked, answer.to_dict(), created=int(timezone.now().timestamp()))
    subscription.refresh_from_db()
    return subscription


def subscription_set_cancel_at_period_end(*, subscription: Subscription, by, cancel: bool) -> Subscription:
    """Cancel at the end of the paid period (credits stay usable until then), or resume."""
    _own(subscription, by)
    if subscription.status not in Subscription.LIVE_STATUSES:
        raise SubscriptionError("Only a running subscription can be cancelled or resumed.")
    if subscription.cancel_at_period_end == cancel:
        return subscription
    if not cancel and subscription.current_period_end and subscription.current_period_end <= timezone.now():
        raise SubscriptionError("This subscription has already ended.")
    try:
        return _change(
            subscription,
            action="cancel" if cancel else "resume",
            params={"cancel_at_period_end": cancel},
            demo_changes={"cancel_at_period_end": cancel},
        )
    except BillingError as error:
        raise SubscriptionError(error.message) from error


def subscriptions_stop_renewing(*, mentor_id: int) -> int:
    """The mentor was suspended: every running subscription to them ends with its paid period
    instead of renewing (no further charge), and its subscriber is e-mailed why. Idempotent: a
    subscription already set to end is left alone, so a task run again picks up only what a
    failed Stripe call left. How many were stopped."""
    stopped = 0
    running = Subscription.objects.filter(
        mentor_id=mentor_id, status__in=Subscription.LIVE_STATUSES, cancel_at_period_end=False
    ).select_related("plan", "mentor__user", "mentee")
    for subscription in running:
        subscription = _change(
            subscription,
            action="cancel",
            params={"cancel_at_period_end": True},
            demo_changes={"cancel_at_period_end": True},
        )
        templated_email(
            template="subscriptions/email/mentor_unavailable",
            subject=f"Your plan with {subscription.mentor.user.name} will not renew",
            to=[subscription.mentee.email],
            context={"subscription": subscription, "site_url": settings.SITE_URL},
            zone=subscription.mentee.zone,
        ).send()
        stopped += 1
    return stopped


def subscription_switch_plan(*, subscription: Subscription, by, plan: Plan) -> Subscription:
    """Move to another of the mentor's plans; Stripe prorates the price difference."""
    _own(subscription, by)
    if subscription.status not in (Status.ACTIVE, Status.TRIALING):
        raise SubscriptionError("You can switch plans while the subscription is active.")
    if plan.mentor_id != subscription.mentor_id or not plan.is_published:
        raise SubscriptionError("Pick one of this mentor's plans.", field="plan")
    if plan.pk == subscription.plan_id:
        raise SubscriptionError("You are on this plan already.", field="plan")
    if plan.currency != subscription.plan.currency:
        raise SubscriptionError("Plans in another currency cannot be switched to.", field="plan")
    if plan_is_full(plan):
        raise SubscriptionError("That plan is full right now.", field="plan")
    try:
        params = {}
        if subscription.provider == Subscription.Provider.STRIPE:
            params = {
                "items": [{"id": subscription.stripe_item_id, "price": _stripe_price_id(plan)}],
                "proration_behavior": "create_prorations",
                "metadata": {"subscription_id": str(subscription.pk), "plan_id": str(plan.pk)},
            }
        return _change(subscription, action=f"plan-{plan.pk}", params=params, demo_changes={"plan": plan})
    except BillingError as error:
        raise SubscriptionError(error.message) from error


def subscription_portal_url(*, subscription: Subscription, by, return_url: str) -> str:
    """Stripe's customer portal: payment methods and invoices (the demo has its own page)."""
    _own(subscription, by)
    if subscription.provider == Subscription.Provider.DEMO:
        return reverse("subscriptions:demo_portal", args=[subscription.pk])
    try:
        customer = billing_services.customer_id_for(subscription.mentee)
        return stripe_client.billing_portal_session_create(customer=customer, return_url=return_url).url
    except BillingError as error:
        raise SubscriptionError(error.message) from error


# --- credits ---------------------------------------------------------------------------------


def credits_end_before(*, subscription: Subscription, period_start: datetime) -> None:
    """A new period has begun: unspent credits of earlier periods end with theirs (they already
    do with Stripe, whose periods meet; the demo can end a period early)."""
    with transaction.atomic():
        ending = list(
            Credit.objects.select_for_update().filter(
                subscription=subscription,
                booking__isnull=True,
                period_start__lt=period_start,
                expires_at__gt=period_start,
            )
        )
        for credit in ending:
            credit.expires_at = period_start
        bulk_update_with_history(
            ending, Credit, ["expires_at"], default_change_reason="unspent at the start of a new period"
        )


def credits_grant(
    *, subscription: Subscription, period_start: datetime, period_end: datetime, count: int
) -> int:
    """Credits 1..count of the period starting at `period_start` (existing numbers stay as they
    are, so a replay grants nothing and a switch to a bigger plan tops up). Call under the
    subscription's lock."""
    credits_end_before(subscription=subscription, period_start=period_start)
    granted = set(
        Credit.objects.filter(subscription=subscription, period_start=period_start).values_list(
            "number", flat=True
        )
    )
    new = [
        Credit(subscription=subscription, period_start=period_start, number=n, expires_at=period_end)
        for n in range(1, count + 1)
        if n not in granted
    ]
    bulk_create_with_history(new, Credit, default_change_reason="granted for a paid period")
    return len(new)


def credit_spend(*, booking, now: datetime | None = None) -> Credit:
    """Pay for a booking with one of the mentee's credits with its mentor (inside the booking's
    transaction). The subscription's row lock makes two bookings at once share, never double-spend,
    the last credit."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(
            mentee_id=booking.mentee_id, mentor_id=booking.mentor_id, status__in=Subscription.LIVE_STATUSES
        )
        .first()
    )
    if subscription is None:
        raise SubscriptionError("You have no subscription with this mentor.")
    if not subscription.credits_usable(now):
        raise SubscriptionError("Your credits are on hold until the subscription's payment goes through.")
    if booking.duration > timedelta(minutes=subscription.plan.max_session_minutes):
        raise SubscriptionError(
            f"Your plan's credits cover sessions up to {subscription.plan.max_session_minutes} minutes."
        )
    credit = unspent_credits(subscription, now).select_for_update().order_by("expires_at", "number").first()
    if credit is None:
        renews = subscription.current_period_end
        when = f" They renew on {timezone.localtime(renews, booking.mentee.zone):%-d %B}." if renews else ""
        raise SubscriptionError("You have no credits left this period." + when)
    credit.booking = booking
    credit.spent_at = now
    credit.save(update_fields=["booking", "spent_at"])
    return credit


def credit_return(*, booking) -> Credit | None:
    """A session paid with a credit was cancelled in time (or by the mentor): the credit is
    usable again until its period ends. Inside the booking's transaction."""
    credit = Credit.objects.select_for_update().filter(booking=booking).first()
    if credit is None:
        return None
    credit.booking = None
    credit.spent_at = None
    credit.save(update_fields=["booking", "spent_at"])
    return credit
