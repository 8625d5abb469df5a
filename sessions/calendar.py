"""The slot picker's month and times, as the viewer reads them: pure, no queries.

The month grid marks the days with free times; the day's times are grouped by part of the day and
written in the viewer's clock (core.clock: 12-hour for the locales that use it, else 24-hour), and
the weeks start on the viewer's first weekday; a time inside the
free-cancellation window carries the notice `policy.late_booking_notice` words.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.clock import clock_label

from . import policy

PARTS_OF_DAY = ((_("Morning"), 0, 12), (_("Afternoon"), 12, 17), (_("Evening"), 17, 24))


def weekday_names(first_weekday: int = 0) -> tuple[tuple[str, str], ...]:
    """(name, two-letter abbreviation) for each column, starting on the viewer's first weekday."""
    names = [str(WEEKDAYS[(first_weekday + i) % 7]) for i in range(7)]
    return tuple((name, name[:2]) for name in names)


@dataclass(frozen=True)
class SlotView:
    at: datetime  # UTC, as the booking form takes it
    local: datetime
    label: str
    late_notice: str  # empty unless cancelling it would not be refunded
    param: str = ""  # `at` as the picker's links carry it (ISO 8601, URL-quoted)


@dataclass(frozen=True)
class SlotGroup:
    name: str
    slots: list[SlotView]


def slot_groups(
    slots: list[datetime], *, zone: ZoneInfo, twelve_hour: bool, window_hours: int, now: datetime, paid: bool
) -> list[SlotGroup]:
    """Morning (before 12:00), afternoon (until 17:00), evening; empty groups left out."""
    views = [
        SlotView(
            at=s,
            local=s.astimezone(zone),
            label=clock_label(s.astimezone(zone), twelve_hour=twelve_hour),
            late_notice=policy.late_booking_notice(s, window_hours=window_hours, now=now) if paid else "",
            param=quote(s.isoformat()),
        )
        for s in slots
    ]
    groups = [SlotGroup(name, [v for v in views if lo <= v.local.hour < hi]) for name, lo, hi in PARTS_OF_DAY]
    return [g for g in groups if g.slots]


@dataclass(frozen=True)
class DayCell:
    day: date | None  # None: a day of the neighbouring month, shown blank
    free: bool = False
    selected: bool = False
    today: bool = False
    # Written here once rather than by the template per cell: the date as links carry it, and as
    # a free day's link reads it aloud.
    iso: str = ""
    label: str = ""


def month_weeks(
    month: date, *, free_days: set[date], selected: date | None, today: date, first_weekday: int = 0
) -> list[list[DayCell]]:
    """The month's weeks, starting on the viewer's first weekday (0 = Monday, 6 = Sunday); days
    outside the month are blank cells."""
    weeks = calendar.Calendar(firstweekday=first_weekday).monthdatescalendar(month.year, month.month)
    return [
        [
            DayCell(
                d,
                free=d in free_days,
                selected=d == selected,
                today=d == today,
                iso=d.isoformat(),
                label=date_format(d, "l j F") if d in free_days else "",
            )
            if d.month == month.month
            else DayCell(None)
            for d in week
        ]
        for week in weeks
    ]


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def parse_month(value: str) -> date | None:
    """ "2026-03" -> 1 March 2026; None for anything else."""
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None
