"""What every part of a booking's services shares: BookingError, the booking's row lock, its state
transitions (policy.TRANSITIONS, each with an event in its audit trail), and the money and
credits that follow them, carried out by the apps above through sessions/hooks.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from .. import hooks, policy
from ..models import Booking, BookingEvent

if TYPE_CHECKING:
    from accounts.models import User

State = Booking.State
SLOT_TAKEN = _("That slot was just taken. Please pick another time.")


class BookingError(DomainError):
    """A rule about offerings and bookings said no."""


def refuse_unless(verdict: policy.Verdict) -> None:
    if not verdict.allowed:
        raise BookingError(verdict.reason)


def transition(booking: Booking, to: str, *, by: User | None, note: str = "") -> None:
    if refusal := policy.transition_refusal(booking, to):
        raise BookingError(refusal)
    BookingEvent.objects.create(booking=booking, actor=by, from_state=booking.state, to_state=to, note=note)
    booking.state = to
    booking._change_reason = note  # in the change history too (core/history.py)
    booking.save(update_fields=["state", "hold_expires_at", "starts_at", "ends_at", "reschedule_count"])


def locked_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("offering", "mentor__user", "mentee")
        .get(pk=booking.pk)
    )


def return_credit(booking: Booking) -> str:
    """A session paid with a credit, cancelled in time or by the mentor: the credit comes back.
    What came back, for the booking's trail ("subscription credit", "pack session"), or ""."""
    credit = hooks.return_credit.first(booking=booking)
    return "" if credit is None else getattr(credit, "credit_name", "subscription credit")


def refund_on_commit(booking: Booking, reason: str) -> None:
    hooks.refund_booking.call(booking_id=str(booking.pk), reason=reason)


def expire_checkout_on_commit(booking: Booking) -> None:
    """A held booking cancelled while its checkout is open: close the checkout too."""
    if booking.price_amount:
        hooks.close_checkout.call(booking_id=str(booking.pk))


def payout_on_commit(booking: Booking) -> None:
    if booking.price_amount:
        hooks.pay_out_booking.call(booking_id=str(booking.pk))
