"""Everything money does: checkout, webhook processing, refunds, payouts, onboarding.

Each function is one transaction. Calls to Stripe never run inside a booking's transaction:
rows are written first, then a task (dispatched on commit) calls Stripe with an idempotency
key derived from the row's id, so a retried task asks Stripe for the same thing again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.emails import templated_email
from core.history import change_reason
from core.money import format_money
from mentors.models import MentorProfile
from sessions import services as booking_services
from sessions.models import Booking

from . import stripe_client
from .models import (
    REFUND_FOLLOW_UP_DUE,
    BillingCustomer,
    ConnectedAccount,
    Payment,
    Refund,
    Transfer,
    WebhookEvent,
)
from .stripe_client import BillingError

logger = logging.getLogger("billing")

CHECKOUT_MIN_EXPIRY = timedelta(minutes=30, seconds=30)  # Stripe refuses less than 30 minutes


def provider() -> str:
    return settings.BILLING_PROVIDER


def platform_fee(amount: int) -> int:
    """The platform's share of an amount, rounded half up to a whole minor unit."""
    return (amount * settings.PLATFORM_FEE_PERCENT + 50) // 100


def charge_matches(*, asked_amount: int, asked_currency: str, amount, currency) -> bool:
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


def mentor_payouts_ready(*, mentor: MentorProfile) -> bool:
    """Paid offerings need a connected account that can receive payouts (Stripe only)."""
    if provider() != "stripe":
        return True
    return ConnectedAccount.objects.filter(mentor=mentor, payouts_enabled=True).exists()


# --- checkout --------------------------------------------------------------------------------


def _customer_id_for(user) -> str:
    existing = BillingCustomer.objects.filter(user=user).first()
    if existing:
        return existing.stripe_customer_id
    customer = stripe_client.customer_create(email=user.email, name=user.name, user_id=user.pk)
    stored, _ = BillingCustomer.objects.get_or_create(user=user, defaults={"stripe_customer_id": customer.id})
    return stored.stripe_customer_id


def payment_start_checkout(*, booking: Booking, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout for a held booking; the price comes from the booking row."""
    if provider() == "none":
        raise BillingError("Card payments are not set up on this site yet.", code="not_configured")
    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("offering", "mentee").get(pk=booking.pk)
        if booking.state != Booking.State.HELD or not booking.price_amount:
            raise BillingError("This booking is not waiting for payment.")
        if booking.hold_expires_at and booking.hold_expires_at <= now:
            raise BillingError("The hold on this slot has run out. Please pick the time again.")
        payment = _pending_payment(booking=booking)
        if payment.checkout_url:
            return payment
        # The checkout and the hold end together; Stripe needs at least 30 minutes.
        expires_at = max(booking.hold_expires_at or now, now + CHECKOUT_MIN_EXPIRY).replace(microsecond=0)
        booking_services.booking_extend_hold(booking=booking, until=expires_at)
    return _open_checkout_session(
        payment, lambda: _checkout_params(booking, payment, success_url, cancel_url, expires_at)
    )


def _pending_payment(**purchase) -> Payment:
    """The one payment row of a booking or a seat (booking= or enrollment=), at its own price."""
    [(_, bought)] = purchase.items()
    payment, _ = Payment.objects.get_or_create(
        **purchase,
        defaults={
            "provider": provider(),
            "amount": bought.price_amount,
            "currency": bought.currency,
            "platform_fee": platform_fee(bought.price_amount),
        },
    )
    return payment


def _open_checkout_session(payment: Payment, params) -> Payment:
    """The hosted page for a pending payment: Stripe Checkout (params() builds the session) or
    the demo's test checkout. Called outside the purchase's transaction (a network call)."""
    if payment.provider == Payment.Provider.DEMO:
        session_id = f"cs_demo_{payment.pk.hex}"
        url = reverse("billing:demo_checkout", args=[payment.pk])
    else:
        session = stripe_client.checkout_session_create(payment_id=str(payment.pk), params=params())
        session_id, url = session.id, session.url
    Payment.objects.filter(pk=payment.pk).update(checkout_session_id=session_id, checkout_url=url)
    payment.refresh_from_db()
    return payment


def _checkout_params(booking: Booking, payment: Payment, success_url, cancel_url, expires_at) -> dict:
    metadata = {"booking_id": str(booking.pk), "payment_id": str(payment.pk)}
    return {
        "mode": "payment",
        "customer": _customer_id_for(booking.mentee),
        "client_reference_id": str(booking.pk),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": payment.amount,
                    "product_data": {
                        "name": booking.offering.title,
                        "description": (
                            f"{booking.offering.duration_minutes} minutes with {booking.mentor.user.name}"
                        ),
                    },
                },
            }
        ],
        "payment_intent_data": {
            "receipt_email": booking.mentee.email,
            "metadata": metadata,
            "transfer_group": str(booking.pk),
        },
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }


def seat_start_checkout(*, enrollment, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout for a held cohort seat; the price comes from the enrolment."""
    from cohorts.models import Enrollment
    from cohorts.services import enrollment_extend_hold

    if provider() == "none":
        raise BillingError("Card payments are not set up on this site yet.", code="not_configured")
    now = timezone.now()
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("cohort__facilitator__user", "member")
            .get(pk=enrollment.pk)
        )
        if enrollment.state != Enrollment.State.HELD or not enrollment.price_amount:
            raise BillingError("This seat is not waiting for payment.")
        if enrollment.hold_expires_at and enrollment.hold_expires_at <= now:
            raise BillingError("The hold on this seat has run out. Please enroll again.")
        payment = _pending_payment(enrollment=enrollment)
        if payment.checkout_url:
            return payment
        expires_at = max(enrollment.hold_expires_at or now, now + CHECKOUT_MIN_EXPIRY).replace(microsecond=0)
        enrollment_extend_hold(enrollment=enrollment, until=expires_at)
    return _open_checkout_session(
        payment, lambda: _seat_checkout_params(enrollment, payment, success_url, cancel_url, expires_at)
    )


def _seat_checkout_params(enrollment, payment: Payment, success_url, cancel_url, expires_at) -> dict:
    from .ladder import seat_upgrade_credit

    cohort = enrollment.cohort
    metadata = {"enrollment_id": str(enrollment.pk), "payment_id": str(payment.pk)}
    description = (
        f"{cohort.weeks}-week cohort with {cohort.facilitator.user.name}, "
        f"starting {cohort.start_date:%Y-%m-%d}"
    )
    credit = seat_upgrade_credit(enrollment=enrollment)
    if credit is not None:
        description += f"; upgrade credit of {credit.amount_display} applied (seat {cohort.price_display})"
        metadata["upgrade_offer_id"] = str(credit.pk)
    return {
        "mode": "payment",
        "customer": _customer_id_for(enrollment.member),
        "client_reference_id": str(enrollment.pk),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": payment.amount,
                    "product_data": {"name": f"Seat in {cohort.title}", "description": description},
                },
            }
        ],
        "payment_intent_data": {
            "receipt_email": enrollment.member.email,
            "metadata": metadata,
            "transfer_group": f"cohort-{cohort.pk}",
        },
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }


