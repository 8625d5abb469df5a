"""Sessions and cohort events out to the calendar a mentor chose to receive them (CalDAV or
Google), under the UIDs of the private .ics feed, so a mentor who uses both sees one event.

Each push writes what is true now (idempotent): an event still going ahead is created or
replaced, one that is not is removed. A calendar that cannot be written records why on its
connection and the push raises, for its task to try again with a back-off.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from cohorts.ics import cohort_event_vevent
from cohorts.models import Cohort, CohortEvent
from sessions.ics import booking_event
from sessions.models import Booking

from . import dav, google, tasks
from .fetch import FetchError
from .models import CalendarConnection
from .services import account, allowed_networks, keep_tokens


def _writing(mentor_id: int):
    return CalendarConnection.objects.filter(mentor_id=mentor_id).exclude(write_calendar="")


def push_booking_later(*, booking: Booking, **_) -> None:
    """A booking was confirmed, moved or ended (sessions.hooks.booking_scheduled, booking_ended)."""
    if _writing(booking.mentor_id).exists():
        tasks.push_booking.delay_on_commit(str(booking.pk))


def push_cohort_later(*, cohort: Cohort) -> None:
    """A cohort's live events changed, or it was cancelled (cohorts.hooks.facilitator_calendar_changed)."""
    if _writing(cohort.facilitator_id).exists():
        tasks.push_cohort.delay_on_commit(cohort.pk)


def push_booking(*, booking_id: str) -> None:
    booking = Booking.objects.select_related("offering", "mentor__user", "mentee").get(pk=booking_id)
    going_ahead = booking.state in (Booking.State.CONFIRMED, Booking.State.COMPLETED)
    _push(booking.mentor_id, [(booking_event(booking), going_ahead)], what=_("Writing a session: %(error)s"))


def push_cohort(*, cohort_id: int) -> None:
    """The cohort's events from yesterday on: the live ones written, the cancelled ones removed."""
    events = CohortEvent.objects.filter(cohort_id=cohort_id, ends_at__gt=timezone.now() - timedelta(days=1))
    events = list(events.select_related("cohort"))
    if events:
        cohort = events[0].cohort
        live = cohort.status != Cohort.Status.CANCELLED
        _push(
            cohort.facilitator_id,
            [(cohort_event_vevent(e), live and not e.is_cancelled) for e in events],
            what=_("Writing a cohort event: %(error)s"),
        )


def _push(mentor_id: int, events: list[tuple[Event, bool]], *, what: Promise) -> None:
    failure = None
    for connection in _writing(mentor_id):
        try:
            for event, going_ahead in events:
                _write(connection, event, going_ahead)
        except FetchError as error:
            CalendarConnection.objects.filter(pk=connection.pk).update(
                last_error=(what % {"error": error})[:300]
            )
            failure = error
    if failure is not None:
        raise failure


def _write(connection: CalendarConnection, event: Event, going_ahead: bool) -> None:
    uid = str(event["uid"])
    if connection.kind == CalendarConnection.Kind.GOOGLE:
        session = google.Session(connection.tokens)
        if going_ahead:
            google.put_event(session, connection.write_calendar, event)
        else:
            google.delete_event(session, connection.write_calendar, uid)
        keep_tokens(connection, session)
    elif going_ahead:
        dav.put_event(
            account(connection), connection.write_calendar, _ical(event), allowed=allowed_networks()
        )
    else:
        dav.delete_event(account(connection), connection.write_calendar, uid, allowed=allowed_networks())


def _ical(event: Event) -> bytes:
    """One event as a calendar object resource (no METHOD: RFC 4791 keeps it out of stored ones)."""
    calendar = Calendar()
    calendar.add("prodid", "-//TheMentors//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()
