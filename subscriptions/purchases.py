"""A subscription as billing sees it: the subscription kind of billing's purchases.

Stripe Billing keeps a subscription's money (its checkout in "subscription" mode, its invoices,
the mentor's share by destination charge), so billing needs only what its first payment asks
for, who bought it and what ends it: a first payment that is not what was asked for refuses the
subscription (billing.services.subscription_first_payment_as_asked). Registered from
subscriptions.apps.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from billing.purchases import PurchaseKind

from . import services
from .models import Subscription
from .selectors import subscription_first_charge


class SubscriptionPurchase(PurchaseKind):
    name = "subscription"
    field = "subscription"
    model = Subscription
    noun = "subscription"
    plural_noun = gettext_lazy("monthly plans")
    destination_charge = True  # each invoice is paid to the mentor's account
    # Its payment row exists only for a refused first payment, which ended it already.
    cancelled_when_refunded_in_full = False
    buyer_path = "subscription__mentee"
    mentor_path = "subscription__mentor"
    # A promotion code comes off the first month (a one-time coupon on the first invoice).
    accepts_codes = True
    code_label = gettext_lazy("monthly plans (first month)")

    def price(self, subscription: Subscription) -> tuple[int, str]:
        return subscription_first_charge(subscription)

    def buyer(self, subscription: Subscription):
        return subscription.mentee

    def title(self, subscription: Subscription) -> str:
        return gettext("your subscription to %(plan)s") % {"plan": subscription.plan.name}

    def url(self, subscription: Subscription) -> str:
        return subscription.plan.get_absolute_url()

    def mentor_id(self, subscription: Subscription) -> int:
        return subscription.mentor_id

    def is_held(self, subscription: Subscription) -> bool:
        # For the codes' sweep: a use is given back only with a checkout given up (which gives
        # it back itself); a subscription's payment leaves no Payment row to look for.
        return subscription.status != Subscription.Status.INCOMPLETE_EXPIRED

    def release(self, subscription: Subscription, *, note: str) -> None:
        services.subscription_refuse(subscription=subscription)
