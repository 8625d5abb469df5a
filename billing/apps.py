from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PROVIDERS = ("stripe", "demo", "none")


def check_provider_settings(*, provider: str, debug: bool, secret_key: str) -> None:
    """The demo provider takes no money, so it must never run where DEBUG is off."""
    if provider not in PROVIDERS:
        raise ImproperlyConfigured(f"BILLING_PROVIDER must be one of {', '.join(PROVIDERS)}.")
    if provider == "demo" and not debug:
        raise ImproperlyConfigured(
            "The demo payment provider only runs with DEBUG on; set STRIPE_SECRET_KEY in production."
        )
    if provider == "stripe" and not secret_key:
        raise ImproperlyConfigured("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY.")


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        check_provider_settings(
            provider=settings.BILLING_PROVIDER, debug=settings.DEBUG, secret_key=settings.STRIPE_SECRET_KEY
        )
