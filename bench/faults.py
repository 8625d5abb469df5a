"""Fault injection against the running product: each sub-command tells what it did and checks the end state.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/faults.py redis|postgres|worker|webhook

- redis     the app's cache and broker on a throw-away redis-server of our own (`--redis-port`,
            default 6390); bookings before, during and after stopping it; the confirmation
            e-mails of those made during the outage wait in the task outbox and go with its sweep
            (core.tasks.flush_outbox); then the reminders of those bookings are made due and the
            periodic sweep (notifications.tasks.dispatch_due) delivers them: each exactly once.
- postgres  the web worker's database connection terminated (pg_terminate_backend, only our own
            backends of our own database) while idle, and in the middle of a booking POST (held
            there by a table lock we take); no half-saved booking; the next request succeeds.
- worker    a real Celery worker SIGKILLed in the middle of a batch of due reminders, restarted;
            after the sweep every reminder is sent exactly once (rows and e-mails counted).
- webhook   a signed Stripe `checkout.session.completed` (the tests' fixture and signing) delivered
            while the web server is down, then failing with a 5xx, then answered but the answer
            lost, then retried: stored once, processed once by the worker.

Everything runs on loopback with the benchmark data set (bench/run.py seeds it). It asserts
nothing and prints OK/FAIL lines for what it checked. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load, notify_bench, run  # noqa: E402 - notify_bench: a private Celery queue

log = harness.log
BENCH = harness.BENCH
WEBHOOK_SECRET = "whsec_test_platform"  # the tests' PLATFORM_SECRET; set for gunicorn below
checks: list[tuple[str, bool]] = []


def purge_private_queue() -> None:
    """Drop what is left in this run's own Celery queue (e.g. tasks a killed worker had taken)."""
    try:
        from config.celery import app

        app.control.purge()
    except Exception as exc:  # noqa: BLE001 - housekeeping only
        log(f"  (could not purge queue {notify_bench.QUEUE}: {exc!r})")


def check(label: str, ok: bool) -> None:
    checks.append((label, ok))


