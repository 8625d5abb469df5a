"""Opening a request to book (Offering.requires_approval): its row, written with the booking, and
the mentor's 48 hours, which start once the request is sent (at once when free, when the card is
authorised when paid). Deciding it is sessions/services/requests.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from .. import request_tasks
from ..models import Booking, BookingApproval

ANSWER_WITHIN = timedelta(hours=48)
REFUSED_WITH_CREDIT = _(
    "This mentor approves each booking first, so it is paid by card once they accept: "
    "a subscription credit or a pack session cannot be held for a request."
)
REFUSED_WITH_CODE = _(
    "Promotion codes cannot be used with a request to book yet: book without the code, "
    "or pick another of this mentor's offerings."
)


def answer_by(*, now: datetime, starts_at: datetime) -> datetime:
    """The mentor answers within 48 hours, and in any case before the session would start."""
    return min(now + ANSWER_WITHIN, starts_at)


def request_open(*, booking: Booking, now: datetime) -> BookingApproval:
    """Inside the booking's transaction: the request's row; sent at once if nothing is to be paid."""
    approval = BookingApproval.objects.create(booking=booking)
    if booking.state == Booking.State.REQUESTED:
        request_send(approval=approval, booking=booking, now=now)
    return approval


def request_send(*, approval: BookingApproval, booking: Booking, now: datetime) -> None:
    """The mentor is asked: their 48 hours start, and they are e-mailed after the commit."""
    approval.requested_at = now
    approval.answer_by = answer_by(now=now, starts_at=booking.starts_at)
    approval.save(update_fields=["requested_at", "answer_by"])
    request_tasks.send_request_received.delay_on_commit(str(booking.pk))
