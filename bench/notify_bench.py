"""The reminder outbox under load: 10,000 due reminders sent by a real Celery worker on Redis.

    .venv/bin/python bench/notify_bench.py        # after bench/run.py has seeded thementors_bench

Writes 10,000 due reminder rows against future confirmed bookings of the benchmark database
(removed at the end), starts `celery -A config worker` (prefork, 2 processes, a queue of its own
on Redis db 15) and times dispatch (`notifications.tasks.dispatch_due`, as beat fires it) until
every row is sent: claim, one send task per claimed batch (rows read in one query, send-time
checks, both templates, the .ics, one mail connection), and per row its lock, the e-mail written
by Django's file backend and its commit. The baseline is a no-op task on the same broker and
worker in the same run, queued the same way (from a task in the worker), measured before and
after. A measurement, not a test: it prints figures and exits 0. See bench/README.md.
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

BENCH = Path(__file__).resolve().parent
BASE = BENCH.parent
sys.path.insert(0, str(BASE))
os.chdir(BASE)
QUEUE = f"notify-bench-{uuid.uuid4().hex[:8]}"
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE  # this process and the worker: one private queue
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file backend writes after each message
TIMEOUT = 120  # seconds, for a no-op run
TARGET_RATIO = 0.5  # issue 22: reminders at least half the no-op task rate on the same worker


def log(msg: str = "") -> None:
    print(msg, flush=True)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def start_worker(mail_dir: Path, concurrency: int) -> subprocess.Popen:
    logfile = BENCH / "out" / "notify-worker.log"
    logfile.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with open(logfile, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--include", "bench.tasks",
             "--pool", "prefork", "--concurrency", str(concurrency), "-Q", QUEUE, "-n", f"{QUEUE}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop_worker(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()  # warm shutdown: the main process stops its children
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_until(condition, what: str) -> float:
    """Seconds until condition() holds; raises after TIMEOUT."""
    t0 = time.perf_counter()
    while not condition():
        if time.perf_counter() - t0 > TIMEOUT:
            raise TimeoutError(f"{what} did not finish within {TIMEOUT} s (see bench/out/notify-worker.log)")
        time.sleep(0.05)
    return time.perf_counter() - t0


def noop_rate(redis_client, n: int) -> float:
    from celery import current_app

    counter = f"{QUEUE}:noop:{uuid.uuid4().hex[:6]}"
    t0 = time.perf_counter()
    current_app.send_task("bench.tasks.fanout", args=[counter, n])
    wait_until(lambda: int(redis_client.get(counter) or 0) >= n, "the no-op tasks")
    elapsed = time.perf_counter() - t0
    redis_client.delete(counter)
    return n / elapsed


def due_reminders(n: int) -> list[int]:
    """n reminder rows due now (of three kinds a confirmed booking more than two hours ahead still
    sends), on future confirmed bookings that have no reminder rows yet (admin_lists.py gives
    every booking some); also faults.py's worker fault."""
    from django.utils import timezone

    from notifications.models import Notification
    from sessions.models import Booking

    kinds = (
        Notification.Kind.STARTING_SOON_MENTEE,
        Notification.Kind.STARTING_SOON_MENTOR,
        Notification.Kind.MENTOR_PREP_DIGEST,
    )
    now = timezone.now()
    bookings = list(
        Booking.objects.filter(state=Booking.State.CONFIRMED, starts_at__gt=now + timedelta(hours=2))
        .exclude(pk__in=Notification.objects.filter(booking__isnull=False).values("booking_id"))
        .order_by("starts_at")
        .values_list("pk", flat=True)[: -(-n // len(kinds))]
    )
    rows = [
        Notification(booking_id=pk, kind=kind, due_at=now - timedelta(minutes=1))
        for pk in bookings
        for kind in kinds
    ][:n]
    if len(rows) < n:
        raise SystemExit(
            f"only {len(bookings)} future confirmed bookings without reminder rows: seed with "
            "bench/run.py first (bench/admin_lists.py gives every booking two: not after it)"
        )
    return [row.pk for row in Notification.objects.bulk_create(rows, batch_size=2000)]


def messages_in(mail_dir: Path) -> int:
    return sum(path.read_bytes().count(SEPARATOR) for path in mail_dir.iterdir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--noops", type=int, default=3_000, help="per baseline run (default 3,000)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=420,
        help="time bound for the reminders (all 10,000 take about 3 minutes on 2 idle cores)",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _raise_interrupt)

    import django

    django.setup()
    import redis
    from celery import current_app
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from bench.run import ensure_database
    from notifications.models import Notification
    from notifications.tasks import MAX_BATCHES_PER_RUN, dispatch_due

    db = settings.DATABASES["default"]
    log(f"Reminder outbox benchmark · database {db['NAME']} · broker {settings.CELERY_BROKER_URL} · "
        f"queue {QUEUE} · load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    ensure_database()
    call_command("migrate", verbosity=0)
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    mail_dir = Path(tempfile.mkdtemp(prefix="notify-bench-mail-"))
    worker = None
    ids: list[int] = []
    try:
        worker = start_worker(mail_dir, args.concurrency)
        log(f"  worker: prefork, {args.concurrency} processes; warming up")
        noop_rate(redis_client, 500)

        before = noop_rate(redis_client, args.noops)
        log(f"  no-op task, before:  {args.noops:,} in {args.noops / before:.2f} s = {before:,.0f}/s")

        t0 = time.perf_counter()
        ids = due_reminders(args.reminders)
        others = Notification.objects.filter(
            state=Notification.State.PENDING, due_at__lte=timezone.now() + timedelta(minutes=5)
        ).exclude(pk__in=ids)
        log(f"  wrote {len(ids):,} due reminder rows in {time.perf_counter() - t0:.1f} s"
            + (f" ({others.count()} other rows also due)" if others.exists() else ""))  # fmt: skip
        ours = Notification.objects.filter(pk__in=ids)

        t0 = time.perf_counter()
        per_run = MAX_BATCHES_PER_RUN * settings.NOTIFICATION_BATCH_SIZE
        for _ in range(-(-len(ids) // per_run)):  # beat's ticks, back to back
            dispatch_due.delay()
        sent, elapsed, shown = 0, 0.0, 0.0
        while sent < len(ids) and elapsed < args.seconds:
            time.sleep(0.1)
            sent = ours.filter(state=Notification.State.SENT).count()
            elapsed = time.perf_counter() - t0
            if elapsed - shown >= 15:
                log(f"    {sent:,} sent after {elapsed:.0f} s")
                shown = elapsed
        reminders = sent / elapsed
        done = "all" if sent == len(ids) else f"time limit: {sent:,} of {len(ids):,}"
        log(f"  reminders:           {sent:,} in {elapsed:.2f} s = {reminders:,.1f}/s ({done})")
        if sent < len(ids):  # the sends still queued would sit in front of the second baseline
            redis_client.delete(QUEUE)
            time.sleep(2)

        after = noop_rate(redis_client, args.noops)
        log(f"  no-op task, after:   {args.noops:,} in {args.noops / after:.2f} s = {after:,.0f}/s")

        time.sleep(1)
        stop_worker(worker)  # nothing more is sent: the e-mails written match the rows marked sent
        written = messages_in(mail_dir)
        sent = ours.filter(state=Notification.State.SENT).count()
        baseline = 2 / (1 / before + 1 / after)  # the pooled rate of both runs
        log("")
        log(f"reminders/s            {reminders:,.1f}")
        log(f"no-op tasks/s          {baseline:,.0f}  (both runs pooled)")
        ratio = reminders / baseline
        log(f"ratio                  {ratio:.3f}  (a reminder costs "
            f"{baseline / reminders:.1f} no-op tasks)")  # fmt: skip
        verdict = "PASS" if ratio >= TARGET_RATIO and sent == len(ids) else "MISS"
        log(f"{verdict}  reminders >= {TARGET_RATIO}x the no-op task rate: x{ratio:.3f} "
            f"(load average {os.getloadavg()[0]:.2f})")  # fmt: skip
        log(f"e-mails written        {written:,} for {sent:,} rows sent (of {len(ids):,})")
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        stop_worker(worker)
        if ids:
            Notification.objects.filter(pk__in=ids).delete()
        for key in redis_client.scan_iter(match=f"*{QUEUE}*"):
            redis_client.delete(key)
        current_app.close()
        shutil.rmtree(mail_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
