"""The session kind: what billing does for a booking of a paid micro-session.

A booking is held while its mentee pays in a hosted checkout, confirmed by the payment, released
when the checkout is abandoned or expires, refunded by the cancellation and no-show policy, and
paid out to its mentor once the session is done (or a late cancellation or a mentee no-show
stands). billing may import `sessions` (it sits above it), so this kind lives here.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from sessions import services as booking_services
from sessions.models import Booking

from .. import tasks
from ..models import Payment, Refund, Transfer
from ..purchases import CheckoutItem, PaidTooLate, PurchaseKind
from ..stripe_client import BillingError
from .checkout import purchase_start_checkout
from .payouts import payments_to_pay_out, transfer_row, transfer_send
from .refunds import refund_in_full
from .series import series_abandon

logger = logging.getLogger("billing")

PAYABLE_STATES = (Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE)


class SessionPurchase(PurchaseKind):
    name = "session"
    field = "booking"
    model = Booking
    noun = "session"
    plural_noun = _("sessions")
    refund_key = "booking"
    not_waiting = _("This booking is not waiting for payment.")
    hold_ran_out = _("The hold on this slot has run out. Please pick the time again.")
    paid_too_late_key = "unbookable"
    paid_too_late_reason = "Your payment arrived after the slot was no longer available."
    accepts_codes = True
    code_label = _("1:1 sessions")
    buyer_path = "booking__mentee"
    mentor_path = "booking__mentor"

    def buyer(self, booking: Booking):
        return booking.mentee

    def mentor_id(self, booking: Booking) -> int:
        return booking.mentor_id

    def title(self, booking: Booking) -> str:
        return booking.offering.title

    def url(self, booking: Booking) -> str:
        return booking.get_absolute_url()

    def lock_for_checkout(self, booking: Booking) -> Booking:
        return Booking.objects.select_for_update().select_related("offering", "mentee").get(pk=booking.pk)

    def is_held(self, booking: Booking) -> bool:
        return booking.state == Booking.State.HELD

    def extend_hold(self, booking: Booking, *, until: datetime) -> None:
        booking_services.booking_extend_hold(booking=booking, until=until)

    def checkout_item(self, booking: Booking) -> CheckoutItem:
        return CheckoutItem(
            name=booking.offering.title,
            description=gettext("%(minutes)s minutes with %(name)s")
            % {"minutes": booking.offering.duration_minutes, "name": booking.mentor.user.name},
            transfer_group=str(booking.pk),
            capture_manually=hasattr(booking, "approval"),
        )

    def confirm(self, booking: Booking) -> None:
        try:
            booking_services.booking_confirm_payment(booking=booking)
        except booking_services.BookingError as error:
            raise PaidTooLate(error.message) from error

    def release(self, booking: Booking, *, note: str) -> None:
        booking_services.booking_release_hold(booking=booking, note=note)

    def cancel_refunded(self, booking: Booking, *, reason: str) -> None:
        try:
            booking_services.booking_cancel_by_staff(booking=booking, by=None, reason=reason, refunded=True)
        except booking_services.BookingError as error:
            logger.info("booking %s refunded in full in Stripe stands: %s", booking.pk, error.message)

    def dispute_won(self, payment: Payment) -> None:
        if booking_is_payable(payment.booking):
            tasks.payout_booking.delay_on_commit(str(payment.booking_id))

    def retry_payouts(self, *, cutoff: datetime) -> int:
        # Late mentee cancellations refund nothing; an on-time one has its refund row by now.
        late_cancellation = Q(booking__state=Booking.State.CANCELLED_BY_MENTEE, refunds__isnull=True)
        # Fully refunded (an overturned mentor no-show, a staff refund) leaves nothing to pay out.
        payable = payments_to_pay_out(Q(booking__state__in=PAYABLE_STATES) | late_cancellation, cutoff=cutoff)
        count = 0
        for booking_id in payable.values_list("booking_id", flat=True).distinct()[:100]:
            booking_payout(booking_id=booking_id)
            count += 1
        return count


def payment_start_checkout(*, booking: Booking, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout for a held booking; the price comes from the booking row."""
    return purchase_start_checkout(purchase=booking, success_url=success_url, cancel_url=cancel_url)


def checkout_abandon(*, booking: Booking, by: User) -> Booking:
    """The mentee came back from checkout without paying: the slot is free again at once."""
    if booking.mentee_id != by.pk:
        raise BillingError(_("This is not your booking."))
    if booking.series_id is not None:  # a weekly series' holds end together
        series_abandon(booking=booking)
        booking.refresh_from_db()
        lead = Payment.objects.filter(booking__series_id=booking.series_id, checkout_session_id__isnull=False)
        for booking_id in lead.values_list("booking_id", flat=True):
            tasks.expire_checkout.delay_on_commit(str(booking_id))
        return booking
    booking = booking_services.booking_release_hold(booking=booking, note="checkout abandoned")
    tasks.expire_checkout.delay_on_commit(str(booking.pk))
    return booking


def booking_refund_in_full(*, booking_id: UUID | str, reason: str) -> Refund | None:
    """The policy's refund for a booking (cancellation, mentor no-show): at most one, ever."""
    return refund_in_full(kind=SessionPurchase.name, purchase_id=booking_id, reason=reason)


def booking_is_payable(booking: Booking) -> bool:
    """The mentor is paid for a completed session, a mentee no-show that stands, and a mentee's
    cancellation inside the offering's window (which refunds nothing)."""
    if booking.state in PAYABLE_STATES:
        return True
    if booking.state != Booking.State.CANCELLED_BY_MENTEE:
        return False
    cancelled_at = (
        booking.events.filter(to_state=Booking.State.CANCELLED_BY_MENTEE).values_list("at", flat=True).last()
    )
    return cancelled_at is not None and not booking_services.mentee_cancel_refunds(booking, at=cancelled_at)


def booking_payout(*, booking_id: UUID | str) -> Transfer | None:
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
        transfer = transfer_row(payment, mentor=payment.booking.mentor)
    return transfer_send(transfer, payment) if transfer else None
