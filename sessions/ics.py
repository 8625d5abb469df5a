"""Calendar files (.ics) for a booking, and the booking's VEVENT for the private feed."""

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Booking


def new_calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//TheMentors//{name}//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    return cal


def booking_event(booking: Booking) -> Event:
    """One VEVENT with a stable UID; SEQUENCE follows reschedules, STATUS follows cancellation."""
    event = Event()
    event.add("uid", f"booking-{booking.pk}@thementors")
    event.add("summary", f"{booking.offering.title} — {booking.mentor.user.name} & {booking.mentee.name}")
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("dtstamp", booking.created_at)
    event.add("sequence", booking.reschedule_count)
    event.add("location", booking.join_url)
    page = settings.SITE_URL + booking.get_absolute_url()
    event.add("url", page)
    event.add("description", f"Outcome: {booking.outcome}\nJoin: {booking.join_url}\nBooking: {page}")
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
