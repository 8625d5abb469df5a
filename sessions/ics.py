"""Calendar files (.ics) for a booking."""

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Booking


def booking_calendar(booking: Booking) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//TheMentors//Micro-sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@thementors")
    event.add("summary", f"{booking.offering.title} — {booking.mentor.user.name} & {booking.mentee.name}")
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("dtstamp", booking.created_at)
    event.add("sequence", booking.reschedule_count)
    event.add("location", booking.join_url)
    event.add("url", settings.SITE_URL + booking.get_absolute_url())
    page = settings.SITE_URL + booking.get_absolute_url()
    event.add("description", f"Outcome: {booking.outcome}\nJoin: {booking.join_url}\nBooking: {page}")
    event.add("status", "CONFIRMED" if booking.state == Booking.State.CONFIRMED else "CANCELLED")
    organizer = vCalAddress(f"mailto:{booking.mentor.user.email}")
    organizer.params["cn"] = vText(booking.mentor.user.name)
    event["organizer"] = organizer
    cal.add_component(event)
    return cal.to_ical()
