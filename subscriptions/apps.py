from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        # billing owns the webhook endpoints and the event store; Stripe Billing's events are
        # handled here and registered with it (billing is imported by this app, not the reverse).
        from billing.services import EVENT_HANDLERS

        from .webhooks import HANDLERS

        EVENT_HANDLERS.update(HANDLERS)

        from sessions import hooks as sessions_hooks

        from . import selectors, services

        sessions_hooks.spend_credit.register(services.credit_spend)
        sessions_hooks.return_credit.register(services.credit_return)
        sessions_hooks.offering_page_context.register(selectors.offering_page_context)
        sessions_hooks.booking_page_context.register(selectors.booking_page_context)
