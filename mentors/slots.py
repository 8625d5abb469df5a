"""The slot engine: which start times a mentor can still be booked at.

A pure function over plain values — no database access — so the caller loads its
inputs in a fixed number of queries and the same rules run for the slot picker,
the directory's "free this week" and the booking service's re-check.

Internally every instant is an integer count of microseconds since the Unix epoch (UTC), so
the hot loop compares and adds plain ints instead of aware datetimes (whose comparisons across
different tzinfo objects call utcoffset() each time); datetimes are only built for the output.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

GRID = timedelta(minutes=15)
UTC = ZoneInfo("UTC")  # the tzinfo of the returned start times

_US = 1_000_000  # microseconds per second
_GRID_US = 15 * 60 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # noqa: UP017
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Window:
    """A wall-clock window on one local date (weekly rule or extra hours)."""

    start: time
    end: time


class Busy(NamedTuple):
    """Time the mentor is taken (a held or confirmed booking, a cohort event, their own calendar),
    [start, end) in whole seconds since the Unix epoch: the selectors read it from the database as
    integers (core.db.EpochSeconds), start rounded down and end up."""

    start: int
    end: int
    counts_toward_daily_cap: bool = True

    @classmethod
    def between(cls, starts_at: datetime, ends_at: datetime, counts_toward_daily_cap: bool = True) -> Busy:
        return cls(math.floor(starts_at.timestamp()), math.ceil(ends_at.timestamp()), counts_toward_daily_cap)


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


def _td_us(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * _US + delta.microseconds


def _dt_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, unlike timestamp())."""
    return _td_us(moment - _EPOCH)


def _skipped_to_utc(day: date, wall: time, zone: ZoneInfo) -> int:
    """A wall time the clocks skip (going forward): the moment they jump, in epoch microseconds.

    fold=1 reads it with the offset after the jump, an instant before the jump; find the jump
    between the two readings to the second (tz transitions fall on whole seconds).
    """
    local = datetime.combine(day, wall, tzinfo=zone)
    moment = local.astimezone(timezone.utc)  # noqa: UP017
    before = math.floor(local.replace(fold=1).astimezone(timezone.utc).timestamp())  # noqa: UP017
    after = math.ceil(moment.timestamp())
    offset_after = moment.astimezone(zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, timezone.utc).astimezone(zone).utcoffset() == offset_after:  # noqa: UP017
            after = middle
        else:
            before = middle
    return after * _US


def _to_utc(day: date, wall: time, zone: ZoneInfo) -> int:
    """The first instant (epoch µs) at which the wall clock in `zone` reads `wall` or later on `day`.

    A repeated time (clocks going back) is its first occurrence. A time the clocks skip (going
    forward) becomes the moment they jump, so a window never reaches past its wall-clock end;
    Python's own reading of a skipped time (fold=0) would land one gap-length later.
    """
    naive = datetime.combine(day, wall)
    first = zone.utcoffset(naive)
    second = zone.utcoffset(naive.replace(fold=1))
    if first < second:  # in a gap: the two readings straddle the jump
        return _skipped_to_utc(day, wall, zone)
    # Unambiguous (equal offsets) or repeated (fold=0 is the first occurrence, the larger offset).
    return _local_us(day, wall) - _td_us(first)


def _wall_us(wall: time) -> int:
    """Microseconds since midnight on the wall clock."""
    return (wall.hour * 3600 + wall.minute * 60 + wall.second) * _US + wall.microsecond


def _local_us(day: date, wall: time) -> int:
    """The wall-clock reading as if it were UTC, in epoch microseconds."""
    return (day.toordinal() - _EPOCH_ORDINAL) * 86400 * _US + _wall_us(wall)


def _steady_midnight(day: date, zone: ZoneInfo) -> int | None:
    """The UTC instant (epoch µs) of the day's local midnight if one offset holds all day, else None.

    Midnight unambiguous and the same offset at the next midnight: no transition falls inside the
    day (zones change at most once a day), so every wall time converts with this one offset.
    """
    midnight = datetime.combine(day, time())
    offset = zone.utcoffset(midnight)
    if offset == zone.utcoffset(midnight.replace(fold=1)) == zone.utcoffset(midnight + timedelta(days=1)):
        return (day.toordinal() - _EPOCH_ORDINAL) * 86400 * _US - _td_us(offset)
    return None


@lru_cache(maxsize=16_384)  # a few zones × the days of the horizon; the same ones on every request
def _day_start(day: date, zone: ZoneInfo) -> tuple[int, bool]:
    """The first instant (epoch µs) of the local day, and whether one offset holds all day."""
    midnight = _steady_midnight(day, zone)
    if midnight is None:  # a clock change today
        return _to_utc(day, time(), zone), False
    return midnight, True


