"""Where a page's time goes: SQL queries (count, time, slowest) and a cProfile summary.

    .venv/bin/python bench/profile_pages.py [/mentors/ ...]   # after bench/run.py has seeded
    .venv/bin/python bench/profile_pages.py --booking         # one booking POST (the booking stays)
    .venv/bin/python bench/profile_pages.py --booking-paid    # the same for a paid offering (held)

Runs the views in-process with Django's test client against the benchmark database
(no gunicorn); each page is requested a few times and the last run is reported.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from mentors.models import MentorProfile  # noqa: E402
from sessions.models import Offering  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def default_pages() -> list[tuple[str, dict]]:
    mentor = MentorProfile.objects.filter(status="approved").order_by("-rating_count").first()
    offering = Offering.objects.filter(is_published=True, mentor=mentor).first()
    day = timezone.now().date()
    day = next(
        day.fromordinal(day.toordinal() + k)
        for k in range(1, 8)
        if day.fromordinal(day.toordinal() + k).weekday() < 5
    )
    return [
        ("/bench/bare", {}),
        ("/mentors/", {}),
        ("/mentors/?skill=python&min_price=10&max_price=100&sort=rating", {}),
        ("/mentors/?q=design&available=week", {}),
        (f"/mentors/{mentor.slug}/", {}),
        (f"/offerings/{offering.slug}/?day={day.isoformat()}", {"HTTP_HX_REQUEST": "true"}),
    ]


def profile(path: str, headers: dict, runs: int = 5, top: int = 12, post=None, client=None) -> None:
    """Signed-out pages are profiled on the page cache's miss path: each request comes with an
    Accept-Language of its own, so none is served from the cache (core/pagecache.py)."""
    client = client or Client()
    for run in range(runs - 1):
        client.get(path, **{"HTTP_ACCEPT_LANGUAGE": f"en-x-p{run}", **headers})
    headers = {"HTTP_ACCEPT_LANGUAGE": f"en-x-p{time.time_ns()}", **headers}
    with CaptureQueriesContext(connection) as ctx:
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        response = client.post(path, post, **headers) if post is not None else client.get(path, **headers)
        profiler.disable()
        elapsed = time.perf_counter() - t0
    queries = ctx.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(
        f"\n### {path}  -> HTTP {response.status_code}, {len(response.content)} bytes, "
        f"{elapsed * 1000:.1f} ms (profiled), {len(queries)} queries, {sql_ms:.1f} ms in SQL"
    )
    for q in sorted(queries, key=lambda q: -float(q["time"]))[:4]:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:600]}")
    for title, key, restriction in (
        ("own time (tottime)", "tottime", ()),
        ("project code, cumulative", "cumulative", (r"^(?!.*site-packages)(?!.*python3\.11).*work/",)),
    ):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(*restriction, top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"  -- {title}")
        print(
            "\n".join(
                "  " + line.replace("/work/main/.venv/lib/python3.11/site-packages/", "")
                for line in lines[start : start + top + 1]
            )
        )


def profile_booking(*, paid: bool = False) -> None:
    """One booking POST by a verified bench client for a free slot of a random mentor (the booking
    stays): a free offering, or with `paid` a paid one (held; without payment keys the bench's
    checkout is off, so the POST ends on the booking page)."""
    import random
    from datetime import timedelta

    from bench import seed
    from sessions.selectors import mentor_free_slots

    # A free offering: it confirms at once, so the confirmation e-mail is queued too (the costlier path).
    offerings = Offering.objects.filter(is_published=True)
    offerings = offerings.filter(price_amount__gt=0) if paid else offerings.filter(price_amount=0)
    offering = offerings.order_by("?").first()
    now = timezone.now()
    slots = mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=now + timedelta(days=2),
        end=now + timedelta(days=16),
        now=now,
    )
    client = Client()
    client.force_login(random.choice(seed.client_users()))
    first, second = random.sample(slots, 2)

    def data(slot):
        fields = {"starts_at": slot.isoformat(), "outcome": "A decision", "context_notes": "", "links": ""}
        fields.update({f"prework_{i}": "An answer." for i in range(len(offering.prework_prompts))})
        return fields

    # Warm the process (imports, URLconf, Redis connection) with one booking; profile the next.
    assert client.post(f"/offerings/{offering.slug}/book/", data(first)).status_code == 302
    profile(f"/offerings/{offering.slug}/book/", {}, runs=1, post=data(second), client=client, top=25)


if __name__ == "__main__":
    if sys.argv[1:] in (["--booking"], ["--booking-paid"]):
        profile_booking(paid=sys.argv[1] == "--booking-paid")
        sys.exit()
    pages = [(p, {}) for p in sys.argv[1:]] or default_pages()
    for path, headers in pages:
        profile(path, headers)
