"""What the calendar tests share: a day the factory mentor is free, Berlin times, a feed of events,
and the offering's free start times on a day."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from sessions.selectors import offering_slots_for_day

BERLIN = ZoneInfo("Europe/Berlin")


def a_weekday() -> date:
    """A weekday at least two days ahead: the factory mentor is free 09:00-17:00 Berlin then."""
    day = timezone.now().astimezone(BERLIN).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def feed(*events: tuple[datetime, datetime]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for i, (lo, hi) in enumerate(events):
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{i}@example.com",
            f"DTSTART:{lo.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}",
            f"DTEND:{hi.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}",
            "SUMMARY:Dentist",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def berlin(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def starts(offering, day: date) -> list[str]:
    return [
        f"{s.astimezone(BERLIN):%H:%M}"
        for s in offering_slots_for_day(offering=offering, day=day, zone=BERLIN)
    ]
