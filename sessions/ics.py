"""Calendar files (.ics) for a booking, and the booking's VEVENT for the private feed."""

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Booking


def new_calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//TheMentors//{name}//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    return cal


def _summary(booking: Booking) -> str:
    return f"{booking.offering.title} — {booking.mentor.user.name} & {booking.mentee.name}"


def _description(booking: Booking) -> str:
    page = settings.SITE_URL + booking.get_absolute_url()
    return _("Outcome: %(outcome)s\nJoin: %(join_url)s\nBooking: %(page)s") % {
        "outcome": booking.outcome,
        "join_url": booking.join_url,
        "page": page,
    }


def google_calendar_url(booking: Booking) -> str:
    """Google Calendar's "add event" page, filled in (times in UTC, as Google reads "Z")."""
    dates = f"{booking.starts_at:%Y%m%dT%H%M%SZ}/{booking.ends_at:%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": _summary(booking),
        "dates": dates,
        "details": _description(booking),
        "location": booking.join_url,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(booking: Booking) -> str:
    """Outlook on the web's "new event" form, filled in (ISO times in UTC)."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": _summary(booking),
        "startdt": f"{booking.starts_at:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{booking.ends_at:%Y-%m-%dT%H:%M:%SZ}",
        "body": _description(booking),
        "location": booking.join_url,
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)


def booking_event(booking: Booking) -> Event:
    """One VEVENT with a stable UID; SEQUENCE follows reschedules, STATUS follows cancellation."""
    event = Event()
    event.add("uid", f"booking-{booking.pk}@thementors")
    event.add("summary", _summary(booking))
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("dtstamp", booking.created_at)
    event.add("sequence", booking.reschedule_count)
    event.add("location", booking.join_url)
    event.add("url", settings.SITE_URL + booking.get_absolute_url())
    event.add("description", _description(booking))
    active = booking.state in (Booking.State.CONFIRMED, Booking.State.COMPLETED)
    event.add("status", "CONFIRMED" if active else "CANCELLED")
    organizer = vCalAddress(f"mailto:{booking.mentor.user.email}")
    organizer.params["cn"] = vText(booking.mentor.user.name)
    event["organizer"] = organizer
    return event


def booking_calendar(booking: Booking) -> bytes:
    cal = new_calendar("Micro-sessions")
    cal.add_component(booking_event(booking))
    return cal.to_ical()


def series_calendar(bookings: list[Booking]) -> bytes:
    """Every occurrence of a weekly series, one VEVENT each (their own UIDs: moving or cancelling
    one later updates just that event)."""
    cal = new_calendar("Micro-sessions")
    for booking in bookings:
        cal.add_component(booking_event(booking))
    return cal.to_ical()