def demo_checkout_open(*, payment: Payment) -> bool:
    """The demo's stand-in for an open Checkout Session: pending, and its hold not run out."""
    purchase = payment.purchase
    held = purchase.state == (Booking.State.HELD if payment.booking_id else "held")
    if payment.state != Payment.State.PENDING or not held:
        return False
    return purchase.hold_expires_at is None or purchase.hold_expires_at > timezone.now()


def checkout_abandon(*, booking: Booking, by) -> Booking:
    """The mentee came back from checkout without paying: the slot is free again at once."""
    if booking.mentee_id != by.pk:
        raise BillingError("This is not your booking.")
    booking = booking_services.booking_release_hold(booking=booking, note="checkout abandoned")
    from .tasks import expire_checkout

    expire_checkout.delay_on_commit(str(booking.pk))
    return booking


def checkout_expire(*, purchase_id) -> None:
    """Close the Stripe session of an abandoned or cancelled hold (a booking's or a seat's) so it
    can no longer be paid. A payment that still slips through is refunded by the late-payment
    rule (never lost)."""
    payment = Payment.objects.filter(
        Q(booking_id=purchase_id) | Q(enrollment_id=purchase_id),
        provider=Payment.Provider.STRIPE,
        state=Payment.State.PENDING,
    ).first()
    if payment is None or not payment.checkout_session_id:
        return
    try:
        stripe_client.checkout_session_expire(session_id=payment.checkout_session_id)
    except BillingError:
        # Already completed or expired: the webhook that says which will settle it.
        logger.info("checkout %s could not be expired", payment.checkout_session_id)


# --- events ----------------------------------------------------------------------------------


MAX_EVENT_ATTEMPTS = 5


def event_record(*, event_id: str, type: str, endpoint: str, payload: dict) -> tuple[WebhookEvent, bool]:
    """Store an event once (unique on its id) and process it after commit; duplicates change nothing.

    A duplicate of an event not processed yet (its task was lost) is queued again: processing is
    idempotent, so the worst case is a no-op.
    """
    with transaction.atomic():
        event, created = WebhookEvent.objects.get_or_create(
            stripe_event_id=event_id, defaults={"type": type, "endpoint": endpoint, "payload": payload}
        )
        if created or event.state == WebhookEvent.State.RECEIVED:
            pk = event.pk
            transaction.on_commit(lambda: _dispatch_event(pk))
    return event, created


def _dispatch_event(event_pk: int) -> None:
    """Queue the processing task; with the broker down the event stays stored and the sweep runs it."""
    from .tasks import process_event

    try:
        process_event.delay(event_pk)
    except Exception:  # noqa: BLE001 - Stripe must get its 200; events_process_pending picks it up
        logger.exception("could not queue webhook event %s; the periodic sweep will process it", event_pk)


