"""A mentor's Impact page (/mentor/impact/) on the benchmark data: time and query count.

    .venv/bin/python bench/impact.py              # after bench/run.py --seed-only
    .venv/bin/python bench/impact.py --runs 20    # timed requests (default 10)

In-process with Django's test client (the full middleware stack) against the benchmark database,
signed in as the busiest mentor (most completed sessions). Each request is timed by the wall
clock and by this process's CPU; the figures are medians after one warm-up. Queries are counted
on one request, and again for the quietest mentor with a session, to show the count does not
depend on the data. Timed twice: with the platform medians cached (every visit within five
minutes of another mentor's) and computed (the cache keys deleted before each request).
Writes nothing to the database; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dashboard.impact import window_months  # noqa: E402
from mentors.models import MentorProfile  # noqa: E402
from sessions.models import Booking  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
URL = "/mentor/impact/"


def mentors_by_sessions():
    done = Count("bookings", filter=Q(bookings__state=Booking.State.COMPLETED))
    ranked = MentorProfile.objects.annotate(done=done).filter(done__gt=0).select_related("user")
    return ranked.order_by("-done", "pk").first(), ranked.order_by("done", "pk").first()


def queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200, response.status_code
    return len(captured)


def forget_platform_medians() -> None:
    """The next request computes the platform medians again (as the first visit after five minutes)."""
    first = window_months(timezone.now())[0]
    keys = [
        f"impact:v1:{key}:{first:%Y-%m}:{timezone.now():%Y-%m-%d}"
        for key in ("repeat-booking", "action-items", "ladder-up", "cohort-completion")
    ]
    cache.delete_many([*keys, "impact:v1:reply-time"])


def timed(client: Client, runs: int, *, cold: bool) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _run in range(runs):
        if cold:
            forget_platform_medians()
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(URL)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    busiest, quietest = mentors_by_sessions()
    client = Client()
    client.force_login(quietest.user)
    forget_platform_medians()
    quiet_queries = queries(client)
    client.force_login(busiest.user)
    forget_platform_medians()
    busy_queries = queries(client)  # also the warm-up
    warm_queries = queries(client)
    bookings, mentors = Booking.objects.count(), MentorProfile.objects.count()
    print(f"Impact page ({URL}), {bookings:,} bookings, {mentors:,} mentors")
    print(f"  busiest mentor: {busiest.done} completed sessions; quietest: {quietest.done}")
    print(
        f"  queries: {busy_queries} (busiest), {quiet_queries} (quietest), {warm_queries} (platform cached)"
    )
    for label, cold in (("platform medians cached", False), ("platform medians computed", True)):
        wall, cpu = timed(client, args.runs, cold=cold)
        print(
            f"  {label}, median of {args.runs}: {statistics.median(wall):.0f} ms wall,"
            f" {statistics.median(cpu):.0f} ms CPU (max {max(wall):.0f} ms wall)"
        )


if __name__ == "__main__":
    main()
