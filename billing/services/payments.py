"""What every part of billing's services shares: the provider, the platform's fee, the one
comparison of what Stripe took with what we asked for, and finding our payment from a Stripe
object."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..models import Payment

# settings.BILLING_PROVIDER: one of Payment.Provider, or this when card payments are not set up.
NO_PROVIDER = "none"


def provider() -> str:
    return settings.BILLING_PROVIDER


def payments_off() -> bool:
    """No provider: nothing paid can be bought (free sessions still can)."""
    return provider() == NO_PROVIDER


def check_provider_settings(*, provider: str, debug: bool, secret_key: str) -> None:
    """The demo provider takes no money, so it must never run where DEBUG is off."""
    providers = (*Payment.Provider.values, NO_PROVIDER)
    if provider not in providers:
        raise ImproperlyConfigured(f"BILLING_PROVIDER must be one of {', '.join(providers)}.")
    if provider == Payment.Provider.DEMO and not debug:
        raise ImproperlyConfigured(
            "The demo payment provider only runs with DEBUG on; set STRIPE_SECRET_KEY in production."
        )
    if provider == Payment.Provider.STRIPE and not secret_key:
        raise ImproperlyConfigured("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY.")


def platform_fee(amount: int) -> int:
    """The platform's share of an amount, rounded half up to a whole minor unit."""
    return (amount * settings.PLATFORM_FEE_PERCENT + 50) // 100


def charge_matches(*, asked_amount: int, asked_currency: str, amount: object, currency: object) -> bool:
    """Whether Stripe took exactly what we asked for: the same whole number of minor units in
    the same ISO currency (Stripe writes currencies in lower case, we in upper). Anything else is
    not what we asked for: another amount or currency, or a figure missing or not an integer."""
    return (
        type(amount) is int
        and amount == asked_amount
        and isinstance(currency, str)
        and currency.isascii()
        and currency.upper() == asked_currency.upper()
    )


def payment_for(obj: dict, *, lock: bool = True) -> Payment:
    """Our payment a Stripe object (a checkout session, payment intent or charge) is about: by the
    ids Stripe gave us, then by the purchase its metadata names. LookupError when none is ours."""
    query = Payment.objects.select_for_update(of=("self",)) if lock else Payment.objects.all()
    query = query.select_related("booking", "enrollment")
    found = None
    if obj.get("object") == "checkout.session":
        found = query.filter(checkout_session_id=obj.get("id")).first()
    if found is None and obj.get("payment_intent"):
        found = query.filter(payment_intent_id=obj["payment_intent"]).first()
    if found is None and obj.get("object") == "payment_intent":
        found = query.filter(payment_intent_id=obj.get("id")).first()
    if found is None and obj.get("object") == "charge" and obj.get("id"):
        found = query.filter(charge_id=obj["id"]).first()
    metadata = obj.get("metadata") or {}
    booking_id = metadata.get("booking_id") or (
        None
        if metadata.get("enrollment_id") or metadata.get("question_id")
        else obj.get("client_reference_id")
    )
    if found is None and booking_id:
        found = query.filter(booking_id=booking_id).first()
    if found is None and metadata.get("enrollment_id"):
        found = query.filter(enrollment_id=metadata["enrollment_id"]).first()
    if found is None and metadata.get("question_id"):
        found = query.filter(question_id=metadata["question_id"]).first()
    if found is None:
        raise LookupError(f"no payment for {obj.get('object')} {obj.get('id')}")
    return found
