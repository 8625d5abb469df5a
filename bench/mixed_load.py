"""Mixed load: 100 simulated users browsing, picking slots and booking at once, against gunicorn.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/mixed_load.py [--users 100] [--seconds 75]

Each user is a thread with its own connection and a signed-in mentee's session; it loops
(think time between steps) over: the home page, the directory with a filter, a mentor's profile,
an offering page, the slot picker partial for a day (htmx), booking (the slot partial of a free
offering or a paid one — the demo payment provider holds it — then the form POST with a time it
offered) and a bare Django view (the cost of gunicorn + Django + middleware, measured under the
same load). Prints requests/s, p50/p95/p99 and errors per page type, then checks in the database
that no mentor has two overlapping active bookings and that no response was a server error.
A measurement tool, not a test: it asserts nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import random
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, run  # noqa: E402

log = harness.log

# Page type -> weight (per step of a simulated user). Booking is the slot partial + the POST.
MIX = {
    "home /": 14,
    "directory /mentors/?filters": 24,
    "profile /mentors/<slug>/": 18,
    "offering /offerings/<slug>/": 14,
    "slot partial (HX) ?day=": 18,
    "booking POST /book/": 6,
    "bare /bench/bare": 6,
}
DIRECTORY_QUERIES = [
    "",
    "?skill=python",
    "?skill=python&min_price=10&max_price=100&sort=rating",
    "?q=design&available=week",
    "?q=interview",
    "?sort=price",
    "?language=de",
    "?page=2",
]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.outcomes: Counter = Counter()  # booking outcomes
        self.samples: list[str] = []

    def add(self, page: str, seconds: float, status: int, ok: bool, sample: str = "") -> None:
        with self.lock:
            self.latencies[page].append(seconds)
            self.statuses[page][status] += 1
            if not ok:
                self.errors[page] += 1
                if sample and len(self.samples) < 12:
                    self.samples.append(sample)


def main() -> int:  # noqa: C901 - a script
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=75, help="length of the mixed run")
    parser.add_argument("--think", type=float, default=0.5, help="mean think time between steps (s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--bare-seconds", type=float, default=8, help="the bare view alone, before the mix")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, run._raise_interrupt)
    load_start = harness.load_average()
    log(f"== setup ({load_start})")
    harness.prepare()

    from django.utils import timezone

    from mentors.models import MentorProfile
    from sessions.models import Booking, Offering

    rng = random.Random(9)
    mentor_slugs = list(
        MentorProfile.objects.filter(status="approved").order_by("?").values_list("slug", flat=True)[:500]
    )
    offerings = list(Offering.objects.filter(is_published=True).order_by("?")[:800])
    free = [o for o in offerings if o.is_free]
    bookable = free + [o for o in offerings if not o.is_free][: len(free)]  # half free, half demo-paid
    today = timezone.now().date()
    days = [(today + timedelta(days=k)).isoformat() for k in range(2, 14)]
    users = harness.mentees(args.users)
    keys = harness.sign_in(users)
    stats = Stats()
    proc = None
    try:
        port = run.free_port()
        log(f"== gunicorn: {args.workers} sync workers on {harness.HOST}:{port}")
        proc = run.start_gunicorn(port, args.workers, "sync", 1)

        def request(conn, method, path, headers, body=None):
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.will_close:
                conn.close()
            return resp.status, resp.headers, data

        def timed(conn, page, method, path, headers, body=None, check=None):
            t0 = time.perf_counter()
            try:
                status, hdrs, data = request(conn, method, path, headers, body)
            except Exception as exc:  # noqa: BLE001 - a connection error counts as an error
                conn.close()
                stats.add(page, time.perf_counter() - t0, 0, False, f"{method} {path}: {exc!r}")
                return 0, None, b""
            ok = check(status, hdrs, data) if check else 200 <= status < 400
            stats.add(
                page, time.perf_counter() - t0, status, ok, f"{method} {path}: HTTP {status} {data[:160]!r}"
            )
            return status, hdrs, data

        def book(conn, key):
            offering = rng.choice(bookable)
            base = f"/offerings/{offering.slug}/"
            h = harness.headers_for(key, htmx=True)
            for _ in range(3):  # a user tries up to three days to find a free time
                status, _, html = timed(
                    conn, "slot partial (HX) ?day=", "GET", f"{base}?day={rng.choice(days)}", h
                )
                slots = harness.slots_in(html.decode(errors="replace")) if status == 200 else []
                if slots:
                    break
            else:
                with stats.lock:
                    stats.outcomes["no free time found"] += 1
                return
            body = harness.booking_body(offering, rng.choice(slots))
            outcome = []

            def check(status, hdrs, data):
                outcome.append(harness.classify_booking(status, hdrs, data))
                return outcome[0] in ("booked", "taken")  # a lost race is a correct answer

            timed(
                conn,
                "booking POST /book/",
                "POST",
                f"{base}book/",
                harness.headers_for(key, post=True),
                body,
                check,
            )
            with stats.lock:
                stats.outcomes[outcome[0] if outcome else "connection error"] += 1

        def user(i, deadline):
            urng = random.Random(i)
            key = keys[i % len(keys)]
            conn = http.client.HTTPConnection(harness.HOST, port, timeout=60)
            pages, weights = list(MIX), list(MIX.values())
            time.sleep(urng.uniform(0, 2))  # users arrive over two seconds
            while time.perf_counter() < deadline:
                page = urng.choices(pages, weights)[0]
                h = harness.headers_for(key)
                if page.startswith("home"):
                    timed(conn, page, "GET", "/", h)
                elif page.startswith("directory"):
                    timed(conn, page, "GET", "/mentors/" + urng.choice(DIRECTORY_QUERIES), h)
                elif page.startswith("profile"):
                    timed(conn, page, "GET", f"/mentors/{urng.choice(mentor_slugs)}/", h)
                elif page.startswith("offering"):
                    timed(conn, page, "GET", f"/offerings/{urng.choice(offerings).slug}/", h)
                elif page.startswith("slot"):
                    path = f"/offerings/{urng.choice(offerings).slug}/?day={urng.choice(days)}"
                    timed(conn, page, "GET", path, harness.headers_for(key, htmx=True))
                elif page.startswith("booking"):
                    book(conn, key)
                else:
                    timed(conn, page, "GET", "/bench/bare", h)
                time.sleep(min(urng.expovariate(1 / args.think), 5 * args.think))
            conn.close()

        log("== warm-up: every page type, 20 users, 5 s")
        deadline = time.perf_counter() + 5
        threads = [threading.Thread(target=user, args=(i, deadline), daemon=True) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = Stats()
        bookings_before = Booking.objects.count()  # after the warm-up's bookings

        from bench import load

        log(f"== bare view alone: {args.users} clients, no think time, {args.bare_seconds:.0f} s")
        bare_alone = load.run(
            "bare alone",
            host=harness.HOST,
            port=port,
            make_request=run.get("/bench/bare"),
            max_requests=100_000,
            max_seconds=args.bare_seconds,
            concurrency=args.users,
        )
        log(
            f"== mixed load: {args.users} users, {args.seconds:.0f} s, "
            f"mean think time {args.think} s ({harness.load_average()})"
        )
        t0 = time.perf_counter()
        deadline = t0 + args.seconds
        threads = [threading.Thread(target=user, args=(i, deadline), daemon=True) for i in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        load_end = harness.load_average()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        run.stop_gunicorn(proc)
        harness.sign_out(keys)
        run.purge_bench_queue()

    log("")
    log(f"== results: {args.users} users for {wall:.0f} s (requests/s is per page type over the whole run)")
    log(
        f"{'page type':<32} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'requests':>9} {'errors':>7}"
    )
    total = 0
    for page in MIX:
        lat = stats.latencies.get(page, [])
        total += len(lat)
        log(
            f"{page:<32} {len(lat) / wall:7.1f} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} {pct(lat, 99):8.1f} "
            f"{len(lat):9d} {stats.errors[page]:7d}"
        )
    lat = bare_alone.latencies
    log(
        f"{'bare alone (before, no think)':<32} {bare_alone.rps:7.1f} {pct(lat, 50):8.1f} "
        f"{pct(lat, 95):8.1f} {pct(lat, 99):8.1f} {len(lat):9d} {bare_alone.errors:7d}"
    )
    log(f"all mixed requests: {total} in {wall:.0f} s = {total / wall:.1f} req/s")
    log(f"booking outcomes: {dict(stats.outcomes)}")
    for sample in stats.samples:
        log(f"  error: {sample}")
    server_errors = sum(n for c in stats.statuses.values() for s, n in c.items() if s >= 500)
    connection_errors = sum(c[0] for c in stats.statuses.values()) + bare_alone.statuses[0]
    after = Booking.objects.count()
    log("")
    log("== checks")
    log(
        f"bookings in the database: {bookings_before} before, {after} after (+{after - bookings_before}; "
        f"the POSTs answered 'booked': {stats.outcomes['booked']})"
    )
    log(f"exclusion constraint booking_no_overlap present: {harness.constraint_present()}")
    log(f"mentors' overlapping active bookings (pairs): {harness.overlapping_pairs()}  (must be 0)")
    log(
        f"server errors (5xx): {server_errors + bare_alone.statuses.get(500, 0)}  (must be 0); "
        f"connection errors: {connection_errors}"
    )
    log(f"at the start: {load_start}")
    log(f"at the end:   {load_end}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
