"""Every call we make to Stripe goes through this module.

One `stripe.StripeClient` per call site, with retries, a timeout and an idempotency key derived
from our own ids, so a retried task or a double click never moves money twice. Tests swap
`http_client` (see `use_http_client`) for a recording client that answers with fixture JSON.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings

from core.errors import DomainError

logger = logging.getLogger("billing.stripe")

_http_client: stripe.HTTPClient | None = None

GENERIC_MESSAGE = "Our payment provider could not complete this just now. Please try again in a minute."


class BillingError(DomainError):
    """Payments said no (Stripe refused, or a payment rule); `code` tells "not_configured" apart."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


def use_http_client(http_client: stripe.HTTPClient | None) -> None:
    """Inject the HTTP client every StripeClient is built with (None: the SDK's default)."""
    global _http_client
    _http_client = http_client


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise BillingError("Card payments are not set up on this site yet.", code="not_configured")
    http_client = _http_client or stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    api_base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION or None,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=http_client,
        **({"base_addresses": {"api": api_base}} if api_base else {}),
    )


def _call(what: str, request: Callable[[stripe.StripeClient], Any], *, idempotency_key: str = "") -> Any:
    started = time.monotonic()
    try:
        result = request(client())
    except stripe.StripeError as error:
        logger.warning(
            "stripe %s failed (key=%s, status=%s, code=%s, request=%s): %s",
            what,
            idempotency_key,
            error.http_status,
            error.code,
            error.request_id,
            error,
        )
        user_message = error.user_message if isinstance(error, stripe.CardError) else None
        raise BillingError(user_message or GENERIC_MESSAGE, code=error.code or "stripe_error") from error
    logger.info(
        "stripe %s ok (key=%s, id=%s, %.0f ms)",
        what,
        idempotency_key,
        getattr(result, "id", None),
        (time.monotonic() - started) * 1000,
    )
    return result


def _options(idempotency_key: str, **extra) -> dict:
    return {"idempotency_key": idempotency_key, **extra}


