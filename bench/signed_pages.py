"""Signed-in pages against a bare view, in CPU time per request (issue 22: each ≤ 10× bare).

    .venv/bin/python bench/signed_pages.py                # after bench/run.py --seed-only
    .venv/bin/python bench/signed_pages.py --runs 60      # more timed requests per page (default 30)
    .venv/bin/python bench/signed_pages.py --profile /match/   # and a cProfile of one page

In-process with Django's test client (the full middleware stack, no gunicorn) against the
benchmark database, signed in as the seeded mentee whose booking count is closest to 20. For
the run it gives that mentee an intake and a ranking (`recommendations_refresh`, what the worker
does), and a monthly plan of one of their mentors with a live subscription (the seed has none);
everything it writes is rolled back at the end. Each page: a warm-up, then `--runs` requests,
each timed with `time.process_time()` (this process's CPU, so other work on the machine moves it
little); the figure is the median, the ratio is to the median of `/bench/bare` requested by the
same signed-in client in the same run, before and after the pages (pooled). Queries are counted
on one request. It asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Func, IntegerField, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from sessions.models import Booking, Offering  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
TARGET = 10.0


def mentee_with_bookings(n: int = 20) -> User:
    """The mentee whose booking count is closest to n, one with a booking to come first."""
    now = timezone.now()
    distance = Func(F("n") - n, function="ABS", output_field=IntegerField())
    return (
        User.objects.annotate(
            n=Count("bookings"),
            upcoming=Count("bookings", filter=Q(bookings__starts_at__gt=now)),
        )
        .filter(n__gt=0)
        .annotate(distance=distance)
        .order_by("distance", "-upcoming", "pk")
        .first()
    )


def prepare(mentee: User) -> dict:
    """An intake and a ranking for the mentee, and a plan they subscribe to (rolled back later)."""
    from bench import seed
    from matching.services import recommendations_refresh
    from mentors.models import Skill
    from subscriptions.models import Plan, Subscription

    seed.give_intake(mentee, Skill.objects.order_by("pk")[:2])
    started = time.perf_counter()
    recommendations_refresh(user_id=mentee.pk)
    refresh_ms = (time.perf_counter() - started) * 1000
    bookings = Booking.objects.filter(mentee=mentee)
    booking = bookings.filter(state=Booking.State.CONFIRMED, starts_at__gt=timezone.now()).first()
    booking = booking or bookings.order_by("-starts_at").first()
    mentor = booking.mentor
    plan = Plan.objects.create(
        mentor=mentor,
        name="Monthly mentoring",
        price_amount=12000,
        currency="USD",
        credits_per_period=2,
        max_session_minutes=30,
        includes_qa=True,
        is_published=True,
    )
    start = timezone.now() - timedelta(days=3)
    subscription = Subscription.objects.create(
        plan=plan,
        mentor=mentor,
        mentee=mentee,
        provider="demo",
        status=Subscription.Status.ACTIVE,
        current_period_start=start,
        current_period_end=start + timedelta(days=30),
    )
    offering = Offering.objects.filter(mentor=mentor, is_published=True).order_by("pk").first()
    return {
        "booking": booking,
        "offering": offering,
        "plan": plan,
        "subscription": subscription,
        "refresh_ms": refresh_ms,
    }


def next_weekday():
    day = timezone.now().date()
    for k in range(1, 8):
        candidate = day + timedelta(days=k)
        if candidate.weekday() < 5:
            return candidate
    return day


def pages(things: dict) -> list[tuple[str, str, dict]]:
    from sessions.selectors import offering_slots_by_day

    offering = things["offering"]
    day = next_weekday()
    # A free time of that day, so the booking form is on the page (as after picking a time).
    now = timezone.now()
    zone = timezone.get_default_timezone()
    by_day = offering_slots_by_day(
        offering=offering, first=day, until=day + timedelta(days=14), zone=zone, now=now
    )
    chosen = next((slots[0] for _, slots in sorted(by_day.items()) if slots), None)
    book = f"/offerings/{offering.slug}/"
    if chosen:
        book += (
            f"?day={chosen.astimezone(zone).date().isoformat()}&slot={chosen.isoformat().replace('+', '%2B')}"
        )
    return [
        ("dashboard (mentee)", "/dashboard/", {}),
        ("/match/ (intake + results)", "/match/", {}),
        ("/match/ results partial", "/match/", {"HTTP_HX_REQUEST": "true"}),
        (
            "slot picker partial",
            f"/offerings/{offering.slug}/?day={day.isoformat()}",
            {"HTTP_HX_REQUEST": "true"},
        ),
        ("offering page, time chosen", book, {}),
        ("booking page", things["booking"].get_absolute_url(), {}),
        ("subscription page", things["subscription"].get_absolute_url(), {}),
        ("plan page", things["plan"].get_absolute_url(), {}),
    ]


def cpu_times(
    client: Client, path: str, headers: dict, runs: int, warmup: int = 3
) -> tuple[list[float], int]:
    status = 0
    for _ in range(warmup):
        status = client.get(path, **headers).status_code
    samples = []
    for _ in range(runs):
        started = time.process_time()
        client.get(path, **headers)
        samples.append(time.process_time() - started)
    return samples, status


def queries(client: Client, path: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, **headers)
    return len(ctx.captured_queries)


def profile(client: Client, path: str, headers: dict, top: int = 30) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(10):
        client.get(path, **headers)
    profiler.disable()
    root = str(Path(__file__).resolve().parent.parent)
    for title, key, restriction in (
        ("project code, cumulative", "cumulative", (rf"^{root}/(?!\.venv)",)),
        ("all code, cumulative", "cumulative", ()),
        ("own time", "tottime", ()),
    ):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(*restriction, top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"  -- {title}")
        print(
            "\n".join(
                "  " + line.replace(root + "/.venv/lib/python3.11/site-packages/", "").replace(root + "/", "")
                for line in lines[start : start + top + 1]
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="append", default=[])
    args = parser.parse_args()
    with transaction.atomic():
        mentee = mentee_with_bookings()
        things = prepare(mentee)
        client = Client(REMOTE_ADDR="127.0.0.1")
        client.force_login(mentee)
        listed = pages(things)
        print(
            f"mentee #{mentee.pk}: {mentee.n} bookings ({mentee.upcoming} to come); "
            f"ranking refreshed in {things['refresh_ms']:.0f} ms; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        bare_before, _ = cpu_times(client, "/bench/bare", {}, args.runs, warmup=10)
        measured = []
        for label, path, headers in listed:
            samples, status = cpu_times(client, path, headers, args.runs)
            measured.append((label, path, headers, samples, status, queries(client, path, headers)))
        bare_after, _ = cpu_times(client, "/bench/bare", {}, args.runs)
        bare = statistics.median(bare_before + bare_after)
        bare_queries = queries(client, "/bench/bare", {})
        print(
            f"\n{'page':32} {'HTTP':>4} {'CPU ms':>7} {'× bare':>7} {'queries':>7}  target ≤ {TARGET:g}× bare"
        )
        print(f"{'/bench/bare':32} {200:>4} {bare * 1000:7.2f} {1:7.1f} {bare_queries:>7}")
        for label, _path, _headers, samples, status, count in measured:
            cpu = statistics.median(samples)
            ratio = cpu / bare
            verdict = "PASS" if ratio <= TARGET and status == 200 else "MISS"
            print(f"{label:32} {status:>4} {cpu * 1000:7.2f} {ratio:7.1f} {count:>7}  {verdict}")
        for path in args.profile:
            path, headers = next(((p, h) for label, p, h in listed if p == path or label == path), (path, {}))
            print(f"\n### cProfile of 10 × {path}")
            profile(client, path, headers)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