def wait_for(condition, seconds: float, step: float = 0.2) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def post(port: int, path: str, headers: dict, body: bytes, timeout: float = 60):
    """(status, headers, body, seconds) or (0, None, repr(error), seconds)."""
    import http.client

    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(harness.HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read(), time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - what the client saw
        return 0, None, repr(exc).encode(), time.perf_counter() - t0
    finally:
        conn.close()


def get(port: int, path: str, headers: dict | None = None):
    t0 = time.perf_counter()
    try:
        status, _, body = load.one(harness.HOST, port, "GET", path, headers or {})
    except Exception as exc:  # noqa: BLE001
        return 0, repr(exc).encode(), time.perf_counter() - t0
    return status, body, time.perf_counter() - t0


def free_booking_jobs(n: int, mentee_skip: int) -> list[dict]:
    """n bookable times: a free offering of a distinct mentor each, a distinct signed-in mentee."""
    from django.utils import timezone

    from sessions.models import Offering
    from sessions.selectors import mentor_free_slots

    now = timezone.now()
    users = harness.mentees(n, skip=mentee_skip)
    keys = harness.sign_in(users)
    jobs = []
    offerings = Offering.objects.filter(is_published=True, price_amount=0, mentor__status="approved")
    seen = set()
    for offering in offerings.select_related("mentor").order_by("-pk"):
        if len(jobs) == n:
            break
        if offering.mentor_id in seen:
            continue
        seen.add(offering.mentor_id)
        slots = mentor_free_slots(
            mentor=offering.mentor,
            duration=timedelta(minutes=offering.duration_minutes),
            start=now + timedelta(days=3),
            end=now + timedelta(days=12),
            now=now,
        )
        if slots:
            i = len(jobs)
            jobs.append({"offering": offering, "slot": slots[0], "user": users[i], "key": keys[i]})
    return jobs


def book(port: int, job: dict):
    offering = job["offering"]
    return post(
        port,
        f"/offerings/{offering.slug}/book/",
        harness.headers_for(job["key"], post=True),
        harness.booking_body(offering, job["slot"].isoformat()),
    )


def booking_of(job: dict):
    from sessions.models import Booking

    return Booking.objects.filter(
        mentee=job["user"], mentor_id=job["offering"].mentor_id, starts_at=job["slot"]
    ).first()


def start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import redis

    client = redis.Redis(host=harness.HOST, port=port)
    if not wait_for(lambda: _ping(client), 10):
        raise SystemExit(f"redis-server on port {port} did not start")
    return proc


def _ping(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001
        return False


def kill(proc: subprocess.Popen | None, sig=signal.SIGKILL) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, sig)  # the process group we created for it (start_new_session)
        proc.wait(timeout=20)


def mail_count(mail_dir: Path) -> int:
    return notify_bench.messages_in(mail_dir) if mail_dir.exists() else 0


# --- redis -----------------------------------------------------------------------------------


def confirmations_in(mail_dir: Path, bookings=None) -> int:
    """'Booked: ...' e-mails written (those naming one of `bookings`, if given)."""
    if not mail_dir.exists():
        return 0
    messages = [m for p in mail_dir.iterdir() for m in p.read_bytes().split(notify_bench.SEPARATOR)]
    booked = [m for m in messages if b"\nSubject: Booked: " in m]
    if bookings is None:
        return len(booked)
    keys = [str(b.pk).encode() for b in bookings if b is not None]  # None: the POST saved nothing
    return sum(1 for m in booked if any(key in m for key in keys))


def settled(count, quiet: float = 6, limit: float = 90, at_least: int = 0) -> int:
    """count() once it is at least `at_least` and has not changed for `quiet` seconds (or after
    `limit` seconds): the worker is slow on a busy machine."""
    deadline = time.time() + limit
    last, since = count(), time.time()
    while time.time() < deadline and (last < at_least or time.time() - since < quiet):
        time.sleep(0.5)
        now = count()
        if now != last:
            last, since = now, time.time()
    return last


def fault_redis(args) -> None:  # noqa: C901 - a narrative
    from django.db.models import Count

    from core.models import OutboxTask
    from core.outbox import OUTBOX_GRACE
    from core.tasks import flush_outbox
    from notifications.models import Notification
    from notifications.tasks import dispatch_due

    log(f"== redis: the app's cache and Celery broker on our own redis-server, port {args.redis_port}")
    jobs = free_booking_jobs(12, mentee_skip=700)
    phases = {
        "before (Redis up)": jobs[:4],
        "during (Redis stopped)": jobs[4:8],
        "after (Redis restarted)": jobs[8:],
    }
    mail_dir = Path(tempfile.mkdtemp(prefix="faults-mail-"))
    redis_proc = start_redis(args.redis_port)
    proc = worker = None
    try:
        port = run.free_port()
        proc = run.start_gunicorn(port, 2, "sync", 1)
        worker = notify_bench.start_worker(mail_dir, 1)
        log(
            f"  gunicorn (2 sync workers) on {port}, a Celery worker (queue {notify_bench.QUEUE}), "
            "e-mail to files"
        )
        outcome, confirmations_a = {}, [0]
        for phase, phase_jobs in phases.items():
            if phase.startswith("during"):
                kill(redis_proc)
                log(f"  -- redis-server (pid {redis_proc.pid}) killed")
                for path in ("/", "/mentors/?q=design"):
                    status, body, secs = get(port, path)
                    log(f"  GET {path} while Redis is down: HTTP {status} in {secs * 1000:.0f} ms")
                    check(f"GET {path} answers while Redis is down", status == 200)
            if phase.startswith("after"):
                redis_proc = start_redis(args.redis_port)
                log(f"  -- redis-server restarted (pid {redis_proc.pid}), empty (no persistence)")
            for job in phase_jobs:
                status, headers, body, secs = book(port, job)
                result = harness.classify_booking(status, headers, body) if status else body.decode()[:80]
                saved = booking_of(job)
                outcome[id(job)] = (status, saved)
                log(
                    f"  {phase}: POST book -> HTTP {status} ({result}) in {secs * 1000:.0f} ms; "
                    f"in the database: {saved.state if saved else 'no booking'}"
                )
            if phase.startswith("before"):  # wait for the worker to send them before pulling the plug
                confirmations_a[0] = settled(lambda: confirmations_in(mail_dir), at_least=len(phase_jobs))
                log(f"  {confirmations_a[0]} confirmation e-mails sent for these 4 bookings")
            ok = all(outcome[id(j)][0] == 302 and outcome[id(j)][1] for j in phase_jobs)
            check(f"bookings {phase}: all answered 302 and confirmed", ok)
        settled(lambda: confirmations_in(mail_dir))
        waiting = OutboxTask.objects.filter(task="sessions.tasks.send_booking_confirmed")
        log(f"  {waiting.count()} confirmation tasks wait in the outbox (saved while the broker was down)")
        waiting.update(created_at=harness_now() - OUTBOX_GRACE - timedelta(seconds=1))
        log("  aged them past the grace period; queueing the outbox sweep as beat does every minute")
        flush_outbox.delay()
        wait_for(lambda: not waiting.exists(), 60)
        settled(lambda: confirmations_in(mail_dir))
        per_phase = {
            phase: confirmations_in(mail_dir, [booking_of(j) for j in phase_jobs])
            for phase, phase_jobs in phases.items()
        }
        log(f"  booking confirmation e-mails ('Booked: ...', sent by the worker), by phase: {per_phase}")
        check(
            "every booking's confirmation e-mailed once, those made during the outage included",
            len(set(per_phase.values())) == 1 and not waiting.exists(),
        )
        booked = [b for j in jobs if (b := booking_of(j))]
        rows = Notification.objects.filter(booking__in=booked, state=Notification.State.PENDING)
        n = rows.count()
        during = Notification.objects.filter(
            booking__in=[booking_of(j) for j in phases["during (Redis stopped)"]], state="pending"
        ).count()
        log(
            f"  {n} reminder rows wait for these {len(booked)} bookings "
            f"({during} of them made during the outage)"
        )
        ids = list(rows.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(due_at=harness_now() - timedelta(minutes=1))
        log(
            "  made them all due now (as if the clock had moved on); "
            "queueing the sweep as beat does every minute"
        )
        before = mail_count(mail_dir)
        dispatch_due.delay()
        rows = Notification.objects.filter(pk__in=ids)
        wait_for(lambda: not rows.filter(state__in=["pending", "sending"]).exists(), 180)
        time.sleep(3)  # let any second copy show up
        states = dict(rows.values_list("state").annotate(c=Count("pk")))
        sent = states.get("sent", 0)
        emails = mail_count(mail_dir) - before
        reasons = sorted(set(rows.filter(state="cancelled").values_list("last_error", flat=True)))
        log(
            f"  sweep: rows {states}, {emails} e-mails written"
            + (f"; cancelled because: {reasons}" if reasons else "")
        )
        check(
            "every reminder row handled after the restart (none left pending or lost)",
            sum(states.values()) == n and not rows.filter(state__in=["pending", "sending"]).exists(),
        )
        check("one e-mail per reminder sent (none doubled)", emails == sent)
        Notification.objects.filter(pk__in=ids).delete()
    finally:
        notify_bench.stop_worker(worker)
        run.stop_gunicorn(proc)
        kill(redis_proc)
        shutil.rmtree(mail_dir, ignore_errors=True)


def harness_now():
    from django.utils import timezone

    return timezone.now()


# --- postgres --------------------------------------------------------------------------------

WEB_APP_NAME = "bench-faults-web"


def admin_connection():
    """Our own connection to the bench database, autocommit (to watch, lock and terminate)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    dsn = {"dbname": db["NAME"], "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}
    return psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True)


def web_backends(cursor) -> list[tuple[int, str, str]]:
    cursor.execute(
        "SELECT pid, state, coalesce(wait_event_type, '') FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = %s",
        [WEB_APP_NAME],
    )
    return cursor.fetchall()


def fault_postgres(args) -> None:  # noqa: C901 - a narrative
    from django.conf import settings

    from sessions.models import Booking, BookingEvent

    db = settings.DATABASES["default"]
    log(
        f"== postgres: gunicorn with 1 sync worker, persistent connections (CONN_MAX_AGE "
        f"{db['CONN_MAX_AGE']}, CONN_HEALTH_CHECKS {db['CONN_HEALTH_CHECKS']}), "
        f"connection named {WEB_APP_NAME}"
    )
    jobs = free_booking_jobs(4, mentee_skip=720)
    admin = admin_connection()
    url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url + ("&" if "?" in url else "?") + f"application_name={WEB_APP_NAME}"
    proc = None
    try:
        port = run.free_port()
        proc = run.start_gunicorn(port, 1, "sync", 1)
        os.environ["DATABASE_URL"] = url
        with admin.cursor() as c:
            status, _, _ = get(port, "/mentors/")
            log(f"  GET /mentors/ -> {status}; the worker's connection: {web_backends(c)}")

            # 1. idle connection killed between requests
            pids = [pid for pid, *_ in web_backends(c)]
            c.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", [pids])
            log(f"  -- terminated the idle connection {pids}")
            status, _, secs = get(port, "/mentors/")
            log(
                f"  next GET /mentors/ -> HTTP {status} in {secs * 1000:.0f} ms; "
                f"connection now {web_backends(c)}"
            )
            check(
                "after the idle connection is killed, the next request succeeds (health check)", status == 200
            )

            # 2. killed mid-booking: after the booking row's INSERT, waiting to insert its event
            job = jobs[0]
            locker = admin_connection()  # holds the lock; `c` watches (its snapshot is per transaction)
            locker.execute("BEGIN")
            locker.execute(f"LOCK TABLE {BookingEvent._meta.db_table} IN SHARE MODE")  # blocks INSERTs there
            log(
                f"  -- holding a SHARE lock on {BookingEvent._meta.db_table}: a booking POST will stop "
                "after inserting its Booking row, before its BookingEvent"
            )
            import threading

            answer = {}
            t = threading.Thread(target=lambda: answer.update(r=book(port, job)))
            t.start()
            waited = wait_for(lambda: any(w == "Lock" for _, _, w in web_backends(c)), 20, 0.05)
            pids = [pid for pid, *_ in web_backends(c)]
            log(f"  the web worker's backend is waiting on the lock: {waited} {web_backends(c)}")
            c.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", [pids])
            log(f"  -- terminated it ({pids}) mid-request")
            t.join(60)
            locker.execute("ROLLBACK")
            locker.close()
            status, _, body, secs = answer["r"]
            log(f"  the POST was answered HTTP {status} in {secs * 1000:.0f} ms")
            saved = booking_of(job)
            log(f"  in the database: {saved.state if saved else 'no booking'} for that mentee and time")
            check("the interrupted POST failed cleanly (5xx)", 500 <= status < 600)
            check("no half-saved booking", saved is None)
            status, headers, body, secs = book(port, job)
            saved = booking_of(job)
            events = BookingEvent.objects.filter(booking=saved).count() if saved else 0
            log(
                f"  the same POST again -> HTTP {status} ({harness.classify_booking(status, headers, body)}) "
                f"in {secs * 1000:.0f} ms; booking {saved.state if saved else None}, {events} event(s)"
            )
            check(
                "the next request succeeds and books that time (it was left free)",
                status == 302 and saved and events == 1,
            )

            # 3. and the bookings after it
            for job in jobs[1:]:
                status, headers, body, secs = book(port, job)
                log(f"  another booking -> HTTP {status} in {secs * 1000:.0f} ms")
                check("a later booking succeeds", status == 302)
        half = Booking.objects.filter(events__isnull=True, mentee__in=[j["user"] for j in jobs]).count()
        check("no booking of these mentees without its event", half == 0)
    finally:
        os.environ["DATABASE_URL"] = url
        run.stop_gunicorn(proc)
        admin.close()


# --- worker ----------------------------------------------------------------------------------


def fault_worker(args) -> None:
    from django.conf import settings
    from django.db.models import Count

    from notifications.models import Notification
    from notifications.tasks import dispatch_due

    n = args.reminders
    log(
        f"== worker: {n} due reminders, a real Celery worker (prefork, 2 processes) SIGKILLed mid-batch; "
        f"claim timeout {settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS} s"
    )
    ids = notify_bench.due_reminders(n)
    rows = Notification.objects.filter(pk__in=ids)
    mail_dir = Path(tempfile.mkdtemp(prefix="faults-mail-"))
    worker = None
    try:
        worker = notify_bench.start_worker(mail_dir, 2)
        dispatch_due.delay()
        log("  queued the sweep (notifications.tasks.dispatch_due) as beat would")
        wait_for(lambda: rows.filter(state="sent").count() >= n // 4, 120, 0.02)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool, our own process group
        worker.wait(10)
        time.sleep(0.5)
        by_state = dict(rows.values_list("state").annotate(c=Count("pk")))
        log(
            f"  -- SIGKILLed the worker (pid {worker.pid} and its children): rows {by_state}, "
            f"e-mails written {mail_count(mail_dir)}"
        )
        worker = notify_bench.start_worker(mail_dir, 2)
        log(
            "  restarted the worker: it runs the send tasks still queued; rows the dead worker had "
            f"taken stay 'sending' until the claim timeout ({settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS} s)"
        )
        time.sleep(settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 2)
        by_state = dict(rows.values_list("state").annotate(c=Count("pk")))
        log(f"  after the timeout: {by_state}; queueing the sweep again")
        dispatch_due.delay()
        wait_for(lambda: rows.filter(state="sent").count() == n, 180)
        time.sleep(2)
        sent = rows.filter(state="sent").count()
        emails = mail_count(mail_dir)
        retried = rows.filter(attempts__gt=1).count()
        log(
            f"  end: {sent} of {n} rows sent, {emails} e-mails written, "
            f"{retried} rows with more than one attempt"
        )
        check("every reminder sent (none lost)", sent == n)
        check("exactly one e-mail per reminder (none doubled)", emails == n)
    finally:
        notify_bench.stop_worker(worker)
        rows.delete()
        shutil.rmtree(mail_dir, ignore_errors=True)
        purge_private_queue()


# --- webhook ---------------------------------------------------------------------------------


def fault_webhook(args) -> None:  # noqa: C901 - a narrative
    import http.client

    from billing.models import Payment, WebhookEvent
    from sessions import services as booking_services
    from sessions.models import Booking, Offering
    from tests.billing.helpers import fixture_text, signed_headers

    log("== webhook: a signed checkout.session.completed for a held booking, Stripe retrying delivery")
    jobs = []
    for offering in Offering.objects.filter(is_published=True, price_amount__gt=0).order_by("-pk")[:50]:
        jobs = free_booking_jobs_for(offering, mentee_skip=740)
        if jobs:
            break
    job = jobs[0]
    booking = booking_services.booking_create(
        offering=job["offering"],
        mentee=job["user"],
        request=booking_services.BookingRequest(
            starts_at=job["slot"],
            outcome="A decision",
            prework_answers=["An answer" for _ in job["offering"].prework_prompts],
        ),
    )
    payment = Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.STRIPE,
        checkout_session_id=f"cs_test_{uuid.uuid4().hex}",
        amount=booking.price_amount,
        currency=booking.currency,
        platform_fee=0,
    )
    log(
        f"  booking {booking.pk} is {booking.state}; payment {payment.state}, "
        f"session {payment.checkout_session_id}"
    )
    payload = fixture_text(
        "event_checkout_session_completed.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )
    event_id = payload.split('"id": "', 1)[1].split('"', 1)[0]

    def deliver(port, read=True):
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": signed_headers(payload)["HTTP_STRIPE_SIGNATURE"],
        }
        if read:
            status, _, body, secs = post(port, "/billing/stripe/webhook/", headers, payload.encode())
            return status, body.decode(errors="replace")[:120]
        conn = http.client.HTTPConnection(harness.HOST, port, timeout=30)
        conn.request("POST", "/billing/stripe/webhook/", body=payload.encode(), headers=headers)
        conn.sock.shutdown(2)  # gone before the answer: Stripe sees a timeout
        conn.close()
        return None, "answer not read"

    mail_dir = Path(tempfile.mkdtemp(prefix="faults-mail-"))
    admin = admin_connection()
    url = os.environ["DATABASE_URL"]
    proc = worker = None
    events = WebhookEvent.objects.filter(stripe_event_id=event_id)
    try:
        worker = notify_bench.start_worker(mail_dir, 1)
        port = run.free_port()
        log(f"  Celery worker started; the web server (port {port}) is restarting, not listening yet")
        status, body = deliver(port)
        log(f"  delivery 1 -> {status or 'connection error'}: {body}")
        check("delivery 1 failed (server down)", status == 0 and events.count() == 0)

        os.environ["DATABASE_URL"] = url + ("&" if "?" in url else "?") + f"application_name={WEB_APP_NAME}"
        proc = run.start_gunicorn(port, 1, "sync", 1)
        os.environ["DATABASE_URL"] = url
        log("  web server up (1 sync worker)")
        with admin.cursor() as c:
            locker = admin_connection()
            locker.execute("BEGIN")
            locker.execute(f"LOCK TABLE {WebhookEvent._meta.db_table} IN SHARE MODE")
            import threading

            answer = {}
            t = threading.Thread(target=lambda: answer.update(r=deliver(port)))
            t.start()
            wait_for(lambda: any(w == "Lock" for _, _, w in web_backends(c)), 20, 0.05)
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid",
                [[p for p, *_ in web_backends(c)]],
            )
            t.join(60)
            locker.execute("ROLLBACK")
            locker.close()
        status, body = answer["r"]
        log(f"  delivery 2 (its database connection dies mid-request) -> {status}: {body[:60]!r}")
        check("delivery 2 answered 5xx and stored nothing", 500 <= status < 600 and events.count() == 0)

        deliver(port, read=False)
        wait_for(lambda: events.exists(), 20)
        log(
            f"  delivery 3: sent, connection dropped before the answer; stored: {events.count()} event row(s)"
        )

        run.stop_gunicorn(proc)
        proc = run.start_gunicorn(port, 1, "sync", 1)
        log("  web server restarted again")
        status, body = deliver(port)
        log(f"  delivery 4 (Stripe's retry) -> {status}: {body}")
        check("delivery 4 answered 200 as a duplicate", status == 200 and '"duplicate": true' in body)
        wait_for(lambda: events.filter(state=WebhookEvent.State.PROCESSED).exists(), 60)
        time.sleep(2)
        event = events.first()
        booking.refresh_from_db()
        payment.refresh_from_db()
        log(
            f"  event rows {events.count()}, state {event.state if event else None}, attempts "
            f"{event.attempts if event else None}; booking {booking.state}; payment {payment.state}; "
            f"e-mails {mail_count(mail_dir)}; refunds {payment.refunds.count()}"
        )
        check(
            "one event row, processed once (attempts 1)",
            events.count() == 1 and event.state == "processed" and event.attempts == 1,
        )
        check(
            "booking confirmed, payment paid, nothing refunded",
            booking.state == Booking.State.CONFIRMED
            and payment.state == Payment.State.PAID
            and not payment.refunds.exists(),
        )
    finally:
        os.environ["DATABASE_URL"] = url
        run.stop_gunicorn(proc)
        notify_bench.stop_worker(worker)
        admin.close()
        shutil.rmtree(mail_dir, ignore_errors=True)
        purge_private_queue()


def free_booking_jobs_for(offering, mentee_skip: int) -> list[dict]:
    from django.utils import timezone

    from sessions.selectors import mentor_free_slots

    now = timezone.now()
    slots = mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=now + timedelta(days=3),
        end=now + timedelta(days=12),
        now=now,
    )
    if not slots:
        return []
    return [{"offering": offering, "slot": slots[0], "user": harness.mentees(1, skip=mentee_skip)[0]}]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("fault", choices=["redis", "postgres", "worker", "webhook"])
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--reminders", type=int, default=300)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, run._raise_interrupt)
    # Before Django reads its settings: what this process, gunicorn and the worker share.
    if args.fault == "redis":
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
    os.environ["NOTIFICATION_CLAIM_TIMEOUT_SECONDS"] = "15"
    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    load_start = harness.load_average()
    log(f"== setup ({load_start})")
    if args.fault == "redis":
        redis_proc = start_redis(args.redis_port)  # prepare() touches the cache
        try:
            harness.prepare()
        finally:
            kill(redis_proc)
    else:
        harness.prepare()
    started = time.perf_counter()
    try:
        {"redis": fault_redis, "postgres": fault_postgres, "worker": fault_worker, "webhook": fault_webhook}[
            args.fault
        ](args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    log("")
    log("== checks")
    for label, ok in checks:
        log(f"{'OK  ' if ok else 'FAIL'} {label}")
    log(
        f"took {time.perf_counter() - started:.0f} s; at the start: {load_start}; "
        f"at the end: {harness.load_average()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
