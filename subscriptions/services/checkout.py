"""Subscribing: a place under the plan reserved and its checkout opened (Stripe Checkout in
subscription mode, or the demo's), a checkout given up, and a subscription refused because its
first payment was not what was asked."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from simple_history.utils import bulk_update_with_history

from billing import services as billing_services
from billing import stripe_client
from billing.ladder import (
    upgrade_offer_available,
    upgrade_offer_coupon_id,
    upgrade_offer_redeem,
    upgrade_offer_release,
)
from billing.models import ConnectedAccount
from billing.services import codes
from billing.stripe_client import BillingError
from core.errors import DomainError
from core.one_click import one_click_url

from .. import tasks
from ..models import Credit, Plan, Subscription
from ..selectors import checkout_waiting, plan_is_full, subscription_upgrade_credit
from .base import SubscriptionError

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("subscriptions")
Status = Subscription.Status


# Stripe lets a Checkout Session live 30 minutes to 24 hours; a subscription checkout left
# this long is given up (and its place under the plan's cap freed).
CHECKOUT_LIFETIME = timedelta(hours=1)


def subscription_start_checkout(*, plan: Plan, mentee: User, base_url: str, code: str = "") -> Subscription:
    """Reserve a place under the plan (one open subscription per mentor) and open its checkout:
    Stripe Checkout in subscription mode, or the demo's test checkout. `base_url` is the site's
    address as the mentee reached it (Stripe sends them back there). A promotion `code` comes off
    the first month (billing holds one use of it); a checkout still open is reused unless another
    code is asked for."""
    code = code.strip()
    provider = billing_services.provider()
    if provider == "none":
        raise SubscriptionError(gettext("Card payments are not set up on this site yet."))
    if not plan.is_published or not plan.mentor.is_approved:
        raise SubscriptionError(gettext("This plan is not open for subscriptions."))
    if plan.mentor.user_id == mentee.pk:
        raise SubscriptionError(gettext("You cannot subscribe to your own plan."))
    if not mentee.emailaddress_set.filter(verified=True).exists():
        raise SubscriptionError(gettext("Please verify your e-mail address before subscribing."))
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
                same = current.plan_id == plan.pk and codes.checkout_fits_code(current.pk, code)
                if same and current.checkout_url:
                    return current  # back to the checkout already open
                _give_up_checkout(current)
            elif current and current.status == Status.INCOMPLETE:
                _give_up_checkout(current)
            elif current:
                raise SubscriptionError(
                    gettext("You already subscribe to this mentor. Switch plans from your subscription page.")
                )
            if plan_is_full(plan, now):
                raise SubscriptionError(gettext("This plan is full right now."))
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
            if offer is not None and code:
                raise SubscriptionError(CODE_WITH_CREDIT, field="code")
            if offer is not None:
                upgrade_offer_redeem(offer=offer, subscription=subscription, now=now)
            elif code:
                _apply_code(subscription, code)
    except IntegrityError as error:  # a second tab subscribing to this mentor at the same moment
        raise SubscriptionError(gettext("You already subscribe to this mentor.")) from error
    try:
        return _open_checkout(subscription, base_url=base_url.rstrip("/"))
    except BillingError as error:
        subscription_checkout_expire(subscription=subscription)
        raise SubscriptionError(error.message) from error


CODE_WITH_CREDIT = gettext_lazy(
    "Your upgrade credit already comes off the first month, and one discount is taken at a time: "
    "leave the code empty to use the credit."
)


def _apply_code(subscription: Subscription, code: str) -> None:
    """One use of the promotion code held for the first month (its price is read from the use:
    subscriptions.selectors.subscription_first_charge)."""
    try:
        codes.code_apply(purchase=subscription, text=code)
    except DomainError as error:
        raise SubscriptionError(error.message, field="code") from error


def checkout_given_up(subscription: Subscription) -> None:
    """Under the row's lock: a subscription checkout that was never paid frees its place under
    the plan and gives back the upgrade credit or the code's use it would have used."""
    subscription.status = Status.INCOMPLETE_EXPIRED
    subscription.save(update_fields=["status", "updated_at"])
    offer = subscription_upgrade_credit(subscription=subscription)
    if offer is not None:
        upgrade_offer_release(offer=offer)
    codes.code_release(purchase_id=subscription.pk)


def _give_up_checkout(subscription: Subscription) -> None:
    """As checkout_given_up, and close the Stripe checkout so it can no longer be paid."""
    checkout_given_up(subscription)
    if subscription.provider == Subscription.Provider.STRIPE and subscription.checkout_session_id:
        tasks.expire_checkout.delay_on_commit(subscription.checkout_session_id)


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


def stripe_price_id(plan: Plan) -> str:
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
        raise BillingError(gettext("This mentor cannot take subscriptions right now."))
    metadata = {"subscription_id": str(subscription.pk), "plan_id": str(plan.pk)}
    offer = subscription_upgrade_credit(subscription=subscription)
    redemption = None if offer else codes.redemption_for(subscription.pk)
    if offer is not None:
        discounts = {"discounts": [{"coupon": upgrade_offer_coupon_id(offer=offer)}]}
    elif redemption is not None:  # a one-time coupon: the first invoice only
        discounts = {"discounts": codes.checkout_discounts(redemption)}
        metadata["promotion_code"] = redemption.code.code
    else:
        discounts = {}
    return {
        **discounts,
        "mode": "subscription",
        "customer": billing_services.customer_id_for(subscription.mentee),
        "client_reference_id": str(subscription.pk),
        "line_items": [{"price": stripe_price_id(plan), "quantity": 1}],
        "subscription_data": {
            # The mentor's connected account receives each invoice; the platform keeps its fee.
            "application_fee_percent": settings.PLATFORM_FEE_PERCENT,
            "transfer_data": {"destination": account.stripe_account_id},
            "description": gettext("%(plan)s with %(name)s")
            % {"plan": plan.name, "name": plan.mentor.user.name},
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
        tasks.cancel_refused.delay_on_commit(str(subscription.pk))


def subscription_cancel_at_stripe(*, subscription_id: str) -> None:
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
