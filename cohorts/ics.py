"""The private ICS subscription feed: a user's sessions and cohort events, in UTC (RFC 5545)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from sessions.ics import booking_event, new_calendar
from sessions.models import Booking

from .models import Cohort, CohortEvent, Enrollment

# Calendar apps keep what they already have; the feed carries recent past and everything ahead.
FEED_PAST = timedelta(days=60)
FEED_BOOKING_STATES = (
    Booking.State.CONFIRMED,
    Booking.State.COMPLETED,
    Booking.State.CANCELLED_BY_MENTEE,
    Booking.State.CANCELLED_BY_MENTOR,
)


def cohort_event_vevent(event: CohortEvent) -> Event:
    cohort = event.cohort
    vevent = Event()
    vevent.add("uid", f"cohort-event-{event.pk}@thementors")
    vevent.add("summary", f"{event.display_title} — {cohort.title}")
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    vevent.add("dtstamp", event.updated_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("sequence", event.sequence)
    vevent.add("location", event.join_url)
    page = settings.SITE_URL + cohort.get_absolute_url()
    vevent.add("url", page)
    description = _("%(kind)s of %(cohort)s") % {"kind": event.get_kind_display(), "cohort": cohort.title}
    join = _("Join: %(url)s") % {"url": event.join_url}
    vevent.add("description", f"{description}\n{join}\n{page}")
    cancelled = event.is_cancelled or cohort.status == Cohort.Status.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def user_feed(user) -> bytes:
    since = timezone.now() - FEED_PAST
    cal = new_calendar(_("Calendar feed"))
    cal.add("x-wr-calname", "TheMentors")
    mentor_id = getattr(getattr(user, "mentor", None), "pk", None)
    mine = Q(mentee=user) | Q(mentor_id=mentor_id) if mentor_id else Q(mentee=user)
    bookings = (
        Booking.objects.filter(mine, state__in=FEED_BOOKING_STATES, ends_at__gte=since)
        .select_related("offering", "mentor__user", "mentee")
        .order_by("starts_at")
    )
    for booking in bookings:
        cal.add_component(booking_event(booking))
    member_of = Enrollment.objects.filter(member=user, state__in=Enrollment.MEMBER_STATES).values("cohort_id")
    events = (
        CohortEvent.objects.filter(Q(cohort__in=member_of) | Q(cohort__facilitator_id=mentor_id))
        .exclude(cohort__status=Cohort.Status.DRAFT)
        .filter(ends_at__gte=since)
        .select_related("cohort")
        .order_by("starts_at")
    )
    for event in events:
        cal.add_component(cohort_event_vevent(event))
    return cal.to_ical()