def _windows_for(day: date, rules: Rules) -> list[tuple[int, int]]:
    """The day's windows as sorted (start, end) epoch µs."""
    if day in rules.days_off:
        return []
    windows = rules.weekly.get(day.weekday(), ())
    extra = rules.extra.get(day)
    if extra:
        windows = (*windows, *extra)
    if not windows:
        return []
    zone = rules.zone
    midnight = _steady_midnight(day, zone)
    result = []
    for w in windows:
        if midnight is None:  # a DST change today: each edge on its own
            start, end = _to_utc(day, w.start, zone), _to_utc(day, w.end, zone)
        else:
            start, end = midnight + _wall_us(w.start), midnight + _wall_us(w.end)
        if start < end:
            result.append((start, end))
    result.sort()
    return result


def free_slots(
    *,
    rules: Rules,
    busy: Iterable[tuple[int, int, bool]],
    duration: timedelta,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
) -> list[datetime]:
    """Start times (UTC, on the 15-minute grid) in [window_start, window_end) a session fits.

    A start c is taken by a busy stretch [lo, hi) when the session and its buffers, [c - before,
    c + length + after), meet the stretch and its buffers, [lo - before, hi + after): that is for
    every c in the open range (lo - before - length - after, hi + after + before). Those ranges are
    merged once; each window then steps from one free run to the next, and a run of free
    quarter-hours is one range() — the loop turns once per busy stretch, not once per quarter-hour.
    """
    earliest_dt = max(window_start, now + rules.minimum_notice)
    latest_dt = min(window_end, now + rules.horizon)
    if earliest_dt >= latest_dt:
        return []
    earliest = _dt_us(earliest_dt)
    latest = _dt_us(latest_dt)

    zone = rules.zone
    before = _td_us(rules.buffer_before)
    after = _td_us(rules.buffer_after)
    length = _td_us(duration)
    reach_back = before + length + after
    reach_on = after + before
    taken = []
    capped = []
    for lo, hi, counts in busy:
        lo *= _US
        taken.append((lo - reach_back, hi * _US + reach_on))
        if counts:
            capped.append(lo)
    froms, tos = _merged(taken)
    n_taken = len(froms)
    max_per_day = rules.max_per_day
    if len(capped) < max_per_day:
        capped = []  # no day can be full
    else:
        capped.sort()
    grid = _GRID_US
    # Each weekday's hours as offsets from local midnight, for the days one offset holds all day.
    weekly = {
        weekday: sorted((_wall_us(w.start), _wall_us(w.end)) for w in windows if w.start < w.end)
        for weekday, windows in rules.weekly.items()
    }
    extra, days_off = rules.extra, rules.days_off

    slots: list[int] = []
    one_day = timedelta(days=1)
    day = earliest_dt.astimezone(zone).date() - one_day
    last_day = latest_dt.astimezone(zone).date()
    day_start, steady = _day_start(day, zone)
    while day <= last_day:
        next_day = day + one_day
        next_start, next_steady = _day_start(next_day, zone)
        if capped and bisect_left(capped, next_start) - bisect_left(capped, day_start) >= max_per_day:
            windows = []
        elif steady and day not in extra and day not in days_off:  # most days: the week's hours
            windows = [(day_start + a, day_start + b) for a, b in weekly.get(day.weekday(), ())]
        else:
            windows = _windows_for(day, rules)
        end_of_previous = None
        for start, end in windows:
            first = -(-max(start, earliest) // grid) * grid  # up to the grid
            last = min(end - length, latest - 1)  # fits the window, starts before latest
            if first > last:
                continue
            run: list[int] = []
            i = bisect_right(tos, first)  # the first taken range that reaches past `first`
            candidate = first
            while candidate <= last:
                if i < n_taken and froms[i] < last:
                    free_to = froms[i]  # starts up to here are clear of range i
                    if candidate <= free_to:
                        run.extend(range(candidate, free_to + 1, grid))
                    candidate = max(candidate, -(-tos[i] // grid) * grid)
                    i += 1
                else:
                    run.extend(range(candidate, last + 1, grid))
                    break
            if end_of_previous is not None and start < end_of_previous:  # overlapping windows
                slots = sorted({*slots, *run})
            else:
                slots += run
            end_of_previous = end if end_of_previous is None else max(end, end_of_previous)
        day, day_start, steady = next_day, next_start, next_steady
    # Grid points are whole seconds.
    return [datetime.fromtimestamp(s // _US, UTC) for s in slots]


def _merged(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted, disjoint open ranges as two parallel lists (starts, ends) for bisecting.

    Ranges that only touch stay apart: the point between them is free of both.
    """
    los: list[int] = []
    his: list[int] = []
    for lo, hi in sorted(intervals):
        if his and lo < his[-1]:
            if hi > his[-1]:
                his[-1] = hi
        else:
            los.append(lo)
            his.append(hi)
    return los, his
