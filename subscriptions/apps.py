from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from billing import hooks as billing_hooks
from billing.purchases import register
from sessions import hooks as sessions_hooks


class SubscriptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        # Here, not above: these modules import models, which load once the app registry is ready.
        from billing.services.events import register_event_handler

        from . import ladder, selectors, services, webhooks
        from .purchases import SubscriptionPurchase

        # billing takes the money and owns the webhook events; a subscription is one of its
        # purchase kinds, Stripe Billing's events are handled here, and a plan is somewhere an
        # upgrade credit can be spent (billing is imported by this app, never the reverse).
        register(SubscriptionPurchase())
        for event_type, handle in webhooks.HANDLERS.items():
            register_event_handler(event_type, handle, whole_event=True)
        for event_type, handle in webhooks.CHECKOUT_HANDLERS.items():
            register_event_handler(event_type, handle, checkout_mode="subscription")
        billing_hooks.upgrade_offer_target.register(ladder.upgrade_offer_target)
        billing_hooks.upgrade_spend_targets.register(ladder.upgrade_spend_targets)
        billing_hooks.upgrade_credit_kept.register(ladder.upgrade_credit_kept)

        sessions_hooks.spend_credit.register(services.credit_spend)
        sessions_hooks.return_credit.register(services.credit_return)
        sessions_hooks.offering_page_context.register(selectors.offering_page_context)
        sessions_hooks.booking_page_context.register(selectors.booking_page_context)