def events_process_pending(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """The sweep for events whose task was lost, or that failed because they came too early
    (e.g. transfer.reversed before our transfer was stored): try again, a few times."""
    cutoff = timezone.now() - older_than
    pending = (
        WebhookEvent.objects.filter(received_at__lte=cutoff)
        .filter(
            Q(state=WebhookEvent.State.RECEIVED)
            | Q(state=WebhookEvent.State.FAILED, attempts__lt=MAX_EVENT_ATTEMPTS)
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:200]
    )
    count = 0
    for event_pk in list(pending):
        event_process(event_id=event_pk)
        count += 1
    return count


def event_process(*, event_id: int) -> WebhookEvent:
    """Apply one event; safe to run any number of times, in any order relative to others."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.state == WebhookEvent.State.PROCESSED:
            return event
        event.attempts += 1
        handler = HANDLERS.get(event.type)
        event_handler = EVENT_HANDLERS.get(event.type)
        try:
            with transaction.atomic(), change_reason(f"{event.type} ({event.stripe_event_id})"):
                if handler:
                    handler(event.data_object)
                elif event_handler:
                    event_handler(event.payload)
        except Exception as error:  # noqa: BLE001 - stored and shown in the admin, reprocessable
            logger.exception("processing %s %s failed", event.type, event.stripe_event_id)
            event.state = WebhookEvent.State.FAILED
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
        else:
            event.state = WebhookEvent.State.PROCESSED
            event.processed_at = timezone.now()
            event.last_error = ""
        event.save(update_fields=["state", "attempts", "last_error", "processed_at"])
    return event


def event_reprocess(*, event: WebhookEvent) -> WebhookEvent:
    """Staff run a failed event again (admin action)."""
    return event_process(event_id=event.pk)


def _payment_for(obj: dict, *, lock: bool = True) -> Payment:
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
        None if metadata.get("enrollment_id") else obj.get("client_reference_id")
    )
    if found is None and booking_id:
        found = query.filter(booking_id=booking_id).first()
    if found is None and metadata.get("enrollment_id"):
        found = query.filter(enrollment_id=metadata["enrollment_id"]).first()
    if found is None:
        raise LookupError(f"no payment for {obj.get('object')} {obj.get('id')}")
    return found


def _on_checkout_completed(session: dict) -> None:
    if session.get("mode") == "subscription":
        from subscriptions.webhooks import on_checkout_completed

        on_checkout_completed(session)
        return
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return  # an asynchronous method: async_payment_succeeded/failed follows
    _settle_paid_session(session)


def _settle_paid_session(session: dict) -> None:
    payment = _payment_for(session)
    if payment.state == Payment.State.PAID:
        return  # a replay, or async_payment_succeeded after completed: already settled
    payment.state = Payment.State.PAID
    payment.paid_at = timezone.now()
    payment.payment_intent_id = session.get("payment_intent") or payment.payment_intent_id
    payment.checkout_session_id = payment.checkout_session_id or session.get("id")
    payment.save(update_fields=["state", "paid_at", "payment_intent_id", "checkout_session_id"])
    # Refunds made in Stripe before the checkout completed here count first: a refused payment
    # is refunded only what is left, and one refunded in full was cancelled, never confirmed.
    _take_refunds_heard_before(payment)
    if not _payment_as_asked(payment, amount=session.get("amount_total"), currency=session.get("currency")):
        return
    if _refunded_in_full_in_stripe(payment):
        logger.info("payment %s was refunded in Stripe before its checkout completed", payment.pk)
        _cancel_refunded_in_full(payment)
        return
    if payment.enrollment_id:
        _seat_paid(payment)
        return
    try:
        booking_services.booking_confirm_payment(booking=payment.booking)
    except booking_services.BookingError as error:
        # Paid too late: the hold ran out and the slot went to someone else (or was cancelled).
        logger.warning("payment %s arrived for an unbookable booking: %s", payment.pk, error.message)
        _refund_create(
            payment=payment,
            amount=None,
            key=f"booking-{payment.booking_id}-unbookable",
            reason="Your payment arrived after the slot was no longer available.",
            by=None,
        )


def _seat_paid(payment: Payment) -> None:
    from cohorts import services as cohort_services

    try:
        cohort_services.enrollment_confirm_payment(enrollment=payment.enrollment)
    except cohort_services.CohortError as error:
        logger.warning("payment %s arrived for a seat no longer available: %s", payment.pk, error.message)
        _refund_create(
            payment=payment,
            amount=None,
            key=f"seat-{payment.enrollment_id}-unseatable",
            reason="Your payment arrived after the seat was no longer available.",
            by=None,
        )


def _release_purchase(payment: Payment, note: str) -> None:
    """The checkout will not be paid (or its payment was refused): the slot or the seat is free
    again, a subscription ends before it starts."""
    if payment.subscription_id:
        from subscriptions.services import subscription_refuse

        subscription_refuse(subscription=payment.subscription)
    elif payment.enrollment_id:
        from cohorts.services import enrollment_release_hold

        enrollment_release_hold(enrollment=payment.enrollment, note=note)
    else:
        booking_services.booking_release_hold(booking=payment.booking, note=note)


# --- payments that are not what we asked for ------------------------------------------------

MAX_MINOR_UNITS = 2**31 - 1  # what the amount columns hold


def _payment_as_asked(payment: Payment, *, amount, currency) -> bool:
    """Money arrived for a purchase (the payment is PAID, under its lock): whether Stripe took
    what the purchase charges (`payment.amount` in `payment.currency`, after member discounts and
    upgrade credits). If not, the purchase is refused (_payment_refuse) and is never confirmed."""
    if charge_matches(
        asked_amount=payment.amount, asked_currency=payment.currency, amount=amount, currency=currency
    ):
        return True
    _payment_refuse(payment, amount=amount, currency=currency)
    return False


def _payment_refuse(payment: Payment, *, amount, currency) -> None:
    """The one way a purchase whose payment is not what we asked for ends, whatever was bought:
    it is not confirmed (the slot or seat freed, a subscription ended at Stripe), everything
    Stripe took is refunded through the refund rows (so their follow-ups happen once), staff find
    it flagged (the payments admin, the moderation queue, an e-mail) and the buyer is told why,
    after commit, once. Called once per payment: under its lock, when it becomes PAID."""
    payment.amount_mismatch = True
    payment.reported_amount = amount if type(amount) is int and 0 <= amount <= MAX_MINOR_UNITS else None
    payment.reported_currency = (
        currency.upper() if isinstance(currency, str) and currency.isascii() and len(currency) == 3 else ""
    )
    payment._change_reason = "refused: not the amount asked for"
    payment.save(update_fields=["amount_mismatch", "reported_amount", "reported_currency"])
    logger.error(
        "payment %s for %s refused: Stripe reported %r %r, we asked %s %s",
        payment.pk,
        payment.purchase_id,
        amount,
        currency,
        payment.amount,
        payment.currency,
    )
    _release_purchase(payment, "paid another amount than asked for")
    refund = _refund_create(
        payment=payment,
        amount=None,
        key=f"payment-{payment.pk}-amount-mismatch",
        reason="The payment was not the amount we asked for.",
        by=None,
    )
    if refund is not None:  # the buyer is told by the e-mail below, not by the refund's own
        Refund.objects.filter(pk=refund.pk, buyer_told_at__isnull=True).update(buyer_told_at=timezone.now())
    payment_pk = payment.pk
    transaction.on_commit(lambda: _send_mismatch_emails(payment_pk))


def _send_mismatch_emails(payment_pk) -> None:
    payment = Payment.objects.select_related(
        "booking__offering",
        "booking__mentee",
        "enrollment__cohort",
        "enrollment__member",
        "subscription__plan",
    ).get(pk=payment_pk)
    buyer, what = payment.buyer, payment.purchase_title
    refund = payment.refunds.filter(key=f"payment-{payment.pk}-amount-mismatch").first()
    templated_email(
        template="billing/email/amount_mismatch",
        subject=f"We could not take your payment for {what}",
        to=[buyer.email],
        context={
            "buyer": buyer,
            "what": what,
            "payment": payment,
            "asked": payment.amount_display,
            # What Stripe said it took, when it said so plainly.
            "charged": payment.charged_display if payment.reported_amount is not None else None,
            "refunded": format_money(refund.amount, refund.currency) if refund else None,
            "purchase_url": settings.SITE_URL + _purchase_url(payment),
        },
        zone=buyer.zone,
    ).send()
    mail_admins(
        f"Payment refused: not the amount asked for ({payment.purchase_id})",
        f"Payment {payment.pk} for {payment.purchase_key} {payment.purchase_id}: we asked "
        f"{payment.amount_display}, Stripe reported {payment.reported_amount!r} "
        f"{payment.reported_currency or '(no currency)'}. The purchase was not confirmed and "
        f"{format_money(refund.amount, refund.currency) if refund else 'nothing'} is being refunded. It "
        "waits in the moderation queue.",
    )


def _purchase_url(payment: Payment) -> str:
    if payment.booking_id:
        return payment.booking.get_absolute_url()
    if payment.enrollment_id:
        return payment.enrollment.cohort.get_absolute_url()
    return payment.subscription.plan.get_absolute_url()


def subscription_first_payment_as_asked(
    *, subscription, amount, currency, invoice_id: str = "", payment_intent_id: str = ""
) -> bool:
    """Stripe Billing reported a subscription's first payment (a paid checkout, its first
    invoice); call under the subscription's lock. Whether it is what the first month charges
    (subscriptions.selectors.subscription_first_charge). If not, the money that arrived is
    recorded as a Payment of the subscription and refused like any purchase's (_payment_refuse);
    once refused, every later report of it is refused too, whatever it says."""
    from subscriptions.selectors import subscription_first_charge

    refused = Payment.objects.select_for_update().filter(subscription=subscription).first()
    if refused is not None:
        # Learn where the money is, for the refund, from whichever event says it.
        Payment.objects.filter(pk=refused.pk, invoice_id="").update(invoice_id=invoice_id or "")
        Payment.objects.filter(pk=refused.pk, payment_intent_id="").update(
            payment_intent_id=payment_intent_id or ""
        )
        return False
    asked_amount, asked_currency = subscription_first_charge(subscription)
    if charge_matches(
        asked_amount=asked_amount, asked_currency=asked_currency, amount=amount, currency=currency
    ):
        return True
    payment = Payment.objects.create(
        subscription=subscription,
        provider=subscription.provider,
        amount=asked_amount,
        currency=asked_currency,
        platform_fee=platform_fee(asked_amount),
        state=Payment.State.PAID,
        paid_at=timezone.now(),
        invoice_id=invoice_id or "",
        payment_intent_id=payment_intent_id or "",
    )
    _payment_refuse(payment, amount=amount, currency=currency)
    return False


def payment_mismatch_reviewed(*, payment: Payment, by, reason: str) -> Payment:
    """Staff looked into a payment refused for its amount (why Stripe took what it took, that the
    refund went through): it leaves the moderation queue; the reason is kept in the audit log."""
    from moderation.services import audit

    if not reason.strip():
        raise BillingError("Give a reason; it is kept in the audit log.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.amount_mismatch:
            raise BillingError("This payment was not refused for its amount.")
        if payment.mismatch_reviewed_at is None:
            payment.mismatch_reviewed_at = timezone.now()
            payment.save(update_fields=["mismatch_reviewed_at"])
            audit(actor=by, action="payment.mismatch_reviewed", target=payment, reason=reason.strip())
    return payment


def _on_checkout_expired(session: dict) -> None:
    if session.get("mode") == "subscription":
        from subscriptions.webhooks import on_checkout_expired

        on_checkout_expired(session)
        return
    payment = _payment_for(session)
    if payment.state == Payment.State.PENDING:
        payment.state = Payment.State.EXPIRED
        payment.save(update_fields=["state"])
    if payment.state != Payment.State.PAID:
        _release_purchase(payment, "checkout expired")


def _on_async_payment_failed(session: dict) -> None:
    payment = _payment_for(session)
    if payment.state == Payment.State.PAID:
        return
    payment.state = Payment.State.FAILED
    payment.last_error = "The payment method was declined."
    payment.save(update_fields=["state", "last_error"])
    _release_purchase(payment, "payment failed")


def _on_payment_intent_failed(intent: dict) -> None:
    payment = _payment_for(intent)
    if payment.state == Payment.State.PAID:
        return
    message = (intent.get("last_payment_error") or {}).get("message") or "The payment was declined."
    payment.last_error = message[:500]
    payment.payment_intent_id = payment.payment_intent_id or intent.get("id", "")
    payment.save(update_fields=["last_error", "payment_intent_id"])


def _on_charge_succeeded(charge: dict) -> None:
    payment = _payment_for(charge)
    if not payment.charge_id:
        payment.charge_id = charge["id"]
        payment.save(update_fields=["charge_id"])


def _on_charge_refunded(charge: dict) -> None:
    """Stripe refunded (part of) a charge. Its figure is recorded; each refund it lists is taken
    like that refund's own event (_take_stripe_refund); and money refunded that no refund row has
    a Stripe id for yet is looked up in Stripe after commit (current API versions list no refunds
    on the charge): a refund made in the Dashboard is recorded even if only this event comes."""
    payment = _payment_of_refund(charge)
    if payment is None:
        return
    payment.charge_id = payment.charge_id or charge.get("id", "")
    payment.payment_intent_id = payment.payment_intent_id or charge.get("payment_intent") or ""
    payment.amount_refunded = max(payment.amount_refunded, charge.get("amount_refunded") or 0)
    payment.save(update_fields=["charge_id", "payment_intent_id", "amount_refunded"])
    listed = (charge.get("refunds") or {}).get("data")
    for stripe_refund in listed or []:
        about = {"charge": charge.get("id"), "payment_intent": charge.get("payment_intent")}
        _take_stripe_refund({**about, **stripe_refund}, payment=payment)
    if listed is None and payment.amount_refunded > _refunded_with_stripe_ids(payment):
        from .tasks import sync_refunds

        sync_refunds.delay_on_commit(str(payment.pk))


def _on_refund_event(stripe_refund: dict) -> None:
    """refund.created, refund.updated, refund.failed, charge.refund.updated."""
    _take_stripe_refund(stripe_refund)


def _take_stripe_refund(stripe_refund: dict, *, payment: Payment | None = None) -> None:
    """What Stripe says about one refund (its own event, or listed with its charge). One we asked
    for (our Stripe id on it, or our refund_id in its metadata) moves forward as it always has;
    any other was made in Stripe (the Dashboard, Stripe's dispute flow) and is recorded once."""
    if _take_our_refund(stripe_refund):
        return
    if (stripe_refund.get("metadata") or {}).get("refund_id"):
        logger.info("refund update for a refund we no longer know: %s", stripe_refund.get("id"))
        return
    payment = payment or _payment_of_refund(stripe_refund)
    if payment is None:
        return
    _take_refund_made_in_stripe(payment, stripe_refund)


def _take_our_refund(stripe_refund: dict) -> bool:
    """A pending refund of ours succeeded or failed; False when the refund is not one we asked for."""
    query = Refund.objects.select_for_update().filter(made_in_stripe=False)
    refund = query.filter(stripe_refund_id=stripe_refund.get("id")).first()
    our_id = str((stripe_refund.get("metadata") or {}).get("refund_id") or "")
    if refund is None and our_id.isdigit():
        refund = query.filter(pk=int(our_id), stripe_refund_id__isnull=True).first()
    if refund is None:
        return False
    state = REFUND_STATES.get(stripe_refund.get("status"), refund.state)
    first_heard = refund.stripe_refund_id is None
    failure = _stripe_refund_failure(stripe_refund)
    news = _refund_take(refund, state, stripe_refund_id=stripe_refund.get("id"), failure=failure)
    if news or first_heard:
        refund.save(update_fields=["stripe_refund_id", "state", "last_error"])
    _follow_up_on_commit(refund)
    return True


def _payment_of_refund(obj: dict) -> Payment | None:
    """The payment (locked) a charge or refund object is about. None when it names none of ours:
    a subscription invoice's charge, or a session's or seat's before its checkout completed, as a
    refund made in the Dashboard names only the charge and the payment intent (the checkout's
    settlement takes it then: _take_refunds_heard_before)."""
    if obj.get("object") == "refund":
        recorded = Refund.objects.filter(stripe_refund_id=obj.get("id")).values_list("payment_id", flat=True)
        payment_id = recorded.first()
        if payment_id:
            query = Payment.objects.select_for_update(of=("self",)).select_related("booking", "enrollment")
            return query.get(pk=payment_id)
        obj = {
            "object": "charge",
            "id": obj.get("charge"),
            "payment_intent": obj.get("payment_intent"),
            "metadata": obj.get("metadata"),
        }
    try:
        return _payment_for(obj)
    except LookupError:
        logger.info("refund of %s %s, no payment of ours (yet)", obj.get("object"), obj.get("id"))
        return None


def _refunded_with_stripe_ids(payment: Payment) -> int:
    """What the payment's refunds that Stripe has told us about (by id) take back."""
    known = payment.refunds.filter(stripe_refund_id__isnull=False).exclude(state=Refund.State.FAILED)
    return known.aggregate(s=Sum("amount"))["s"] or 0


def _take_refund_made_in_stripe(payment: Payment, stripe_refund: dict) -> None:
    """Under the payment's lock: the refund row, created once per Stripe refund (whichever of
    its events comes first, however often), moved forward by later news. Taken by Stripe, it is
    followed up like ours (the buyer told, the mentor's share taken back from a payout already
    sent: refund_follow_up) but never asked of Stripe; refunding the whole price, it cancels the
    purchase (_cancel_refunded_in_full)."""
    stripe_refund_id = stripe_refund.get("id")
    state = REFUND_STATES.get(stripe_refund.get("status"))
    failure = _stripe_refund_failure(stripe_refund)
    refund = Refund.objects.select_for_update().filter(stripe_refund_id=stripe_refund_id).first()
    if refund is None:
        amount = stripe_refund.get("amount")
        if not stripe_refund_id or state is None or not isinstance(amount, int) or amount <= 0:
            logger.warning("refund %s made in Stripe not recorded: %s", stripe_refund_id, stripe_refund)
            return
        refund = Refund.objects.create(
            payment=payment,
            key=f"stripe-{stripe_refund_id}"[:120],
            amount=amount,
            currency=str(stripe_refund.get("currency") or payment.currency).upper()[:3],
            reason=_made_in_stripe_reason(stripe_refund),
            stripe_refund_id=stripe_refund_id,
            made_in_stripe=True,
            state=state,
            last_error=failure[:500] if state == Refund.State.FAILED else "",
        )
        logger.info("refund %s made in Stripe recorded on payment %s", stripe_refund_id, payment.pk)
    elif state is not None and _refund_take(refund, state, stripe_refund_id=None, failure=failure):
        refund.save(update_fields=["state", "last_error"])
    _follow_up_on_commit(refund)
    _cancel_refunded_in_full(payment)


def _made_in_stripe_reason(stripe_refund: dict) -> str:
    why = str(stripe_refund.get("reason") or "").replace("_", " ")
    return "Refunded in Stripe" + (f" ({why})" if why else "")


def _refunded_in_full_in_stripe(payment: Payment) -> bool:
    """The payment's refunds give back the whole price, and at least one was made in Stripe (our
    own full refunds come from our own decisions, which already say what happens to the purchase)."""
    refunds = payment.refunds.exclude(state=Refund.State.FAILED)
    if not refunds.filter(made_in_stripe=True).exists():
        return False
    return (refunds.aggregate(s=Sum("amount"))["s"] or 0) >= payment.amount


def _cancel_refunded_in_full(payment: Payment) -> None:
    """A purchase refunded in full in Stripe is cancelled the way staff cancel one (the slot or
    seat freed, no payout, both sides told), without asking Stripe to refund again. A session
    that has started, or a finished cohort's seat, stands: the refund took the money and the
    payout back. Idempotent: a purchase cancelled already is left as it is."""
    if payment.subscription_id or not _refunded_in_full_in_stripe(payment):
        return  # a subscription's payment row exists only for a refused one, ended already
    reason = f"The payment for this {'seat' if payment.enrollment_id else 'session'} was refunded in full."
    if payment.enrollment_id:
        from cohorts.services import enrollment_cancel_refunded

        enrollment_cancel_refunded(enrollment=payment.enrollment, reason=reason)
        return
    try:
        booking_services.booking_cancel_by_staff(
            booking=payment.booking, by=None, reason=reason, refunded=True
        )
    except booking_services.BookingError as error:
        logger.info("booking %s refunded in full in Stripe stands: %s", payment.booking_id, error.message)


def _take_refunds_heard_before(payment: Payment) -> None:
    """Refund events Stripe sent before this checkout completed here, which could not name the
    payment then (a refund made in the Dashboard names only the charge and the payment intent),
    are taken now, before the purchase is confirmed. They are stored (and processed, as no-ops)."""
    if not payment.payment_intent_id:
        return
    heard = WebhookEvent.objects.filter(
        type__in=REFUND_EVENT_TYPES,
        received_at__gte=payment.created_at,
        payload__data__object__payment_intent=payment.payment_intent_id,
    ).order_by("received_at", "pk")
    for event in heard:
        HANDLERS[event.type](event.data_object)


def payment_sync_refunds(*, payment_id) -> None:
    """Stripe refunded more of a charge than our refund rows know by id: read the charge's
    refunds from Stripe and take each like its own event. A network call, so outside any
    transaction; safe to run any number of times (each refund is recorded once)."""
    payment = Payment.objects.filter(pk=payment_id, provider=Payment.Provider.STRIPE).first()
    if payment is None or not (payment.charge_id or payment.payment_intent_id):
        return
    try:
        listed = stripe_client.refund_list(charge=payment.charge_id, payment_intent=payment.payment_intent_id)
    except BillingError:
        logger.warning("could not list the refunds of payment %s; its refund events will tell", payment.pk)
        return
    for stripe_refund in reversed(listed):  # oldest first
        with transaction.atomic(), change_reason(f"refund {stripe_refund.get('id')} listed by Stripe"):
            _take_stripe_refund(stripe_refund)


def _on_dispute_created(dispute: dict) -> None:
    payment = _payment_for(
        {"object": "charge", "id": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
    )
    payment.is_disputed = True
    payment.save(update_fields=["is_disputed"])
    transaction.on_commit(
        lambda: mail_admins(
            f"Dispute opened on payment for {payment.purchase_id}",
            f"Stripe dispute {dispute.get('id')} ({dispute.get('reason')}) on payment {payment.pk}: "
            + format_money(dispute.get("amount") or 0, (dispute.get("currency") or payment.currency).upper()),
        )
    )


def _on_dispute_closed(dispute: dict) -> None:
    """Won: the money is ours again and a payout held back by the dispute goes out. Lost: Stripe
    has taken the money back, so the payout stays held (staff decide)."""
    payment = _payment_for(
        {"object": "charge", "id": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
    )
    if dispute.get("status") != "won":
        return
    payment.is_disputed = False
    payment.save(update_fields=["is_disputed"])
    if payment.booking_id and booking_is_payable(payment.booking):
        from .tasks import payout_booking

        payout_booking.delay_on_commit(str(payment.booking_id))


def _on_account_updated(account: dict) -> None:
    stored = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=account.get("id")).first()
    if stored is None:
        logger.info("account.updated for unknown account %s", account.get("id"))
        return
    stored.charges_enabled = bool(account.get("charges_enabled"))
    stored.payouts_enabled = bool(account.get("payouts_enabled"))
    stored.details_submitted = bool(account.get("details_submitted"))
    stored.save(update_fields=["charges_enabled", "payouts_enabled", "details_submitted", "updated_at"])


def _on_transfer_reversed(transfer: dict) -> None:
    stored = Transfer.objects.select_for_update().filter(stripe_transfer_id=transfer.get("id")).first()
    if stored is None:
        raise LookupError(f"no transfer {transfer.get('id')}")
    stored.amount_reversed = max(stored.amount_reversed, transfer.get("amount_reversed") or 0)
    stored.reversed = bool(transfer.get("reversed")) or stored.amount_reversed >= stored.amount
    stored.save(update_fields=["amount_reversed", "reversed"])


HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _settle_paid_session,
    "checkout.session.async_payment_failed": _on_async_payment_failed,
    "checkout.session.expired": _on_checkout_expired,
    "payment_intent.payment_failed": _on_payment_intent_failed,
    "charge.succeeded": _on_charge_succeeded,
    "charge.refunded": _on_charge_refunded,
    "charge.refund.updated": _on_refund_event,
    "refund.created": _on_refund_event,
    "refund.updated": _on_refund_event,
    "refund.failed": _on_refund_event,
    "charge.dispute.created": _on_dispute_created,
    "charge.dispute.closed": _on_dispute_closed,
    "account.updated": _on_account_updated,
    "transfer.reversed": _on_transfer_reversed,
}
# The events that can say a refund was made (stored ones are read again: _take_refunds_heard_before).
REFUND_EVENT_TYPES = [
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
]
# Handlers that need the whole event (its `created` time), registered by other apps:
# subscriptions.apps registers Stripe Billing's subscription and invoice events.
EVENT_HANDLERS: dict = {}


# --- refunds ---------------------------------------------------------------------------------


def _refund_create(*, payment: Payment, amount: int | None, key: str, reason: str, by) -> Refund | None:
    """Write the refund row (one per key, ever) and ask Stripe after commit."""
    existing = Refund.objects.filter(key=key).first()
    if existing:
        return existing
    if payment.state != Payment.State.PAID:
        return None
    refundable = payment.refundable
    amount = refundable if amount is None else amount
    if amount <= 0:
        if refundable == 0:
            return None
        raise BillingError("A refund must be more than zero.")
    if amount > refundable:
        raise BillingError(
            f"At most {format_money(refundable, payment.charged_currency)} can still be refunded."
        )
    refund = Refund.objects.create(
        payment=payment,
        key=key,
        amount=amount,
        currency=payment.charged_currency,  # the charge's: another than asked for on a mismatch
        reason=reason[:300],
        requested_by=by,
    )
    from .tasks import execute_refund

    execute_refund.delay_on_commit(refund.pk)
    return refund


def booking_refund_in_full(*, booking_id, reason: str) -> Refund | None:
    """The policy's refund for a booking (cancellation, mentor no-show): at most one, ever."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(booking_id=booking_id).first()
        if payment is None:
            return None  # a free booking, or one made before payments existed
        return _refund_create(
            payment=payment, amount=None, key=f"booking-{booking_id}-policy", reason=reason, by=None
        )


def seat_refund_in_full(*, enrollment_id, reason: str) -> Refund | None:
    """A cohort seat's refund by policy (left before the start, cohort cancelled): at most one."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(enrollment_id=enrollment_id).first()
        if payment is None:
            return None
        return _refund_create(
            payment=payment, amount=None, key=f"seat-{enrollment_id}-policy", reason=reason, by=None
        )


def payment_refund(*, payment: Payment, amount: int | None, reason: str, by) -> Refund:
    """Staff refund part or all of a payment from the admin; moderators only up to
    MODERATOR_REFUND_LIMIT, superusers any amount."""
    if not reason.strip():
        raise BillingError("Say why the money goes back.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.state != Payment.State.PAID:
            raise BillingError("Only a paid payment can be refunded.")
        limit = settings.MODERATOR_REFUND_LIMIT
        asked = payment.refundable if amount is None else amount
        if by is not None and not by.is_superuser and asked > limit:
            raise BillingError(
                f"Refunds over {format_money(limit, payment.currency)} need a superuser; ask one to do it."
            )
        count = payment.refunds.count()
        refund = _refund_create(
            payment=payment,
            amount=amount,
            key=f"payment-{payment.pk}-staff-{count + 1}",
            reason=reason,
            by=by,
        )
        if refund is None:
            raise BillingError("Nothing is left to refund.")
    return refund


def refund_execute(*, refund_id: int) -> Refund:
    """Ask the provider for the money back, then follow it up (refund_follow_up).

    Stripe's events about the refund can come before its answer to our request (a slow answer,
    or the first answer replayed to a repeated request): the answer only moves the refund forward
    (Refund.moves_forward_to), so one its events settled stays settled, and a request that failed
    marks failed only a refund Stripe never took. A refund Stripe already took is not asked for
    again (a redelivered task, staff pressing Retry): that would at best replay its first answer,
    and once Stripe forgets the idempotency key (after 24 hours), refund a second time."""
    with transaction.atomic():
        refund = _refund_locked(refund_id)
    if refund.is_taken or refund.made_in_stripe:  # made in Stripe: staff retry it there, if at all
        return refund_follow_up(refund_id=refund.pk)
    payment = refund.payment
    refund_provider_id, status, error_message = None, None, ""
    try:
        if payment.provider == Payment.Provider.DEMO:
            refund_provider_id, status = f"re_demo_{refund.pk}", "succeeded"
        else:
            answer = stripe_client.refund_create(
                refund_id=refund.pk,
                payment_intent=_payment_intent_of(payment),
                amount=refund.amount,
                metadata={payment.purchase_key: payment.purchase_id, "refund_id": str(refund.pk)},
                destination_charge=bool(payment.subscription_id),
            )
            refund_provider_id, status = answer.id, getattr(answer, "status", None) or "succeeded"
    except BillingError as error:
        error_message = error.message
    with transaction.atomic():
        refund = _refund_locked(refund.pk)
        if status is None and refund.stripe_refund_id is None:
            refund.state = Refund.State.FAILED
            refund.last_error = error_message[:500]
            refund.save(update_fields=["state", "last_error"])
            return refund
        if status is not None:  # else our request failed, yet Stripe's event says it took the refund
            state = REFUND_STATES.get(status, Refund.State.PENDING)
            _refund_take(
                refund, state, stripe_refund_id=refund_provider_id, failure=f"Stripe answered {status}."
            )
            refund._change_reason = f"the provider answered {status}"
            refund.save(update_fields=["stripe_refund_id", "state", "last_error"])
    return refund_follow_up(refund_id=refund.pk)


def _payment_intent_of(payment: Payment) -> str:
    """What a refund is asked against: a subscription's payment may know only its invoice."""
    if not payment.payment_intent_id and payment.invoice_id:
        intent = stripe_client.invoice_payment_intent(invoice_id=payment.invoice_id)
        Payment.objects.filter(pk=payment.pk, payment_intent_id="").update(payment_intent_id=intent)
        payment.payment_intent_id = intent
    if not payment.payment_intent_id:
        raise BillingError("Stripe has not told us which charge to refund yet.", code="no_payment_intent")
    return payment.payment_intent_id


def refund_follow_up(*, refund_id: int) -> Refund:
    """Once the provider has taken a refund, tell the buyer and take the mentor's share back from
    a payout already sent: each exactly once, however many times this runs, even at once (a
    redelivered task, staff retrying, an event's task, the sweep). A refund not taken yet, or
    failed, gets neither; one that fails after them keeps both (the reversal happened at Stripe;
    paying the mentor again is a staff decision).

    The e-mail is decided and marked under the refund's lock and sent after commit (at most once:
    a mail server down then loses it). The reversal is asked of Stripe outside any transaction,
    with the refund's idempotency key, so runs that overlap ask for the same one; it is counted on
    the transfer only by the run that marks the refund, under both locks."""
    with transaction.atomic():
        refund = _refund_locked(refund_id)
        if not refund.is_taken:
            return refund
        if refund.buyer_told_at is None:
            refund.buyer_told_at = timezone.now()
            Refund.objects.filter(pk=refund.pk).update(buyer_told_at=refund.buyer_told_at)
            told = refund
            transaction.on_commit(lambda: _send_refund_email(told))
    if refund.payout_adjusted_at is None:
        _reverse_transfer_for(refund)
    refund.refresh_from_db()
    return refund


def _follow_up_on_commit(refund: Refund) -> None:
    """An event says the provider took the refund: queue its follow-ups if some are not done (our
    request may have ended in an error, so that refund_execute did not do them)."""
    if refund.follow_up_due:
        from .tasks import follow_up_refund

        follow_up_refund.delay_on_commit(refund.pk)


def _refund_take(refund: Refund, state: str, *, stripe_refund_id: str | None, failure: str) -> bool:
    """Apply what Stripe reported about the refund (its answer or an event): the state if it is
    news (Refund.moves_forward_to), with `failure` as its error when it failed, and Stripe's id
    unless the refund has one already. Whether the state was news; the caller saves."""
    news = refund.moves_forward_to(state)
    if news:
        refund.state = state
        refund.last_error = failure[:500] if state == Refund.State.FAILED else ""
    refund.stripe_refund_id = refund.stripe_refund_id or stripe_refund_id
    return news


def _stripe_refund_failure(stripe_refund: dict) -> str:
    reason = stripe_refund.get("failure_reason") or stripe_refund.get("status")
    return f"Stripe could not refund: {reason}"


def _refund_locked(refund_id: int) -> Refund:
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment__booking", "payment__enrollment")
        .get(pk=refund_id)
    )


# Stripe's refund statuses; a pending one becomes succeeded with charge.refunded.
REFUND_STATES = {
    "succeeded": Refund.State.SUCCEEDED,
    "pending": Refund.State.PENDING,
    "requires_action": Refund.State.PENDING,
    "failed": Refund.State.FAILED,
    "canceled": Refund.State.FAILED,
}


def _reverse_transfer_for(refund: Refund) -> None:
    """The mentor gives back the same share of their transfer as the buyer got back of the
    charge; marks the refund's payout adjusted (also when nothing was sent, so nothing is owed)."""
    payment = refund.payment
    transfer = Transfer.objects.filter(payment=payment, state=Transfer.State.PAID).first()
    amount = 0
    if transfer is not None:
        share = -(-transfer.amount * refund.amount // payment.amount)
        amount = min(share, transfer.amount - transfer.amount_reversed)
    if amount > 0 and payment.provider == Payment.Provider.STRIPE:
        try:
            stripe_client.transfer_reverse(
                transfer_id=transfer.stripe_transfer_id, amount=amount, refund_id=refund.pk
            )
        except BillingError as error:
            transfer.last_error = f"reversal failed: {error.message}"[:500]
            transfer.save(update_fields=["last_error"])
            return  # not marked: the sweep asks again, with the same idempotency key
    with transaction.atomic():
        refund = _refund_locked(refund.pk)
        if refund.payout_adjusted_at is not None:
            return  # another run counted it; Stripe made one reversal of both requests
        Refund.objects.filter(pk=refund.pk).update(
            payout_adjusted_at=timezone.now(), payout_reversed_amount=amount
        )
        if amount > 0:
            # What our refunds took back in all, or what Stripe's transfer.reversed said if more:
            # that event may have been counted while this reversal's answer was on its way, so
            # adding this amount to the stored figure could count it twice.
            ours = Refund.objects.filter(payment=payment).aggregate(s=Sum("payout_reversed_amount"))["s"]
            transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
            transfer.amount_reversed = min(transfer.amount, max(transfer.amount_reversed, ours))
            transfer.reversed = transfer.amount_reversed >= transfer.amount
            transfer.save(update_fields=["amount_reversed", "reversed"])


def _send_refund_email(refund: Refund) -> None:
    payment = refund.payment
    booking, enrollment = payment.booking, payment.enrollment
    buyer, what = payment.buyer, payment.purchase_title
    amount = format_money(refund.amount, refund.currency)
    templated_email(
        template="billing/email/refund",
        subject=f"Refund: {amount} for {what}",
        to=[buyer.email],
        context={
            "booking": booking,
            "enrollment": enrollment,
            "what": what,
            "buyer": buyer,
            "refund": refund,
            "amount": amount,
            "site_url": settings.SITE_URL,
            "purchase_url": settings.SITE_URL + _purchase_url(payment),
        },
        zone=buyer.zone,
    ).send()


# --- payouts ---------------------------------------------------------------------------------

PAYABLE_STATES = (Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE)


def booking_is_payable(booking: Booking) -> bool:
    """SPEC §2: the mentor is paid for a completed session, a mentee no-show that stands, and a
    mentee's cancellation inside the offering's window (which refunds nothing)."""
    if booking.state in PAYABLE_STATES:
        return True
    if booking.state != Booking.State.CANCELLED_BY_MENTEE:
        return False
    cancelled_at = (
        booking.events.filter(to_state=Booking.State.CANCELLED_BY_MENTEE).values_list("at", flat=True).last()
    )
    return cancelled_at is not None and not booking_services.mentee_cancel_refunds(booking, at=cancelled_at)


def booking_payout(*, booking_id) -> Transfer | None:
    """Send the mentor's share (what is left after refunds, minus the platform fee) once."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("booking__mentor")
            .filter(booking_id=booking_id, state=Payment.State.PAID)
            .first()
        )
        if payment is None or not booking_is_payable(payment.booking):
            return None
        transfer = _transfer_row(payment, mentor=payment.booking.mentor)
    return _transfer_send(transfer, payment) if transfer else None


def cohort_payout(*, cohort_id: int) -> list[Transfer]:
    """A finished cohort: the facilitator's share of every seat that was paid and not refunded."""
    from cohorts.models import Cohort, Enrollment

    sent = []
    payment_ids = Payment.objects.filter(
        enrollment__cohort_id=cohort_id,
        enrollment__cohort__status=Cohort.Status.FINISHED,
        enrollment__state__in=Enrollment.MEMBER_STATES,
        state=Payment.State.PAID,
    ).values_list("pk", flat=True)
    for payment_id in list(payment_ids):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update(of=("self",))
                .select_related("enrollment__cohort__facilitator")
                .get(pk=payment_id)
            )
            transfer = _transfer_row(payment, mentor=payment.enrollment.cohort.facilitator)
        if transfer:
            sent.append(_transfer_send(transfer, payment))
    return sent


def _transfer_row(payment: Payment, *, mentor: MentorProfile) -> Transfer | None:
    """Under the payment's lock: the one transfer row of this payment, created once."""
    if payment.is_disputed:
        logger.info("payout for %s held: the payment is disputed", payment.purchase_id)
        return None
    if payment.amount_mismatch:
        return None  # refused: nothing was bought, so nothing is owed
    transfer = Transfer.objects.filter(payment=payment).first()
    net = payment.amount - payment.refunded_total
    share = net - platform_fee(net)
    if transfer is not None:
        if transfer.state != Transfer.State.PAID and transfer.amount != share:
            # Not sent yet (it failed, or its task was lost) and refunded since it was made: it
            # sends what is left now, or nothing, never the share of money given back.
            if share <= 0:
                return None
            transfer.amount = share
            transfer._change_reason = "refunded before it was sent: the share of what is left"
            transfer.save(update_fields=["amount"])
        return transfer
    if share <= 0:
        return None
    destination = _payout_destination(payment, mentor)
    if destination is None:
        logger.info("mentor %s cannot receive payouts yet", mentor.pk)
        return None
    return Transfer.objects.create(
        payment=payment, amount=share, currency=payment.currency, destination=destination
    )


def _transfer_send(transfer: Transfer, payment: Payment) -> Transfer:
    """Ask the provider to move the money (idempotency key from the transfer's id)."""
    if transfer.state == Transfer.State.PAID:
        return transfer
    try:
        if payment.provider == Payment.Provider.DEMO:
            transfer_provider_id = f"tr_demo_{transfer.pk}"
        else:
            payment = _with_charge_id(payment)
            transfer_provider_id = stripe_client.transfer_create(
                transfer_id=transfer.pk,
                amount=transfer.amount,
                currency=transfer.currency,
                destination=transfer.destination,
                source_charge=payment.charge_id,
                metadata={payment.purchase_key: payment.purchase_id, "payment_id": str(payment.pk)},
            ).id
    except BillingError as error:
        transfer.state, transfer.last_error = Transfer.State.FAILED, error.message[:500]
        transfer.save(update_fields=["state", "last_error"])
    else:
        transfer.stripe_transfer_id = transfer_provider_id
        transfer.state, transfer.last_error = Transfer.State.PAID, ""
        transfer.save(update_fields=["stripe_transfer_id", "state", "last_error"])
    return transfer


def _with_charge_id(payment: Payment) -> Payment:
    """The transfer is paid from the mentee's charge (source_transaction), so the funds are there
    even before they settle; charge.succeeded may not have told us the charge's id yet."""
    if payment.charge_id or not payment.payment_intent_id:
        return payment
    intent = stripe_client.payment_intent_retrieve(payment_intent_id=payment.payment_intent_id)
    charge = getattr(intent, "latest_charge", None) or ""
    if not isinstance(charge, str):  # expanded
        charge = getattr(charge, "id", "")
    if charge:
        Payment.objects.filter(pk=payment.pk, charge_id="").update(charge_id=charge)
        payment.charge_id = charge
    return payment


def _payout_destination(payment: Payment, mentor: MentorProfile) -> str | None:
    if payment.provider == Payment.Provider.DEMO:
        return f"acct_demo_{mentor.pk}"
    account = ConnectedAccount.objects.filter(mentor=mentor, payouts_enabled=True).first()
    return account.stripe_account_id if account else None


def retry_stuck_money_movements(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """The periodic safety net: events, refunds and transfers a lost task never finished, and
    the follow-ups of refunds Stripe took (their task lost, or our request erred and only its
    event said so)."""
    cutoff = timezone.now() - older_than
    count = events_process_pending(older_than=older_than)
    for refund_id in Refund.objects.filter(
        state__in=[Refund.State.PENDING, Refund.State.FAILED],
        stripe_refund_id__isnull=True,
        created_at__lte=cutoff,
    ).values_list("pk", flat=True)[:100]:
        refund_execute(refund_id=refund_id)
        count += 1
    due = Refund.objects.filter(REFUND_FOLLOW_UP_DUE, created_at__lte=cutoff).order_by("created_at")
    for refund_id in due.values_list("pk", flat=True)[:100]:
        refund_follow_up(refund_id=refund_id)
        count += 1
    # Late mentee cancellations refund nothing; an on-time one has its refund row by now.
    late_cancellation = Q(booking__state=Booking.State.CANCELLED_BY_MENTEE, refunds__isnull=True)
    # Fully refunded (an overturned mentor no-show, a staff refund) leaves nothing to pay out.
    refunded = (
        Refund.objects.filter(payment=OuterRef("pk"))
        .exclude(state=Refund.State.FAILED)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    payable = (
        Payment.objects.filter(
            Q(booking__state__in=PAYABLE_STATES) | late_cancellation,
            is_disputed=False,
            amount_mismatch=False,
            state=Payment.State.PAID,
            paid_at__lte=cutoff,
        )
        .exclude(transfer__state=Transfer.State.PAID)
        .exclude(amount_refunded__gte=F("amount"))
        .annotate(refunded=Coalesce(Subquery(refunded), 0))
        .filter(refunded__lt=F("amount"))
    )
    for booking_id in payable.values_list("booking_id", flat=True).distinct()[:100]:
        booking_payout(booking_id=booking_id)
        count += 1
    from cohorts.models import Cohort, Enrollment

    unpaid_seats = Payment.objects.filter(
        enrollment__cohort__status=Cohort.Status.FINISHED,
        enrollment__state__in=Enrollment.MEMBER_STATES,
        is_disputed=False,
        amount_mismatch=False,
        state=Payment.State.PAID,
        paid_at__lte=cutoff,
    ).exclude(transfer__state=Transfer.State.PAID)
    for cohort_id in unpaid_seats.values_list("enrollment__cohort_id", flat=True).distinct()[:20]:
        count += len(cohort_payout(cohort_id=cohort_id))
    return count


# --- Connect onboarding ----------------------------------------------------------------------


def mentor_payouts_onboarding_url(*, mentor: MentorProfile, return_url: str, refresh_url: str) -> str:
    """Create the Express account once, then a fresh single-use onboarding link."""
    if provider() == "none":
        raise BillingError("Payouts are not set up on this site yet.", code="not_configured")
    account = ConnectedAccount.objects.filter(mentor=mentor).first()
    if provider() == "demo":
        if account is None:
            ConnectedAccount.objects.create(
                mentor=mentor,
                stripe_account_id=f"acct_demo_{mentor.pk}",
                charges_enabled=True,
                payouts_enabled=True,
                details_submitted=True,
            )
        return return_url
    if account is None:
        created = stripe_client.express_account_create(mentor_id=mentor.pk, email=mentor.user.email)
        account, _ = ConnectedAccount.objects.get_or_create(
            mentor=mentor, defaults={"stripe_account_id": created.id}
        )
    link = stripe_client.account_link_create(
        account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )
    return link.url


def mentor_payouts_refresh(*, mentor: MentorProfile) -> ConnectedAccount | None:
    """Re-read the account from Stripe (on return from onboarding; account.updated also does it)."""
    account = ConnectedAccount.objects.filter(mentor=mentor).first()
    if account is None or provider() != "stripe":
        return account
    remote = stripe_client.account_retrieve(account_id=account.stripe_account_id)
    _on_account_updated(remote.to_dict())
    account.refresh_from_db()
    return account
