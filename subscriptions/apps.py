from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        # billing owns the webhook endpoint and the event store; the subscription events are
        # handled here and registered with it (billing cannot import this app: it is imported by it).
        from billing.services import HANDLERS

        from .webhooks import HANDLERS as SUBSCRIPTION_HANDLERS

        HANDLERS.update(SUBSCRIPTION_HANDLERS)