def customer_create(*, email: str, name: str, user_id: int) -> stripe.Customer:
    key = f"customer-{user_id}"
    params = {"email": email, "name": name, "metadata": {"user_id": str(user_id)}}
    return _call(
        "customer.create",
        lambda c: c.v1.customers.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def checkout_session_create(*, payment_id: str, params: dict) -> stripe.checkout.Session:
    key = f"checkout-{payment_id}"
    return _call(
        "checkout.session.create",
        lambda c: c.v1.checkout.sessions.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def checkout_session_expire(*, session_id: str) -> stripe.checkout.Session:
    key = f"checkout-expire-{session_id}"
    return _call(
        "checkout.session.expire",
        lambda c: c.v1.checkout.sessions.expire(session_id, options=_options(key)),
        idempotency_key=key,
    )


def refund_create(
    *, refund_id: int, payment_intent: str, amount: int, metadata: dict, destination_charge: bool = False
) -> stripe.Refund:
    """`destination_charge`: the charge was sent on to a connected account (a subscription's
    invoice, `transfer_data`), so the transfer and the platform's fee are taken back with it."""
    key = f"refund-{refund_id}"
    params: dict = {"payment_intent": payment_intent, "amount": amount, "metadata": metadata}
    if destination_charge:
        params.update(reverse_transfer=True, refund_application_fee=True)
    return _call(
        "refund.create",
        lambda c: c.v1.refunds.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def refund_list(*, charge: str = "", payment_intent: str = "") -> list[dict]:
    """Every refund of one charge (or payment intent), newest first, as plain dicts; a read, so no
    idempotency key. A charge is refunded a handful of times at most: one page of 100 holds them."""
    params: dict = {"limit": 100}
    if charge:
        params["charge"] = charge
    else:
        params["payment_intent"] = payment_intent
    listing = _call("refund.list", lambda c: c.v1.refunds.list(params=params))
    return [refund.to_dict() for refund in listing.data]


def transfer_create(
    *, transfer_id: int, amount: int, currency: str, destination: str, source_charge: str, metadata: dict
) -> stripe.Transfer:
    key = f"transfer-{transfer_id}"
    params = {
        "amount": amount,
        "currency": currency.lower(),
        "destination": destination,
        "transfer_group": metadata.get("booking_id", ""),
        "metadata": metadata,
    }
    if source_charge:
        params["source_transaction"] = source_charge
    return _call(
        "transfer.create",
        lambda c: c.v1.transfers.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def transfer_reverse(*, transfer_id: str, amount: int, refund_id: int) -> stripe.Reversal:
    key = f"reversal-{refund_id}"
    params = {"amount": amount, "metadata": {"refund_id": str(refund_id)}}
    return _call(
        "transfer.reversal.create",
        lambda c: c.v1.transfers.reversals.create(transfer_id, params=params, options=_options(key)),
        idempotency_key=key,
    )


def express_account_create(*, mentor_id: int, email: str, country: str = "") -> stripe.Account:
    key = f"account-{mentor_id}"
    params: dict = {
        "type": "express",
        "email": email,
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"mentor_id": str(mentor_id)},
    }
    if country:
        params["country"] = country
    return _call(
        "account.create",
        lambda c: c.v1.accounts.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def account_link_create(*, account_id: str, refresh_url: str, return_url: str) -> stripe.AccountLink:
    params = {
        "account": account_id,
        "refresh_url": refresh_url,
        "return_url": return_url,
        "type": "account_onboarding",
    }
    # Account links are single-use and short-lived: no idempotency key, a fresh one each time.
    return _call("account_link.create", lambda c: c.v1.account_links.create(params=params))


def payment_intent_retrieve(*, payment_intent_id: str) -> stripe.PaymentIntent:
    return _call("payment_intent.retrieve", lambda c: c.v1.payment_intents.retrieve(payment_intent_id))


def payment_intent_capture(*, payment_intent_id: str, payment_id: str) -> stripe.PaymentIntent:
    """A request to book was accepted: take the money its checkout authorised (all of it, once)."""
    key = f"capture-{payment_id}"
    return _call(
        "payment_intent.capture",
        lambda c: c.v1.payment_intents.capture(payment_intent_id, options=_options(key)),
        idempotency_key=key,
    )


def payment_intent_cancel(*, payment_intent_id: str, payment_id: str) -> stripe.PaymentIntent:
    """A request to book was declined or lapsed: release the authorisation on the card."""
    key = f"release-{payment_id}"
    return _call(
        "payment_intent.cancel",
        lambda c: c.v1.payment_intents.cancel(
            payment_intent_id, params={"cancellation_reason": "abandoned"}, options=_options(key)
        ),
        idempotency_key=key,
    )


def account_retrieve(*, account_id: str) -> stripe.Account:
    return _call("account.retrieve", lambda c: c.v1.accounts.retrieve(account_id))


def coupon_create(*, offer_id: int, amount_off: int, currency: str, redeem_by: int) -> stripe.Coupon:
    """An upgrade credit as a one-time discount: one redemption, on one invoice, until it expires."""
    key = f"upgrade-{offer_id}-coupon"
    params = {
        "amount_off": amount_off,
        "currency": currency.lower(),
        "duration": "once",
        "max_redemptions": 1,
        "redeem_by": redeem_by,
        "name": "Upgrade credit",
        "metadata": {"upgrade_offer_id": str(offer_id)},
    }
    return _call(
        "coupon.create",
        lambda c: c.v1.coupons.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def promotion_coupon_create(
    *, redemption_id: int, amount_off: int, currency: str, name: str, code_id: int
) -> stripe.Coupon:
    """One use of a promotion code as a one-time coupon of exactly its discount (Checkout's
    `discounts`): the receipt shows the code's name and the amount it took off."""
    key = f"code-redemption-{redemption_id}-coupon"
    params = {
        "amount_off": amount_off,
        "currency": currency.lower(),
        "duration": "once",
        "max_redemptions": 1,
        "name": name,
        "metadata": {"promotion_code_id": str(code_id), "code_redemption_id": str(redemption_id)},
    }
    return _call(
        "coupon.create",
        lambda c: c.v1.coupons.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def construct_event(*, payload: bytes, signature: str, secret: str) -> Any:
    """Verify Stripe's signature and its timestamp, and return the body as parsed JSON.

    Raises stripe.SignatureVerificationError for a forged or mistimed delivery, ValueError for a
    body that is not strict JSON. The SDK only refuses timestamps older than the tolerance; one as
    far ahead is refused too, so a signed body cannot be kept to be replayed later.
    The body is parsed strictly: NaN, Infinity and numbers too big for a float are not JSON, and
    the database could not store them either.
    """
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    if not signature.isascii():  # the SDK's constant-time compare raises TypeError on such text
        raise stripe.SignatureVerificationError("The signature header is not ASCII", signature, payload)
    stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
    timestamp = _signed_timestamp(signature)
    if timestamp > time.time() + tolerance:
        raise stripe.SignatureVerificationError(
            f"Timestamp ahead of the tolerance zone ({timestamp})", signature, payload
        )
    text = payload.decode("utf-8") if isinstance(payload, bytes | bytearray) else payload
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite_float)
    except RecursionError as error:
        raise ValueError("the body is nested too deeply") from error


def _signed_timestamp(signature: str) -> int:
    """The header's `t`, the first one, as the SDK reads it (the header is known good here)."""
    return int(next(item.split("=", 2)[1] for item in signature.split(",") if item.split("=", 2)[0] == "t"))


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too big for a number")
    return number


# --- Billing (subscriptions) -----------------------------------------------------------------


def product_create(*, plan_id: int, name: str, mentor_id: int) -> stripe.Product:
    key = f"plan-{plan_id}-product"
    params = {"name": name, "metadata": {"plan_id": str(plan_id), "mentor_id": str(mentor_id)}}
    return _call(
        "product.create",
        lambda c: c.v1.products.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def price_create(*, plan_id: int, product: str, amount: int, currency: str) -> stripe.Price:
    """A monthly recurring Price; one per (plan, amount, currency), as prices are immutable."""
    key = f"plan-{plan_id}-price-{amount}-{currency.lower()}"
    params = {
        "product": product,
        "unit_amount": amount,
        "currency": currency.lower(),
        "recurring": {"interval": "month"},
        "metadata": {"plan_id": str(plan_id)},
    }
    return _call(
        "price.create",
        lambda c: c.v1.prices.create(params=params, options=_options(key)),
        idempotency_key=key,
    )


def subscription_update(*, subscription_id: str, params: dict, idempotency_key: str) -> stripe.Subscription:
    return _call(
        "subscription.update",
        lambda c: c.v1.subscriptions.update(
            subscription_id, params=params, options=_options(idempotency_key)
        ),
        idempotency_key=idempotency_key,
    )


def subscription_cancel(*, subscription_id: str, idempotency_key: str) -> stripe.Subscription:
    """End a subscription now: no further invoice, no proration, nothing invoiced at once."""
    params = {"invoice_now": False, "prorate": False}
    return _call(
        "subscription.cancel",
        lambda c: c.v1.subscriptions.cancel(
            subscription_id, params=params, options=_options(idempotency_key)
        ),
        idempotency_key=idempotency_key,
    )


def invoice_payment_intent(*, invoice_id: str) -> str:
    """The PaymentIntent that paid an invoice ("" if none): since API 2025-03-31 an invoice names
    its payments only through the invoice payments list."""
    params = {"invoice": invoice_id, "status": "paid", "limit": 1}
    found = _call("invoice_payment.list", lambda c: c.v1.invoice_payments.list(params=params))
    for invoice_payment in found.data:
        intent = getattr(invoice_payment.payment, "payment_intent", None) or ""
        return intent if isinstance(intent, str) else getattr(intent, "id", "")
    return ""


def billing_portal_session_create(*, customer: str, return_url: str) -> stripe.billing_portal.Session:
    params = {"customer": customer, "return_url": return_url}
    # A portal session is single-use and short-lived: a fresh one each time.
    return _call(
        "billing_portal.session.create", lambda c: c.v1.billing_portal.sessions.create(params=params)
    )
