"""Everything a subscription can do, one module per part.

Stripe Billing is the source of truth for a subscription's status and periods: our row changes
when its events arrive (subscriptions/webhooks.py), or when Stripe answers a change we asked for.
The demo provider builds the same events (subscriptions/demo.py). Credits are rows, one per
credit of a paid period, unique per (subscription, period, number), so no event replay or
reordering can grant a period twice.

    base            SubscriptionError
    plans           the mentor's plans
    checkout        subscribing: the place under the plan, its checkout, a first payment refused
    managing        cancel or resume, switch plans, the customer portal, stopped renewals,
                    a failed renewal told once
    credits         session credits: granted, ended, spent, given back
    demo_provider   the demo's events and renewals

The names other apps call are importable from here (`from subscriptions import services`).
"""

from ..selectors import plan_is_full
from .base import SubscriptionError
from .checkout import (
    CHECKOUT_LIFETIME,
    checkout_given_up,
    checkout_session_close,
    subscription_cancel_at_stripe,
    subscription_cancel_refused_on_commit,
    subscription_checkout_expire,
    subscription_refuse,
    subscription_start_checkout,
)
from .credits import credit_return, credit_spend, credits_end_before, credits_grant
from .demo_provider import demo_periods_advance, demo_periods_renew_due, record_events
from .managing import (
    payment_failed_notify,
    subscription_portal_url,
    subscription_set_cancel_at_period_end,
    subscription_switch_plan,
    subscriptions_stop_renewing,
)
from .plans import plan_save, plan_set_published

__all__ = [
    "CHECKOUT_LIFETIME",
    "SubscriptionError",
    "checkout_given_up",
    "checkout_session_close",
    "credit_return",
    "credit_spend",
    "credits_end_before",
    "credits_grant",
    "demo_periods_advance",
    "demo_periods_renew_due",
    "payment_failed_notify",
    "plan_is_full",
    "plan_save",
    "plan_set_published",
    "record_events",
    "subscription_cancel_at_stripe",
    "subscription_cancel_refused_on_commit",
    "subscription_checkout_expire",
    "subscription_portal_url",
    "subscription_refuse",
    "subscription_set_cancel_at_period_end",
    "subscription_start_checkout",
    "subscription_switch_plan",
    "subscriptions_stop_renewing",
]
