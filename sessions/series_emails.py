"""E-mails about a weekly series: one confirmation listing every date (with an .ics holding every
occurrence) and one cancellation listing the dates cancelled, in each recipient's own zone. The
occurrences' reminders are the usual per-booking ones."""

from django.conf import settings
from django.utils.translation import ngettext

from core.emails import reader_language, templated_email

from .ics import series_calendar
from .models import Booking, BookingSeries


def _send(series: BookingSeries, bookings: list[Booking], *, template: str, subject: str) -> None:
    for recipient, role in ((series.mentee, "mentee"), (series.mentor.user, "mentor")):
        context = {
            "series": series,
            "bookings": bookings,
            "first": bookings[0],
            "recipient": recipient,
            "role": role,
            "zone": recipient.timezone,
            "site_url": settings.SITE_URL,
        }
        message = templated_email(
            template=f"sessions/email/{template}",
            subject=subject,
            to=[recipient.email],
            context=context,
            zone=recipient.zone,
        )
        with reader_language(recipient):
            calendar = series_calendar(bookings)
        message.attach("sessions.ics", calendar, "text/calendar; method=PUBLISH")
        message.send()


def _series(series_id) -> BookingSeries:
    return BookingSeries.objects.select_related("offering", "mentor__user", "mentee").get(pk=series_id)


def _occurrences(series: BookingSeries, **filters) -> list[Booking]:
    query = series.occurrences.select_related("offering", "mentor__user", "mentee").filter(**filters)
    return list(query.order_by("starts_at"))


def send_series_confirmed(*, series_id) -> None:
    series = _series(series_id)
    bookings = _occurrences(series, state=Booking.State.CONFIRMED)
    if not bookings:
        return

    def subject():
        return ngettext(
            "Booked: %(title)s, %(count)s weekly session",
            "Booked: %(title)s, %(count)s weekly sessions",
            len(bookings),
        ) % {"title": series.offering.title, "count": len(bookings)}

    _send(series, bookings, template="series_confirmed", subject=subject)


def send_series_cancelled(*, series_id, booking_ids: list[str]) -> None:
    series = _series(series_id)
    bookings = _occurrences(series, pk__in=booking_ids)
    if not bookings:
        return

    def subject():
        return ngettext(
            "Cancelled: %(title)s, %(count)s weekly session",
            "Cancelled: %(title)s, %(count)s weekly sessions",
            len(bookings),
        ) % {"title": series.offering.title, "count": len(bookings)}

    _send(series, bookings, template="series_cancelled", subject=subject)
