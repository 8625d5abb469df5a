"""The group session's calendar file: one VEVENT, the same for every attendee (the join link is
theirs once they have a seat)."""

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Event, vCalAddress, vText

from sessions.ics import new_calendar

from .models import GroupSession


def group_session_calendar(group_session: GroupSession) -> bytes:
    event = Event()
    page = settings.SITE_URL + group_session.get_absolute_url()
    event.add("uid", f"group-session-{group_session.pk}@thementors")
    event.add(
        "summary",
        _("%(title)s — group session with %(name)s")
        % {"title": group_session.title, "name": group_session.mentor.user.name},
    )
    event.add("dtstart", group_session.starts_at)
    event.add("dtend", group_session.ends_at)
    event.add("dtstamp", group_session.created_at)
    event.add("location", group_session.join_url)
    event.add("url", page)
    event.add(
        "description",
        _("Join: %(join_url)s\nPage: %(page)s") % {"join_url": group_session.join_url, "page": page},
    )
    cancelled = group_session.state == GroupSession.State.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{group_session.mentor.user.email}")
    organizer.params["cn"] = vText(group_session.mentor.user.name)
    event["organizer"] = organizer
    cal = new_calendar("Group sessions")
    cal.add_component(event)
    return cal.to_ical()
