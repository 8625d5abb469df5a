"""E-mails about a booking, with the times in each recipient's own zone."""

from datetime import UTC

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .ics import booking_calendar
from .models import Booking


def _send(booking: Booking, *, template: str, subject: str, attach_ics: bool) -> None:
    for recipient, role in ((booking.mentee, "mentee"), (booking.mentor.user, "mentor")):
        with timezone.override(recipient.zone):
            context = {
                "booking": booking,
                "recipient": recipient,
                "role": role,
                "zone": recipient.timezone,
                "site_url": settings.SITE_URL,
            }
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string(f"sessions/email/{template}.txt", context),
                to=[recipient.email],
            )
            message.attach_alternative(
                render_to_string(f"sessions/email/{template}.html", context), "text/html"
            )
        if attach_ics:
            message.attach("session.ics", booking_calendar(booking), "text/calendar; method=PUBLISH")
        message.send()


def _booking(booking_id) -> Booking:
    return Booking.objects.select_related("offering", "mentor__user", "mentee").get(pk=booking_id)


def send_booking_confirmed(*, booking_id) -> None:
    booking = _booking(booking_id)
    if booking.state != Booking.State.CONFIRMED:
        return
    _send(booking, template="confirmed", subject=f"Booked: {booking.offering.title}", attach_ics=True)


def send_booking_cancelled(*, booking_id) -> None:
    booking = _booking(booking_id)
    _send(
        booking,
        template="cancelled",
        subject=f"Cancelled: {booking.offering.title}",
        attach_ics=True,
    )


def send_review_flags(*, booking_ids) -> None:
    """One e-mail to staff listing the sessions just flagged for review (times in UTC)."""
    from notifications.emails import staff_recipient

    staff = staff_recipient()
    bookings = list(
        Booking.objects.select_related("offering", "mentor__user", "mentee")
        .filter(pk__in=booking_ids)
        .order_by("ends_at")
    )
    if staff is None or not bookings:
        return
    context = {"bookings": bookings, "site_url": settings.SITE_URL}
    with timezone.override(UTC):
        message = EmailMultiAlternatives(
            subject=f"[staff] {len(bookings)} session(s) not closed or reported after 24 h",
            body=render_to_string("sessions/email/review_flags.txt", context),
            to=staff.emails,
        )
        message.attach_alternative(render_to_string("sessions/email/review_flags.html", context), "text/html")
    message.send()
