"""Busy time from an iCalendar file: what a mentor's own calendar says they cannot be booked for.

A pure function over the file's bytes, so a subscription feed, a CalDAV calendar and a test
fixture go through the same rules:

- recurring series are expanded by `recurring-ical-events` (RRULE, RDATE, EXDATE and moved or
  cancelled occurrences given by RECURRENCE-ID), only over the window asked for;
- Google's `X-WR-TIMEZONE` is applied first (`x-wr-timezone`), so its UTC times keep their place;
- a TZID is read from the file's VTIMEZONE, an IANA name or one of Outlook's Windows names
  ("W. Europe Standard Time") by `icalendar`; floating times are read in the mentor's zone;
- an all-day event blocks the mentor's whole local day(s), midnight to midnight in their zone;
- `STATUS:CANCELLED` and `TRANSP:TRANSPARENT` are not busy, and neither is any event whose UID
  ends in `@thementors`: those are the bookings TheMentors itself wrote or published.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext as _

UTC = ZoneInfo("UTC")
OUR_UID_SUFFIX = "@thementors"


class FeedError(Exception):
    """The file is not an iCalendar a person could fix by looking at it; the message says why."""


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DTSTART/DTEND value as an aware UTC instant; dates and floating times in the mentor's zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        # The mentor's wall clock; a wall time skipped by a DST change lands after the gap.
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _is_busy(event: icalendar.Event) -> bool:
    if str(event.get("uid", "")).endswith(OUR_UID_SUFFIX):
        return False
    if str(event.get("status", "")).upper() == "CANCELLED":
        return False
    return str(event.get("transp", "OPAQUE")).upper() != "TRANSPARENT"


def merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def parse(data: bytes) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise FeedError(_("The address did not return a calendar (an iCalendar .ics file).")) from error
    if calendar.name != "VCALENDAR":
        raise FeedError(_("The address did not return a calendar (an iCalendar .ics file)."))
    return x_wr_timezone.to_standard(calendar)


def busy_intervals(
    data: bytes, *, zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The busy stretches of the file within [start, end), in UTC, merged and sorted."""
    calendar = parse(data)
    # Expand in the mentor's wall clock with a day's margin each side (floating and all-day
    # events are local), then clip exactly in UTC.
    local_start = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    local_end = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    try:
        events = recurring_ical_events.of(calendar, skip_bad_series=True).between(local_start, local_end)
    except (ValueError, TypeError) as error:
        raise FeedError(
            _("The calendar has an event that cannot be read: %(error)s") % {"error": error}
        ) from error
    intervals = []
    for event in events:
        if not _is_busy(event):
            continue
        try:
            lo, hi = _instant(event.start, zone), _instant(event.end, zone)
        except (ValueError, KeyError, icalendar.InvalidCalendar):
            continue  # an event without a start is nobody's appointment
        lo, hi = max(lo, start), min(hi, end)
        if lo < hi:
            intervals.append((lo, hi))
    return merged(intervals)
