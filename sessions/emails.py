"""E-mails about a booking, with the times in each recipient's own zone."""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from core.emails import reader_language, templated_email

from . import hooks
from .ics import booking_calendar
from .models import Booking


def _send(
    booking: Booking,
    *,
    template: str,
    subject: Callable[[], str],
    attach_ics: bool,
    to_mentor: bool = True,
    reason: str = "",
) -> None:
    recipients = [(booking.mentee, "mentee")] + ([(booking.mentor.user, "mentor")] if to_mentor else [])
    extra = {}
    for answer in hooks.booking_email_context.call(booking=booking):
        extra.update(answer)
    for recipient, role in recipients:
        context = {
            "booking": booking,
            "recipient": recipient,
            "role": role,
            "zone": recipient.timezone,
            "site_url": settings.SITE_URL,
            "reason": reason,
            **extra,
        }
        message = templated_email(
            template=f"sessions/email/{template}",
            subject=subject,
            to=[recipient.email],
            context=context,
            zone=recipient.zone,
        )
        if attach_ics:
            with reader_language(recipient):
                calendar = booking_calendar(booking)
            message.attach("session.ics", calendar, "text/calendar; method=PUBLISH")
        message.send()


def _booking(booking_id) -> Booking:
    return Booking.objects.select_related("offering", "mentor__user", "mentee").get(pk=booking_id)


def send_booking_confirmed(*, booking_id) -> None:
    booking = _booking(booking_id)
    if booking.state != Booking.State.CONFIRMED:
        return
    _send(
        booking,
        template="confirmed",
        subject=lambda: _("Booked: %(title)s") % {"title": booking.offering.title},
        attach_ics=True,
    )


def send_booking_cancelled(*, booking_id, reason: str = "") -> None:
    """Both sides are told (with the reason, when there is one: a payment refunded in Stripe)."""
    booking = _booking(booking_id)
    _send(
        booking,
        template="cancelled",
        subject=lambda: _("Cancelled: %(title)s") % {"title": booking.offering.title},
        attach_ics=True,
        reason=reason,
    )


def send_booking_cancelled_to_mentee(*, booking_id, reason: str) -> None:
    """Staff cancelled on the mentor's side (a suspension): the mentee is told why."""
    booking = _booking(booking_id)
    _send(
        booking,
        template="cancelled",
        subject=lambda: _("Cancelled: %(title)s") % {"title": booking.offering.title},
        attach_ics=True,
        to_mentor=False,
        reason=reason,
    )
