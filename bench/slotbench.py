"""The slot engine alone: mentors.slots.free_slots over 60 days, 300 bookings, a DST change inside.

Inputs are built in-process (no database): a Europe/Berlin mentor free Mon–Fri 08:00–12:00 and
13:00–19:00 and Saturday 10:00–14:00, a window from 1 Oct to 30 Nov 2026 (Berlin leaves summer
time on 25 Oct 2026), 300 non-overlapping bookings spread over the window. Busy times are whole
epoch seconds, as the selectors read them from the database (core.db.EpochSeconds); "now" carries
datetime.timezone.utc, as django.utils.timezone.now() returns it.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the project importable
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mentors.slots import Busy, Rules, Window, free_slots

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 6, 0, tzinfo=timezone.utc)  # noqa: UP017 - as Django returns it
HORIZON = timedelta(days=60)
DURATION = timedelta(minutes=30)
N_BOOKINGS = 300


def build_inputs(seed: int = 7):
    weekday_windows = (Window(wall(8), wall(12)), Window(wall(13), wall(19)))
    weekly = {d: weekday_windows for d in range(5)}
    weekly[5] = (Window(wall(10), wall(14)),)
    rules = Rules(
        zone=BERLIN,
        weekly=weekly,
        extra={date(2026, 10, 24): (Window(wall(18), wall(20)),)},
        days_off=frozenset({date(2026, 11, 11)}),
        buffer_before=timedelta(0),
        buffer_after=timedelta(minutes=15),
        minimum_notice=timedelta(hours=12),
        horizon=HORIZON,
        max_per_day=10,
    )
    # 300 bookings: on each open local day, a few non-overlapping sessions on the quarter-hour grid.
    rng = random.Random(seed)
    open_days = []
    d = NOW.astimezone(BERLIN).date() + timedelta(days=1)
    while len(open_days) < 60 and d < (NOW + HORIZON).astimezone(BERLIN).date():
        if d.weekday() in weekly and d not in rules.days_off:
            open_days.append(d)
        d += timedelta(days=1)
    busy: list[Busy] = []
    taken: dict[date, list[tuple[datetime, datetime]]] = {}
    attempts = 0
    while len(busy) < N_BOOKINGS:
        attempts += 1
        if attempts > 200_000:
            raise RuntimeError("could not place the bookings; loosen the layout")
        day = rng.choice(open_days)
        window = rng.choice(weekly[day.weekday()])
        length = timedelta(minutes=rng.choice([15, 30, 45, 60]))
        first = datetime.combine(day, window.start, tzinfo=BERLIN)
        steps = int(
            (datetime.combine(day, window.end) - datetime.combine(day, window.start) - length)
            / timedelta(minutes=15)
        )
        start = (first + timedelta(minutes=15 * rng.randint(0, steps))).astimezone(timezone.utc)  # noqa: UP017
        end = start + length
        if len(taken.get(day, [])) >= 8 or any(
            s < end + timedelta(minutes=15) and start < e + timedelta(minutes=15)
            for s, e in taken.get(day, [])
        ):
            continue
        taken.setdefault(day, []).append((start, end))
        busy.append(Busy.between(start, end))
    busy.sort()
    return rules, busy


def call(rules, busy):
    return free_slots(
        rules=rules, busy=busy, duration=DURATION, now=NOW, window_start=NOW, window_end=NOW + HORIZON
    )


def pooled(*results: dict) -> dict:
    timings = sorted(t for r in results for t in r["timings"])
    return {
        **results[0],
        "timings": timings,
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(0.95 * len(timings)) - 1] * 1000,
        "repeats": len(timings),
    }


def measure(repeats: int = 300, warmup: int = 20) -> dict:
    rules, busy = build_inputs()
    for _ in range(warmup):
        slots = call(rules, busy)
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call(rules, busy)
        timings.append(time.perf_counter() - t0)
    dst_days = {
        s.astimezone(BERLIN).date()
        for s in slots
        if s.astimezone(BERLIN).date() in (date(2026, 10, 23), date(2026, 10, 26))
    }
    return {
        "timings": timings,
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": sorted(timings)[int(0.95 * len(timings)) - 1] * 1000,
        "repeats": repeats,
        "bookings": len(busy),
        "slots": len(slots),
        "spans_dst": len(dst_days) == 2,
    }


if __name__ == "__main__":
    result = measure()
    del result["timings"]
    print(result)
