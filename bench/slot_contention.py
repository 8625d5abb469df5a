"""Contention on one slot over HTTP: 500 signed-in mentees POST the same time at once.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/slot_contention.py [--attempts 500] [--workers 6]

1. One free offering, one free time of its mentor; `--attempts` distinct verified mentees, each with
   its own session and an open connection, released together by a barrier; each POSTs the
   booking form. Prints what came back (booked / the form's "That slot was just taken" / other)
   and checks the database: exactly one active booking at that time, 0 server errors.
2. "30 minutes at T and 45 minutes at T+15 → one wins": two free offerings of one mentor
   (30 and 45 minutes, made for this run and unpublished at the end), a day where both times are
   free, two mentees POSTing at once; `--pairs` rounds on different days.
A measurement tool, not a test: it asserts nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import threading
import time
from collections import Counter
from datetime import time as dt_time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, run  # noqa: E402

log = harness.log


def race(port: int, posts: list[tuple[str, dict, bytes]]) -> tuple[list[str], list[str], float]:
    """Send the POSTs from one thread each, all released together; (outcomes, samples, seconds)."""
    n = len(posts)
    barrier = threading.Barrier(n + 1)
    outcomes: list[str] = [""] * n
    samples: list[str] = []
    conns = [http.client.HTTPConnection(harness.HOST, port, timeout=120) for _ in range(n)]

    def one(i):
        path, headers, body = posts[i]
        conn = conns[i]
        try:
            conn.connect()
        except OSError as exc:
            outcomes[i] = "connection error"
            samples.append(repr(exc))
            barrier.wait()
            return
        barrier.wait()
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            outcomes[i] = harness.classify_booking(resp.status, resp.headers, data)
            if outcomes[i] not in ("booked", "taken") and len(samples) < 5:
                samples.append(f"HTTP {resp.status} {data[:300]!r}")
        except Exception as exc:  # noqa: BLE001
            outcomes[i] = "connection error"
            if len(samples) < 5:
                samples.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return outcomes, samples, time.perf_counter() - t0


def active_at(mentor_id: int, starts, ends) -> int:
    from sessions.models import Booking

    return Booking.objects.filter(
        mentor_id=mentor_id, state__in=["held", "confirmed"], starts_at__lt=ends, ends_at__gt=starts
    ).count()


def main() -> int:  # noqa: C901 - a script
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=6, help="gunicorn sync workers")
    parser.add_argument("--pairs", type=int, default=5, help="rounds of the 30/45-minute case")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, run._raise_interrupt)
    load_start = harness.load_average()
    log(f"== setup ({load_start})")
    harness.prepare()

    from django.utils import timezone

    from mentors.models import MentorProfile
    from sessions.models import Offering
    from sessions.selectors import mentor_free_slots

    now = timezone.now()
    # Mentees 100.. (mixed_load.py uses the first 100); two more for each 30/45 round.
    users = harness.mentees(args.attempts + 2 * args.pairs, skip=100)
    keys = harness.sign_in(users)
    mentors = list(
        MentorProfile.objects.filter(
            status="approved", offerings__is_published=True, offerings__price_amount=0
        )
        .distinct()
        .order_by("pk")
    )
    proc = None
    made: list[Offering] = []
    verdicts: list[tuple[str, bool]] = []
    try:
        # --- 1. many mentees, one slot ---------------------------------------------------------
        offering = target = None
        for mentor in mentors[100:]:
            offering = Offering.objects.filter(mentor=mentor, is_published=True, price_amount=0).first()
            slots = mentor_free_slots(
                mentor=mentor,
                duration=timedelta(minutes=offering.duration_minutes),
                start=now + timedelta(days=3),
                end=now + timedelta(days=10),
                now=now,
            )
            if slots:
                target = slots[len(slots) // 2]
                break
        ends = target + timedelta(minutes=offering.duration_minutes)
        log(
            f"  slot: {offering.slug} ({offering.duration_minutes} min, free) of mentor {offering.mentor_id} "
            f"at {target.isoformat()}; active bookings there now: "
            f"{active_at(offering.mentor_id, target, ends)}"
        )
        port = run.free_port()
        log(f"== gunicorn: {args.workers} sync workers on {harness.HOST}:{port}")
        proc = run.start_gunicorn(port, args.workers, "sync", 1)
        body = harness.booking_body(offering, target.isoformat())
        path = f"/offerings/{offering.slug}/book/"
        posts = [(path, harness.headers_for(keys[i], post=True), body) for i in range(args.attempts)]
        log(f"== {args.attempts} mentees, one connection each, released together ({harness.load_average()})")
        outcomes, samples, seconds = race(port, posts)
        counts = Counter(outcomes)
        log(f"  {args.attempts} answers in {seconds:.1f} s: {dict(counts)}")
        for s in samples:
            log(f"    not booked/taken: {s}")
        in_db = active_at(offering.mentor_id, target, ends)
        log(f"  active bookings of that mentor overlapping that time, in the database: {in_db}")
        verdicts += [
            ("exactly 1 booked (302 to the booking)", counts["booked"] == 1),
            (
                f"the other {args.attempts - 1} got the form's 'taken' message (400)",
                counts["taken"] == args.attempts - 1,
            ),
            ("exactly 1 active booking in the database", in_db == 1),
            ("0 server errors / connection errors", counts["server error"] + counts["connection error"] == 0),
        ]

        # --- 2. 30 min at T and 45 min at T+15 --------------------------------------------------
        log(f"== 30 minutes at T and 45 minutes at T+15, two mentees at once, {args.pairs} rounds")
        mentor = None
        for candidate in mentors[200:260]:
            s30 = set(
                mentor_free_slots(
                    mentor=candidate,
                    duration=timedelta(minutes=30),
                    start=now + timedelta(days=2),
                    end=now + timedelta(days=16),
                    now=now,
                )
            )
            s45 = mentor_free_slots(
                mentor=candidate,
                duration=timedelta(minutes=45),
                start=now + timedelta(days=2),
                end=now + timedelta(days=16),
                now=now,
            )
            by_day: dict = {}  # one round per day: 10:00 (mentor's zone) when free, else the first pair
            for t45 in s45:
                t30 = t45 - timedelta(minutes=15)
                if t30 in s30:
                    by_day.setdefault(t30.astimezone(candidate.zone).date(), []).append((t30, t45))
            rounds = [
                next((p for p in pairs if p[0].astimezone(candidate.zone).time() == dt_time(10)), pairs[0])
                for _, pairs in sorted(by_day.items())
            ]
            if len(rounds) >= args.pairs:
                mentor = candidate
                break
        if mentor is None:
            log("  no mentor with enough such days among those tried; skipped")
        else:
            base = Offering.objects.filter(mentor=mentor).first()
            for minutes in (30, 45):
                made.append(
                    Offering.objects.create(
                        mentor=mentor,
                        title=f"Contention check {minutes} min",
                        slug=f"contention-{mentor.pk}-{minutes}-{int(time.time())}",
                        duration_minutes=minutes,
                        price_amount=0,
                        currency=base.currency,
                        outcome=base.outcome,
                        description="Made by bench/slot_contention.py.",
                        is_published=True,
                    )
                )
            o30, o45 = made
            wins = Counter()
            for r, (t30, t45) in enumerate(rounds[: args.pairs]):
                k30, k45 = keys[args.attempts + 2 * r], keys[args.attempts + 2 * r + 1]
                posts = [
                    (
                        f"/offerings/{o30.slug}/book/",
                        harness.headers_for(k30, post=True),
                        harness.booking_body(o30, t30.isoformat()),
                    ),
                    (
                        f"/offerings/{o45.slug}/book/",
                        harness.headers_for(k45, post=True),
                        harness.booking_body(o45, t45.isoformat()),
                    ),
                ]
                outcomes, samples, _ = race(port, posts)
                in_db = active_at(mentor.pk, t30, t45 + timedelta(minutes=45))
                local = t30.astimezone(mentor.zone)
                winner = (
                    "30-min" if outcomes[0] == "booked" else "45-min" if outcomes[1] == "booked" else "none"
                )
                wins[winner] += 1
                log(
                    f"  {local:%a %d %b %H:%M} (mentor's zone) 30 min -> {outcomes[0]}; "
                    f"{(local + timedelta(minutes=15)):%H:%M} 45 min -> {outcomes[1]}; "
                    f"active bookings in that hour: {in_db}"
                )
                for s in samples:
                    log(f"    {s}")
                verdicts.append(
                    (
                        f"round {r + 1}: one wins, the other is told 'taken', 1 booking",
                        sorted(outcomes) == ["booked", "taken"] and in_db == 1,
                    )
                )
            log(f"  winners: {dict(wins)}")
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        run.stop_gunicorn(proc)
        harness.sign_out(keys)
        for o in made:
            Offering.objects.filter(pk=o.pk).update(is_published=False)
        run.purge_bench_queue()
    log("")
    log("== checks")
    for label, ok in verdicts:
        log(f"{'OK  ' if ok else 'FAIL'} {label}")
    log(f"mentors' overlapping active bookings in the whole database (pairs): {harness.overlapping_pairs()}")
    log(f"at the start: {load_start}; at the end: {harness.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
