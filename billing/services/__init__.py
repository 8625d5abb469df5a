"""Everything money does, one module per part: checkout, webhook events, refunds, payouts, Connect.

Each function is one transaction. Calls to Stripe never run inside a purchase's transaction:
rows are written first, then a task (dispatched on commit) calls Stripe with an idempotency
key derived from the row's id, so a retried task asks Stripe for the same thing again.

    payments           the provider, the platform's fee, what Stripe took against what we asked
    checkout           the hosted checkout of a held purchase, and the events that settle it
    mismatch           a payment that is not what we asked for: refused, whatever was bought
    events             the webhook event store and the one registry of event handlers
    refunds            refund rows, asked of Stripe, then followed up once
    refunds_in_stripe  refunds Stripe tells us about, including those made in Stripe itself
    payouts            the mentor's share by Transfer, disputes, the periodic safety net
    connect            mentors' Express accounts
    authorisations     a request to book's card: authorised, captured on accept, or released
    bookings           the session kind (billing.purchases): a booking's checkout, refund, payout

The names other apps call are importable from here (`from billing import services`).
"""

from .authorisations import authorisation_capture, authorisation_release
from .bookings import (
    PAYABLE_STATES,
    SessionPurchase,
    booking_is_payable,
    booking_payout,
    booking_refund_in_full,
    checkout_abandon,
    payment_start_checkout,
)
from .checkout import (
    CHECKOUT_MIN_EXPIRY,
    checkout_expire,
    customer_id_for,
    demo_checkout_abandon,
    demo_checkout_open,
    purchase_start_checkout,
)
from .connect import mentor_payouts_onboarding_url, mentor_payouts_ready, mentor_payouts_refresh
from .events import (
    MAX_EVENT_ATTEMPTS,
    event_process,
    event_record,
    event_reprocess,
    events_process_pending,
    handled_event_types,
    register_event_handler,
)
from .mismatch import payment_mismatch_reviewed, subscription_first_payment_as_asked
from .payments import charge_matches, platform_fee, provider
from .payouts import payments_to_pay_out, retry_stuck_money_movements, transfer_row, transfer_send
from .refunds import payment_refund, refund_execute, refund_follow_up, refund_in_full
from .refunds_in_stripe import REFUND_EVENT_TYPES, payment_sync_refunds

__all__ = [
    "CHECKOUT_MIN_EXPIRY",
    "MAX_EVENT_ATTEMPTS",
    "PAYABLE_STATES",
    "REFUND_EVENT_TYPES",
    "SessionPurchase",
    "authorisation_capture",
    "authorisation_release",
    "booking_is_payable",
    "booking_payout",
    "booking_refund_in_full",
    "charge_matches",
    "checkout_abandon",
    "checkout_expire",
    "customer_id_for",
    "demo_checkout_abandon",
    "demo_checkout_open",
    "event_process",
    "event_record",
    "event_reprocess",
    "events_process_pending",
    "handled_event_types",
    "mentor_payouts_onboarding_url",
    "mentor_payouts_ready",
    "mentor_payouts_refresh",
    "payment_mismatch_reviewed",
    "payment_refund",
    "payment_start_checkout",
    "payment_sync_refunds",
    "platform_fee",
    "provider",
    "purchase_start_checkout",
    "refund_execute",
    "refund_follow_up",
    "refund_in_full",
    "register_event_handler",
    "retry_stuck_money_movements",
    "subscription_first_payment_as_asked",
    "payments_to_pay_out",
    "transfer_row",
    "transfer_send",
]
