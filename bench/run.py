"""TheMentors benchmark: seed a large data set, serve it with gunicorn, load it, compare with targets.

    .venv/bin/python bench/run.py            # DATABASE_URL defaults to .../thementors_bench

A measurement tool, not a test: it prints figures and PASS/MISS against the targets and always
exits 0 once the measurements ran. See bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BASE = BENCH.parent
sys.path.insert(0, str(BASE))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.chdir(BASE)

HOST = "127.0.0.1"
CONCURRENCY = 20
BOOKINGS_MEASURED = 50
BOOKINGS_WARMUP = 4
# The offline matching evaluation at a modest size (its goals join the targets; issue 20).
MATCHING_EVAL_ARGS = ["--mentees", "2000", "--mentors", "200", "--sample", "500", "--timed", "10"]
SLOTS_REFRESH_EVERY = 600  # seconds, like the product's periodic task
REFRESH_THREADS = 4
# A free offering lands on the booking's confirmation (`?confirmed=1`), a held paid one on the page.
BOOKING_OK = re.compile(
    r"^/bookings/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/(\?confirmed=1)?$"
)
BOOKING = "booking POST /offerings/<slug>/book/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(msg: str = "") -> None:
    print(msg, flush=True)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# --- database --------------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the benchmark database if it does not exist (never drops anything)."""
    import psycopg
    from django.conf import settings
    from psycopg import sql

    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is None:
            log(f"  creating database {db['NAME']}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def refresh_free_slots(force: bool) -> None:
    """The periodic task's work: every approved mentor's preview of free slots (skipped if fresh)."""
    from django.utils import timezone

    from bench import seed
    from mentors.models import MentorProfile
    from sessions.previews import mentor_refresh_free_slots

    last = seed.marker("slots_refreshed_at")
    age = time.time() - float(last) if last else None
    if not force and age is not None and age < SLOTS_REFRESH_EVERY:
        log(f"  free-slot previews refreshed {age:.0f} s ago; not again")
        return
    from django.db import connection

    t0 = time.perf_counter()
    now = timezone.now()
    ids = list(MentorProfile.objects.filter(status="approved").values_list("pk", flat=True))

    def work(chunk):  # threads overlap the Python work with the database round trips
        try:
            for pk in chunk:
                mentor_refresh_free_slots(mentor_id=pk, now=now)
        finally:
            connection.close()

    with ThreadPoolExecutor(REFRESH_THREADS) as pool:
        list(pool.map(work, [ids[i::REFRESH_THREADS] for i in range(REFRESH_THREADS)]))
    seed.set_marker("slots_refreshed_at", str(time.time()))
    with connection.cursor() as c:  # 2,000 updated rows: vacuum them now rather than during the load
        c.execute(f"VACUUM (ANALYZE) {MentorProfile._meta.db_table}")
    log(
        f"  refreshed free-slot previews of {len(ids)} mentors "
        "(sessions.previews.mentor_refresh_free_slots) "
        f"in {time.perf_counter() - t0:.1f} s ({REFRESH_THREADS} threads)"
    )


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, worker_class: str, threads: int) -> subprocess.Popen:
    logfile = BENCH / "out" / "gunicorn.log"
    logfile.parent.mkdir(exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--chdir",
        str(BASE),
        "--timeout",
        "60",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--error-logfile",
        str(logfile),
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    env = {**os.environ, "PYTHONPATH": str(BASE)}
    # Its own session: a Ctrl-C reaches only us, and we stop gunicorn in `finally`.
    proc = subprocess.Popen(
        cmd, env=env, cwd=BASE, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    from bench import load

    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {logfile}")
        try:
            if load.one(HOST, port, "GET", "/bench/bare")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {logfile}")


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time (seconds) of a gunicorn master's child processes (its workers), read
    from /proc/<pid>/stat. Take it before and after a load phase and divide by the requests served:
    the CPU one request costs, a figure other work on the machine barely moves (unlike req/s)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def stop_gunicorn(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()  # SIGTERM to the master (its pid): graceful shutdown of its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group we created for it
        proc.wait(timeout=10)
    log(f"gunicorn (pid {proc.pid}) stopped")


# --- scenarios -------------------------------------------------------------------------------


def get(path: str, headers: dict | None = None):
    def make(i):
        return "GET", path, dict(headers or {}), None

    return make


def rotate(paths: list[str], headers: dict | None = None):
    def make(i):
        return "GET", paths[i % len(paths)], dict(headers or {}), None

    return make


def prepare_bookings(port: int, n: int, rng: random.Random) -> list[dict]:
    """n booking jobs: a distinct verified client, a distinct mentor's free slot, a session, a CSRF token."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from bench import load, seed
    from sessions.selectors import mentor_free_slots, published_offerings

    clients = seed.client_users()
    if len(clients) < n:
        raise SystemExit(f"need {n} client users, found {len(clients)}")
    now = timezone.now()
    # A set: the queryset's default ordering would make .distinct() return a mentor more than once.
    mentor_ids = sorted(set(published_offerings().values_list("mentor_id", flat=True)))
    rng.shuffle(mentor_ids)
    jobs = []
    for mentor_id in mentor_ids:
        if len(jobs) == n:
            break
        offering = rng.choice(list(published_offerings().filter(mentor_id=mentor_id)))
        slots = mentor_free_slots(
            mentor=offering.mentor,
            duration=timedelta(minutes=offering.duration_minutes),
            start=now + timedelta(days=2),
            end=now + timedelta(days=16),
            now=now,
        )
        if not slots:
            continue
        client = clients[len(jobs)]
        store = SessionStore()
        store[SESSION_KEY] = str(client.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = client.get_session_auth_hash()
        store.create()
        jobs.append(
            {"offering": offering, "slot": rng.choice(slots), "client": client, "session": store.session_key}
        )
    if len(jobs) < n:
        raise SystemExit(f"found free slots for only {len(jobs)} mentors")

    def fetch_token(job):
        offering, slot = job["offering"], job["slot"]
        query = urllib.parse.urlencode(
            {"day": slot.astimezone(job["client"].zone).date().isoformat(), "slot": slot.isoformat()}
        )
        job["page"] = f"/offerings/{offering.slug}/"
        cookie = f"{settings.SESSION_COOKIE_NAME}={job['session']}"
        status, headers, body = load.one(HOST, port, "GET", f"{job['page']}?{query}", {"Cookie": cookie})
        html = body.decode()
        match = CSRF_INPUT.search(html)
        csrf_cookie = next(
            (
                c.split(";")[0].split("=", 1)[1]
                for c in headers.get_all("Set-Cookie") or []
                if c.startswith(settings.CSRF_COOKIE_NAME + "=")
            ),
            None,
        )
        if status != 200 or not match or not csrf_cookie or 'name="starts_at"' not in html:
            raise SystemExit(f"could not prepare a booking on {job['page']}?{query}: HTTP {status}")
        token = match.group(1)
        fields = {
            "csrfmiddlewaretoken": token,
            "starts_at": slot.isoformat(),
            "outcome": "A ranked shortlist of two options",
            "context_notes": "Benchmark booking.",
            "links": "https://example.com/my-doc",
        }
        for i, _prompt in enumerate(offering.prework_prompts):
            fields[f"prework_{i}"] = "My answer to the prompt."
        job["body"] = urllib.parse.urlencode(fields).encode()
        job["headers"] = {
            "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}",
            "X-CSRFToken": token,
            "Referer": f"http://{HOST}:{port}{job['page']}?{query}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return job

    with ThreadPoolExecutor(4) as pool:
        jobs = list(pool.map(fetch_token, jobs))
    return jobs


MATCH_CLIENTS = 20
ANONYMOUS_PATHS = 50  # profiles and offering pages measured from the cache (the warm-up fills it)
_visitors = itertools.count()


def prepare_match_sessions(n: int, rng: random.Random) -> tuple[list[str], list[float]]:
    """n clients (the last ones, apart from the booking clients) with an intake, their ranking
    computed in-process as the worker would (timed), and a session each for GET /match/."""

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench import seed
    from matching.services import recommendations_refresh
    from mentors.models import Skill

    clients = seed.client_users()[-n:]
    skills = list(Skill.objects.order_by("pk"))
    keys, refresh_ms = [], []
    for client in clients:
        seed.give_intake(client, rng.sample(skills, 2))
        started = time.perf_counter()
        recommendations_refresh(user_id=client.pk)
        refresh_ms.append((time.perf_counter() - started) * 1000)
        store = SessionStore()
        store[SESSION_KEY] = str(client.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = client.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys, refresh_ms


def as_new_visitors(make):
    """The same requests, each from a visitor with a language of its own: never in the page cache,
    so every one is the cache's miss path (render, then store)."""

    def make_missing(i):
        method, path, headers, body = make(i)
        return method, path, {**headers, "Accept-Language": f"en-x-m{next(_visitors)}"}, body

    return make_missing


def as_clients(path: str, session_keys: list[str]):
    from django.conf import settings

    def make(i):
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_keys[i % len(session_keys)]}"
        return "GET", path, {"Cookie": cookie}, None

    return make


def booking_requests(jobs: list[dict]):
    def make(i):
        job = jobs[i]
        return "POST", f"{job['page']}book/", dict(job["headers"]), job["body"]

    return make


def booking_check(status, headers, body) -> bool:
    return status == 302 and bool(BOOKING_OK.match(headers.get("Location", "")))


def cleanup_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


def purge_bench_queue() -> None:
    """Booking confirmations are queued for Celery; drop them if they went to the benchmark's own Redis db."""
    if os.environ.get("REDIS_URL") != "redis://127.0.0.1:6379/15":
        return
    try:
        from config.celery import app

        app.control.purge()
    except Exception as exc:  # noqa: BLE001 - housekeeping only
        log(f"  (could not purge the benchmark's Celery queue: {exc!r})")


# --- report ----------------------------------------------------------------------------------


def line(res, bare, cpu: dict) -> str:
    rps_ratio = res.rps / bare.rps if bare.rps else float("nan")
    p95_ratio = res.p95_ms / bare.p95_ms if bare.p95_ms else float("nan")
    mine, base = cpu.get(res.name), cpu.get(bare.name)
    cpu_cols = f"{mine:8.2f}   {mine / base:8.1f}x" if mine and base else f"{'':8}   {'':9}"
    return (
        f"{res.name:<40} {res.rps:8.1f}   {res.p95_ms:8.1f}   {rps_ratio:10.2f}x   {p95_ratio:8.2f}x"
        f"   {cpu_cols}   ({res.count} req, {res.errors} errors)"
    )


def main() -> int:  # noqa: C901 - a script
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker with gthread")
    parser.add_argument("--seconds", type=float, default=15, help="time bound of each measured page")
    parser.add_argument(
        "--refresh-slots", action="store_true", help="refresh free-slot previews even if fresh"
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="prepare the database (seed, free-slot previews) and stop"
    )
    parser.add_argument(
        "--no-matching-eval",
        action="store_true",
        help="skip the offline matching evaluation (bench/matching_eval.py at 2,000 × 200, ~30 s)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    load_at_start = os.getloadavg()

    import django

    started = time.perf_counter()
    log("== setup")
    from django.conf import settings

    db = settings.DATABASES["default"]
    log(f"  database {db['NAME']} on {db['HOST']}:{db['PORT']}; Redis {os.environ['REDIS_URL']}")
    ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from bench import load, seed, slotbench
    from mentors.models import MentorProfile
    from sessions.models import Booking, Offering

    seeded = seed.ensure_seeded(log=log)
    if not seeded:
        log("  already seeded at this size; skipping")
    log(
        f"  {MentorProfile.objects.filter(status='approved').count()} approved mentors, "
        f"{Offering.objects.filter(is_published=True).count()} published offerings, "
        f"{Booking.objects.count()} bookings"
    )
    refresh_free_slots(force=seeded or args.refresh_slots)
    if args.seed_only:
        log(f"== seeded; setup took {time.perf_counter() - started:.0f} s")
        return 0

    rng = random.Random()
    from django.utils import timezone

    mentor_slugs = list(
        MentorProfile.objects.filter(status="approved").order_by("?").values_list("slug", flat=True)[:400]
    )
    offering_slugs = list(
        Offering.objects.filter(is_published=True).order_by("?").values_list("slug", flat=True)[:400]
    )
    today = timezone.now().date()
    weekdays = [today + timedelta(days=k) for k in range(1, 8) if (today + timedelta(days=k)).weekday() < 5]
    slot_paths = [
        f"/offerings/{slug}/?day={weekdays[i % len(weekdays)].isoformat()}"
        for i, slug in enumerate(offering_slugs)
    ]
    profile_paths = [f"/mentors/{slug}/" for slug in mentor_slugs]
    offering_paths = [f"/offerings/{slug}/" for slug in offering_slugs]
    log(f"== matching: {MATCH_CLIENTS} mentees with an intake, each ranked in-process (what the worker does)")
    match_keys, refresh_ms = prepare_match_sessions(MATCH_CLIENTS, rng)
    refresh_ms.sort()
    log(
        f"  one mentee's ranking refresh: median {refresh_ms[len(refresh_ms) // 2]:.0f} ms, "
        f"slowest {refresh_ms[-1]:.0f} ms (all candidates, free slots of the 200-mentor shortlist)"
    )
    htmx = {"HX-Request": "true"}
    # Signed-out visitors' pages (issue 22): each measured from the page cache (a hit: the same
    # few addresses again and again) and on its miss path (every request a visitor of its own).
    anonymous = [
        ("home /", get("/")),
        ("directory /mentors/", get("/mentors/")),
        (
            "directory ?skill=python&price&sort",
            get("/mentors/?skill=python&min_price=10&max_price=100&sort=rating"),
        ),
        ("directory ?q=design&available=week", get("/mentors/?q=design&available=week")),
        ("mentor profile /mentors/<slug>/", rotate(profile_paths[:ANONYMOUS_PATHS])),
        ("offering page /offerings/<slug>/", rotate(offering_paths[:ANONYMOUS_PATHS])),
        ("cohorts /cohorts/", get("/cohorts/")),
    ]
    pages = [
        *((f"{name} [hit]", make, True) for name, make in anonymous),
        *((f"{name} [miss]", as_new_visitors(make), True) for name, make in anonymous),
        ("match results /match/ (signed in)", as_clients("/match/", match_keys), False),
        ("slot partial (HX) /offerings/?day=", rotate(slot_paths, htmx), False),  # stays last
    ]

    proc = None
    session_keys: list[str] = list(match_keys)
    results: dict[str, load.Result] = {}
    cpu_seconds: dict[str, tuple[float, int]] = {}  # name -> (workers' CPU seconds, requests)
    try:
        port = free_port()
        log(f"== gunicorn: {args.workers} {args.worker_class} workers on {HOST}:{port}")
        proc = start_gunicorn(port, args.workers, args.worker_class, args.threads)

        def measure(
            name, make, max_requests, seconds, concurrency=CONCURRENCY, check=load.ok_2xx_3xx, warm=True
        ):
            if warm:  # reach steady state: both workers have just run this page
                load.run(
                    "warm-up",
                    host=HOST,
                    port=port,
                    make_request=make,
                    max_requests=4 * concurrency,
                    max_seconds=3,
                    concurrency=concurrency,
                    check=check,
                )
            cpu_before = worker_cpu_seconds(proc.pid)
            res = load.run(
                name,
                host=HOST,
                port=port,
                make_request=make,
                max_requests=max_requests,
                max_seconds=seconds,
                concurrency=concurrency,
                check=check,
            )
            cpu_seconds[name] = (worker_cpu_seconds(proc.pid) - cpu_before, res.count)
            results[name] = res
            log(
                f"  {name}: {res.count} requests in {res.wall:.1f} s, {res.errors} errors; latency min "
                f"{min(res.latencies) * 1000:.1f} ms, median {res.p50_ms:.1f} ms"
            )
            for sample in res.error_samples:
                log(f"    error: {sample}")
            return res

        log("== warm-up (every page, both workers)")
        for _name, make, _ in [("bare", get("/bench/bare"), False), *pages]:
            load.run(
                "warm-up",
                host=HOST,
                port=port,
                make_request=make,
                max_requests=60,
                max_seconds=10,
                concurrency=CONCURRENCY,
            )

        log(
            f"== load: {CONCURRENCY} concurrent clients, at most {args.seconds:.0f} s per page "
            "(the bare view is measured before and after the pages; the baseline pools both)"
        )
        single_a = measure("bare, 1 client (before)", get("/bench/bare"), 1000, 4, concurrency=1)
        # The slot engine in-process, right next to the single-client bare requests it is compared with.
        engine_a = slotbench.measure(repeats=150)
        bare_a = measure("bare view (before)", get("/bench/bare"), 20000, args.seconds / 2)
        for name, make, _ in pages:
            measure(name, make, 3000, args.seconds)

        log(
            f"== booking: {BOOKINGS_MEASURED} verified mentees, "
            "each POSTing one free slot of a different mentor"
        )
        jobs = prepare_bookings(port, BOOKINGS_WARMUP + BOOKINGS_MEASURED, rng)
        session_keys += [j["session"] for j in jobs]
        warm_jobs, jobs = jobs[:BOOKINGS_WARMUP], jobs[BOOKINGS_WARMUP:]
        warm = load.run(
            "warm-up",
            host=HOST,
            port=port,
            make_request=booking_requests(warm_jobs),
            max_requests=len(warm_jobs),
            max_seconds=30,
            concurrency=len(warm_jobs),
            check=booking_check,
        )
        for sample in warm.error_samples:
            log(f"    warm-up booking error: {sample}")
        booking = measure(BOOKING, booking_requests(jobs), len(jobs), 120, check=booking_check, warm=False)

        bare_b = measure("bare view (after)", get("/bench/bare"), 20000, args.seconds / 2)
        engine_b = slotbench.measure(repeats=150)
        single_b = measure("bare, 1 client (after)", get("/bench/bare"), 1000, 4, concurrency=1)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        stop_gunicorn(proc)
        if session_keys:
            cleanup_sessions(session_keys)
        purge_bench_queue()
    bare = load.pooled("bare view /bench/bare (baseline)", bare_a, bare_b)
    single = load.pooled("bare, 1 client", single_a, single_b)

    engine = slotbench.pooled(engine_a, engine_b)
    log(
        f"  slot engine (in-process mentors.slots.free_slots): 60 days, {engine['bookings']} bookings, "
        f"{engine['slots']} free slots, spans the 25 Oct DST change: {engine['spans_dst']}"
    )

    log("")
    log(f"== results ({CONCURRENCY} concurrent clients; ratios are to the bare view's pooled baseline)")
    log(f"{'figure':<40} {'req/s':>8}   {'p95 ms':>8}   {'req/s ratio':>11}   {'p95 ratio':>9}")
    cpu = {name: seconds / n * 1000 for name, (seconds, n) in cpu_seconds.items() if n}
    base_seconds = [cpu_seconds[r.name] for r in (bare_a, bare_b) if r.name in cpu_seconds]
    if base_seconds:
        cpu[bare.name] = sum(s for s, _ in base_seconds) / sum(n for _, n in base_seconds) * 1000
    log(f"{'':<40} {'':>8}   {'':>8}   {'':>11}   {'':>9}   {'CPU ms':>8}   {'CPU ratio':>9}")
    for res in (bare_a, bare_b, bare, *(results[name] for name, _, _ in pages), booking):
        log(line(res, bare, cpu))
    log(
        f"{'slot engine, 1 mentor, 60 days (median)':<40} {1000 / engine['median_ms']:8.1f} calls/s "
        f"median {engine['median_ms']:.2f} ms, p95 {engine['p95_ms']:.2f} ms over {engine['repeats']} calls"
    )
    log(
        f"{'one bare request, 1 client (median)':<40} {single.rps:8.1f} req/s  "
        f"median {single.p50_ms:.2f} ms over {single.count} requests "
        f"-> slot engine = x{engine['median_ms'] / single.p50_ms:.2f} of a bare request"
    )
    now_load = os.getloadavg()
    log(f"load average now (1/5/15 min): {now_load[0]:.2f} / {now_load[1]:.2f} / {now_load[2]:.2f}")
    busy = load_at_start[0] > 1.0
    log(
        f"load average when the run started (1/5/15 min): {load_at_start[0]:.2f} / {load_at_start[1]:.2f} / "
        f"{load_at_start[2]:.2f} on {os.cpu_count()} CPUs"
        + ("  <- other processes were busy: the figures are noisy" if busy else "")
    )
    matching_goals = []
    if not args.no_matching_eval:
        from bench import matching_eval

        log("")
        log(f"== matching, offline: bench/matching_eval.py {' '.join(MATCHING_EVAL_ARGS)}")
        matching_goals = matching_eval.run(MATCHING_EVAL_ARGS)
    log("")
    log("== targets")
    verdicts = []

    def target(label, ok, detail):
        verdicts.append(ok)
        log(f"{'PASS' if ok else 'MISS'}  {label:<62} {detail}")

    # Issue 22: signed-out pages from the cache. CPU per request over the bare view's, same run.
    base_cpu = cpu.get(bare.name)
    for name, _, is_anonymous in pages:
        if is_anonymous and base_cpu and name in cpu:
            r, ratio = results[name], cpu[name] / base_cpu
            if name.endswith("[hit]"):
                rr = r.rps / bare.rps
                target(f"{name}: CPU <= 3x bare", ratio <= 3, f"x{ratio:.1f} ({cpu[name]:.2f} ms)")
                target(f"{name}: req/s >= 0.5x bare", rr >= 0.5, f"x{rr:.2f}")
            else:
                target(f"{name}: CPU <= 10x bare", ratio <= 10, f"x{ratio:.1f} ({cpu[name]:.2f} ms)")
    slot_name = pages[-1][0]
    pr = results[slot_name].p95_ms / bare.p95_ms
    target(f"{slot_name}: p95 <= 3x bare", pr <= 3, f"x{pr:.2f}")
    pr = booking.p95_ms / bare.p95_ms
    target("booking: p95 <= 5x bare", pr <= 5, f"x{pr:.2f}")
    target("booking: 0 errors", booking.errors == 0, f"{booking.errors} errors in {booking.count} POSTs")
    target(
        "slot engine (1 mentor, 60 days) cheaper than 1 bare request",
        engine["median_ms"] < single.p50_ms,
        f"{engine['median_ms']:.2f} ms vs {single.p50_ms:.2f} ms",
    )
    for label, ok, detail in matching_goals:
        target(f"matching: {label}", ok, detail)
    log(f"{sum(verdicts)} of {len(verdicts)} targets met; the run took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
