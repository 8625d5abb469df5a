"""The subscriber manages their subscription: cancel at the period's end or resume, switch plans,
Stripe's customer portal; a suspended mentor's subscriptions stop renewing; a failed renewal is
told to the subscriber once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import services as billing_services
from billing import stripe_client
from billing.stripe_client import BillingError
from core.emails import templated_email

from .. import demo, webhooks
from ..models import Plan, Subscription
from ..selectors import plan_is_full
from .base import SubscriptionError
from .checkout import stripe_price_id
from .demo_provider import record_events

if TYPE_CHECKING:
    from accounts.models import User

Status = Subscription.Status


def _own(subscription: Subscription, by: User) -> Subscription:
    if subscription.mentee_id != by.pk:
        raise SubscriptionError(_("Only the subscriber can change this subscription."))
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
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            webhooks.subscription_apply(locked, answer.to_dict(), created=int(timezone.now().timestamp()))
    subscription.refresh_from_db()
    return subscription


def subscription_set_cancel_at_period_end(
    *, subscription: Subscription, by: User, cancel: bool
) -> Subscription:
    """Cancel at the end of the paid period (credits stay usable until then), or resume."""
    _own(subscription, by)
    if subscription.status not in Subscription.LIVE_STATUSES:
        raise SubscriptionError(_("Only a running subscription can be cancelled or resumed."))
    if subscription.cancel_at_period_end == cancel:
        return subscription
    if not cancel and subscription.current_period_end and subscription.current_period_end <= timezone.now():
        raise SubscriptionError(_("This subscription has already ended."))
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
            subject=lambda subscription=subscription: (
                _("Your plan with %(name)s will not renew") % {"name": subscription.mentor.user.name}
            ),
            to=[subscription.mentee.email],
            context={"subscription": subscription, "site_url": settings.SITE_URL},
            zone=subscription.mentee.zone,
        ).send()
        stopped += 1
    return stopped


def subscription_switch_plan(*, subscription: Subscription, by: User, plan: Plan) -> Subscription:
    """Move to another of the mentor's plans; Stripe prorates the price difference."""
    _own(subscription, by)
    if subscription.status not in (Status.ACTIVE, Status.TRIALING):
        raise SubscriptionError(_("You can switch plans while the subscription is active."))
    if plan.mentor_id != subscription.mentor_id or not plan.is_published:
        raise SubscriptionError(_("Pick one of this mentor's plans."), field="plan")
    if plan.pk == subscription.plan_id:
        raise SubscriptionError(_("You are on this plan already."), field="plan")
    if plan.currency != subscription.plan.currency:
        raise SubscriptionError(_("Plans in another currency cannot be switched to."), field="plan")
    if plan_is_full(plan):
        raise SubscriptionError(_("That plan is full right now."), field="plan")
    try:
        params = {}
        if subscription.provider == Subscription.Provider.STRIPE:
            params = {
                "items": [{"id": subscription.stripe_item_id, "price": stripe_price_id(plan)}],
                "proration_behavior": "create_prorations",
                "metadata": {"subscription_id": str(subscription.pk), "plan_id": str(plan.pk)},
            }
        return _change(subscription, action=f"plan-{plan.pk}", params=params, demo_changes={"plan": plan})
    except BillingError as error:
        raise SubscriptionError(error.message) from error


def subscription_portal_url(*, subscription: Subscription, by: User, return_url: str) -> str:
    """Stripe's customer portal: payment methods and invoices (the demo has its own page)."""
    _own(subscription, by)
    if subscription.provider == Subscription.Provider.DEMO:
        return reverse("subscriptions:demo_portal", args=[subscription.pk])
    try:
        customer = billing_services.customer_id_for(subscription.mentee)
        return stripe_client.billing_portal_session_create(customer=customer, return_url=return_url).url
    except BillingError as error:
        raise SubscriptionError(error.message) from error


def payment_failed_notify(*, subscription_id: str) -> bool:
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
            subject=lambda: (
                _("Your payment for %(plan)s did not go through") % {"plan": subscription.plan.name}
            ),
            to=[mentee.email],
            context={"subscription": subscription, "site_url": settings.SITE_URL},
            zone=mentee.zone,
        ).send()
        subscription.past_due_emailed_at = timezone.now()
        subscription.save(update_fields=["past_due_emailed_at"])
    return True
