"""Imported calendar busy time in the slot engine: does it stay within one bare request's cost?

    .venv/bin/python bench/calendar_busy.py

Figures in CPU time (stable on a shared machine):

1. a bare request, two ways: the CPU a gunicorn worker spends per GET of the benchmark's bare view
   (bench/urls.py: Django and the product's whole middleware, as bench/run.py's baseline), read
   from /proc for the worker processes over 2,000 requests; and, for scale, the same view through
   Django's test client in this process (no HTTP server, so less);
2. the slot engine over 60 days for slotbench.py's mentor (300 bookings, a DST change inside),
   without and with 500 busy intervals read from the mentor's own calendar;
3. reading that calendar: calendars.feeds.busy_intervals over a feed that gives the 500 intervals
   (a weekly series with exceptions, all-day events, single events in several zones). This runs
   in the sync task every 5 minutes, never in a request; printed for scale.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import warnings  # noqa: E402

import django  # noqa: E402

from bench import run  # noqa: E402 - the benchmark's gunicorn (sets bench.settings)

# The bare view needs no collected static files; WhiteNoise warns that there are none.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from bench import slotbench  # noqa: E402
from calendars.feeds import busy_intervals  # noqa: E402
from mentors.slots import Busy  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
UTC = ZoneInfo("UTC")
N_IMPORTED = 500


def cpu_ms(fn, repeats: int) -> float:
    """Median CPU milliseconds of one call, over `repeats` batches of 10 calls."""
    for _ in range(5):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(10):
            fn()
        samples.append((time.process_time() - t0) / 10 * 1000)
    return statistics.median(samples)


def bare_over_gunicorn(requests: int = 2000) -> float:
    """CPU milliseconds a gunicorn worker spends per bare request (one sync worker)."""
    from bench import load

    port = run.free_port()
    proc = run.start_gunicorn(port, workers=1, worker_class="sync", threads=1)
    try:
        for _ in range(200):  # warm up
            load.one(run.HOST, port, "GET", "/bench/bare")
        before = run.worker_cpu_seconds(proc.pid)
        for _ in range(requests):
            load.one(run.HOST, port, "GET", "/bench/bare")
        return (run.worker_cpu_seconds(proc.pid) - before) / requests * 1000
    finally:
        run.stop_gunicorn(proc)


def feed(seed: int = 11) -> bytes:
    """A calendar over slotbench's 60 days that yields about N_IMPORTED busy stretches."""
    rng = random.Random(seed)
    start = slotbench.NOW
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", "X-WR-TIMEZONE:America/New_York"]
    # A daily stand-up, Monday to Friday, with two dates removed.
    first = start.astimezone(ZoneInfo("Europe/Berlin")).replace(hour=9, minute=0) + timedelta(days=1)
    lines += [
        "BEGIN:VEVENT",
        "UID:standup@example.com",
        f"DTSTART;TZID=Europe/Berlin:{first:%Y%m%dT%H%M%S}",
        "DURATION:PT15M",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        f"EXDATE;TZID=Europe/Berlin:{first + timedelta(days=7):%Y%m%dT%H%M%S}",
        "END:VEVENT",
    ]
    # All-day events on every tenth day; single events, apart from each other and from those
    # days and the stand-up's morning hours, in three zones (Outlook's Windows name among them).
    all_day = {start.date() + timedelta(days=d) for d in range(5, 60, 10)}
    for n, day in enumerate(sorted(all_day)):
        lines += [
            "BEGIN:VEVENT",
            f"UID:allday-{n}@example.com",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            "END:VEVENT",
        ]
    taken: list[tuple[datetime, datetime]] = []
    while len(taken) < N_IMPORTED - 30 - len(all_day):  # the series gives about 40, some merge
        lo = start + timedelta(days=rng.randrange(1, 59), minutes=15 * rng.randrange(96))
        hi = lo + timedelta(minutes=rng.choice([15, 30, 45, 60, 90]))
        if lo.date() in all_day or hi.date() in all_day or 6 <= lo.hour <= 9 or 6 <= hi.hour <= 9:
            continue
        if any(a <= hi + timedelta(minutes=15) and lo <= b + timedelta(minutes=15) for a, b in taken):
            continue
        taken.append((lo, hi))
        zone = rng.choice(["W. Europe Standard Time", "America/New_York", "UTC"])
        if zone == "UTC":
            when = f":{lo:%Y%m%dT%H%M%SZ}"
        else:
            local = lo.astimezone(ZoneInfo("Europe/Berlin" if zone.startswith("W.") else zone))
            when = f";TZID={zone}:{local:%Y%m%dT%H%M%S}"
        minutes = int((hi - lo).total_seconds() // 60)
        lines += ["BEGIN:VEVENT", f"UID:event-{len(taken)}@example.com", f"DTSTART{when}"]
        lines += [f"DURATION:PT{minutes}M", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    client = Client()
    in_process = cpu_ms(lambda: client.get("/bench/bare"), repeats=60)
    bare = bare_over_gunicorn()

    rules, bookings = slotbench.build_inputs()
    data = feed()
    window = (slotbench.NOW, slotbench.NOW + slotbench.HORIZON)
    imported = busy_intervals(data, zone=rules.zone, start=window[0], end=window[1])
    # As the selectors read them from the database: whole epoch seconds (core.db.EpochSeconds).
    with_calendar = sorted(bookings + [Busy.between(lo, hi, False) for lo, hi in imported])
    engine = cpu_ms(lambda: slotbench.call(rules, bookings), repeats=60)
    engine_imported = cpu_ms(lambda: slotbench.call(rules, with_calendar), repeats=60)
    parse = cpu_ms(lambda: busy_intervals(data, zone=rules.zone, start=window[0], end=window[1]), repeats=5)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        ("bare request over gunicorn (the worker's CPU)", bare, True),
        ("bare request through the test client (no HTTP server)", in_process, True),
        (f"slot engine, 60 days, {len(bookings)} bookings", engine, True),
        (f"... and {len(imported)} imported busy intervals", engine_imported, True),
        (f"reading the feed ({len(data) // 1024} KB; sync task, not a request)", parse, False),
    ]
    print(f"load average {load}; CPU time, median per call")
    for label, ms, ratio in rows:
        print(f"  {label:<58} {ms:8.2f} ms" + (f"   {ms / bare:5.2f}x bare" if ratio else ""))


if __name__ == "__main__":
    main()
