"""The slot engine: which start times a mentor can still be booked at.

A pure function over plain values — no database access — so the caller loads its
inputs in a fixed number of queries and the same rules run for the slot picker,
the directory's "free this week" and the booking service's re-check.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GRID = timedelta(minutes=15)
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Window:
    """A wall-clock window on one local date (weekly rule or extra hours)."""

    start: time
    end: time


@dataclass(frozen=True)
class Busy:
    """Time the mentor is taken: a held or confirmed booking, or a cohort event."""

    starts_at: datetime
    ends_at: datetime
    counts_toward_daily_cap: bool = True


@dataclass(frozen=True)
class Rules:
    zone: ZoneInfo
    weekly: dict[int, tuple[Window, ...]]  # weekday (Monday=0) -> windows
    extra: dict[date, tuple[Window, ...]]
    days_off: frozenset[date]
    buffer_before: timedelta
    buffer_after: timedelta
    minimum_notice: timedelta
    horizon: timedelta
    max_per_day: int


def _to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the wall clock in `zone` reads `wall` or later on `day`.

    A repeated time (clocks going back) is its first occurrence. A time the clocks skip (going
    forward) becomes the moment they jump, so a window never reaches past its wall-clock end;
    Python's own reading of a skipped time (fold=0) would land one gap-length later.
    """
    local = datetime.combine(day, wall, tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    # Skipped: fold=1 reads it with the offset after the jump, an instant before the jump; find
    # the jump between the two readings to the second (tz transitions fall on whole seconds).
    before = math.floor(local.replace(fold=1).astimezone(UTC).timestamp())
    after = math.ceil(moment.timestamp())
    offset_after = moment.astimezone(zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _windows_for(day: date, rules: Rules) -> list[tuple[datetime, datetime]]:
    if day in rules.days_off:
        return []
    windows = list(rules.weekly.get(day.weekday(), ())) + list(rules.extra.get(day, ()))
    result = []
    for w in windows:
        start = _to_utc(day, w.start, rules.zone)
        end = _to_utc(day, w.end, rules.zone)
        if start < end:
            result.append((start, end))
    return sorted(result)


def _ceil_to_grid(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    floored = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floored if floored == moment else floored + GRID


def free_slots(
    *,
    rules: Rules,
    busy: list[Busy],
    duration: timedelta,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
) -> list[datetime]:
    """Start times (UTC, on the 15-minute grid) in [window_start, window_end) a session fits."""
    earliest = max(window_start, now + rules.minimum_notice)
    latest = min(window_end, now + rules.horizon)
    if earliest >= latest:
        return []

    zone = rules.zone
    per_day = Counter(b.starts_at.astimezone(zone).date() for b in busy if b.counts_toward_daily_cap)
    los, his = _merged((b.starts_at - rules.buffer_before, b.ends_at + rules.buffer_after) for b in busy)

    slots: list[datetime] = []
    day = earliest.astimezone(zone).date() - timedelta(days=1)
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        if per_day[day] < rules.max_per_day:
            for start, end in _windows_for(day, rules):
                candidate = _ceil_to_grid(max(start, earliest))
                while candidate + duration <= end and candidate < latest:
                    lo = candidate - rules.buffer_before
                    hi = candidate + duration + rules.buffer_after
                    i = bisect_right(his, lo)
                    if i < len(los) and los[i] < hi:
                        # Taken: jump past the busy stretch instead of testing every quarter-hour.
                        candidate = _ceil_to_grid(his[i] + rules.buffer_before)
                        continue
                    if not slots or slots[-1] < candidate:
                        slots.append(candidate)
                    elif candidate not in slots:
                        slots.append(candidate)
                        slots.sort()
                    candidate += GRID
        day += timedelta(days=1)
    return slots


def _merged(intervals) -> tuple[list[datetime], list[datetime]]:
    """Sorted, disjoint busy intervals as two parallel lists (starts, ends) for bisecting."""
    los: list[datetime] = []
    his: list[datetime] = []
    for lo, hi in sorted(intervals):
        if his and lo <= his[-1]:
            his[-1] = max(his[-1], hi)
        else:
            los.append(lo)
            his.append(hi)
    return los, his
