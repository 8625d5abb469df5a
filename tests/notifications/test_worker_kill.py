"""A worker SIGKILLed, or the broker killed, in the middle of a batch of 1,000 due reminders: every
reminder is sent after the next sweep, and none twice.

Two real `celery -A config worker` processes on the real Redis broker and this test's PostgreSQL
database, e-mail written by Django's file backend to a directory the test reads. The first worker
is killed while it works through the batch; its claimed rows stay "sending" until the claim
timeout (2 s here) lets the dispatcher claim them again for the second worker.

The broker's test runs a redis-server of its own (so the suite's Redis is never touched), killed
with SIGKILL while the worker sends and started again empty, as a crash without persistence
leaves it: the send tasks queued in it are gone, and the sweep claims their rows again.

The worker's kill lands between two sends, never between a message leaving and its row's commit: a crash
exactly there sends that one message again on any outbox (the mail server has it, the database
does not know). The test pauses the worker with SIGSTOP until the mail written and the rows
committed agree, then kills it, so what it checks is the product's own guarantee.
"""

import email
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from notifications import tasks
from notifications.models import Notification
from notifications.services import schedule_for_booking
from sessions.models import Booking
from tests import support
from tests.factories import BookingFactory
from tests.support import needs_redis

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
]
BOOKINGS = 500  # two due reminders each: 1,000, several seconds of sending, time to kill mid-batch
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file backend writes after each message
State = Notification.State


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker process must reach the test database (set DATABASE_URL)")


@pytest.fixture
def queue(settings):
    """A queue of this test's own, on the real broker, removed afterwards with anything left in it."""
    name = f"test-kill-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = name
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield name
    app.conf.task_default_queue = "celery"
    _purge(name)


def _purge(queue: str) -> None:
    """The killed worker's unacknowledged message would come back to this queue in two hours."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    for key in client.scan_iter(match=f"*{queue}*"):  # the queue and its kombu bindings
        client.delete(key)


class Workers:
    """`celery -A config worker` subprocesses, each with a log file; all killed at the end."""

    def __init__(self, *, queue: str, mail_dir: Path, logs: Path, redis_url: str | None = None):
        db = connection.settings_dict
        credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{quote(db['NAME'])}",
            "REDIS_URL": redis_url or os.environ["REDIS_URL"],
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "2",
        }
        self.queue = queue
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        n = len(self.processes) + 1
        log = open(self.logs / f"worker-{n}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "-Q", self.queue, "-n", f"{self.queue}-{n}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.processes.append(process)
        return process

    def sweep(self) -> None:
        """Beat's minute sweep (notifications.tasks.dispatch_due), sent to these workers' broker."""
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "config", "call", "notifications.tasks.dispatch_due",
             "--queue", self.queue],
            cwd=settings.BASE_DIR, env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def log(self, n: int) -> str:
        return (self.logs / f"worker-{n}.log").read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def workers(postgres, queue, tmp_path):
    (tmp_path / "mail").mkdir()
    pool = Workers(queue=queue, mail_dir=tmp_path / "mail", logs=tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def mail_written(mail_dir: Path) -> tuple[list[str], bool]:
    """The recipients of every message in the directory, and whether every file is complete."""
    recipients, complete = [], True
    for path in sorted(mail_dir.iterdir()):
        data = path.read_bytes()
        complete = complete and data.endswith(SEPARATOR)
        for chunk in data.split(SEPARATOR):
            if chunk.strip():
                recipients.append(email.message_from_bytes(chunk)["To"])
    return recipients, complete


def wait_for(condition, *, seconds: float, what: str, workers: Workers) -> None:
    if not support.wait_for(condition, seconds):
        logs = "\n".join(f"--- worker {n}\n{workers.log(n)}" for n in range(1, len(workers.processes) + 1))
        pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}\n{logs}")


def kill_between_sends(process: subprocess.Popen, mail_dir: Path, rows) -> None:
    """SIGKILL the worker at a moment when the mail written and the rows marked sent agree."""
    for _ in range(200):
        os.kill(process.pid, signal.SIGSTOP)
        time.sleep(0.05)  # stopped for sure; a commit it already sent lands meanwhile
        recipients, complete = mail_written(mail_dir)
        if complete and len(recipients) == rows.filter(state=State.SENT).count():
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(random.uniform(0.001, 0.02))
    pytest.fail("never caught the worker between two sends")


def due_reminders():
    """2 × BOOKINGS reminders due now, one recipient each: the rows, and who should get one."""
    now = timezone.now()
    for i in range(BOOKINGS):
        # Starting in under 14 minutes, scheduled an hour ago: both "starting soon" e-mails are due.
        booking = BookingFactory(starts_at=now + timedelta(minutes=14, seconds=-i), outcome="A plan")
        schedule_for_booking(booking, now=now - timedelta(hours=1))
    rows = Notification.objects.filter(due_at__lte=now)
    expected = Counter(
        email
        for mentee, mentor in Booking.objects.values_list("mentee__email", "mentor__user__email")
        for email in (mentee, mentor)
    )
    assert rows.count() == 2 * BOOKINGS and set(expected.values()) == {1}  # a recipient per reminder
    return rows, expected


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_sent_twice(workers, queue, tmp_path):
    mail_dir = tmp_path / "mail"
    rows, expected = due_reminders()
    total = rows.count()

    first = workers.start()
    tasks.dispatch_due.apply_async(queue=queue)
    wait_for(
        lambda: len(mail_written(mail_dir)[0]) >= 10, seconds=90, what="the first e-mails", workers=workers
    )
    kill_between_sends(first, mail_dir, rows)
    assert first.returncode == -signal.SIGKILL

    sent_before = rows.filter(state=State.SENT).count()
    assert 10 <= sent_before < total, "the kill must land in the middle of the batch"
    assert rows.filter(state=State.SENDING).exists()  # claimed by the dead worker, not sent

    time.sleep(2.5)  # past the claim timeout: the dead worker's claims are up for grabs
    workers.start()
    tasks.dispatch_due.apply_async(queue=queue)
    wait_for(
        lambda: rows.filter(state=State.SENT).count() == total,
        seconds=120,
        what="every reminder to be sent",
        workers=workers,
    )
    # Beat fires again: nothing is left to claim, and no late duplicate turns up.
    tasks.dispatch_due.apply_async(queue=queue)
    time.sleep(3)

    recipients, complete = mail_written(mail_dir)
    assert complete
    assert Counter(recipients) == expected  # each reminder exactly once
    assert rows.filter(state=State.SENT).count() == total
    assert rows.filter(attempts=1).count() == total


@pytest.fixture
def own_redis():
    """A redis-server of this test's own on a free port, without persistence: `start()` (again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = {"process": None}

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=port)
        assert support.wait_for(lambda: _answers(client), 10), "redis-server did not start"
        server["process"] = process
        return process

    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH (Debian: redis-server)")
    start()
    yield SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", start=start, server=server)
    if server["process"].poll() is None:
        server["process"].kill()
        server["process"].wait(timeout=10)


def _answers(client) -> bool:
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


def test_the_broker_killed_mid_batch_loses_no_reminder_and_sends_none_twice(postgres, own_redis, tmp_path):
    (tmp_path / "mail").mkdir()
    mail_dir = tmp_path / "mail"
    rows, expected = due_reminders()
    total = rows.count()
    pool = Workers(queue="reminders", mail_dir=mail_dir, logs=tmp_path, redis_url=own_redis.url)
    try:
        pool.start()
        pool.sweep()
        wait_for(
            lambda: len(mail_written(mail_dir)[0]) >= 10, seconds=90, what="the first e-mails", workers=pool
        )
        own_redis.server["process"].kill()  # SIGKILL: the queued send tasks die with it
        own_redis.server["process"].wait(timeout=10)
        sent_before = rows.filter(state=State.SENT).count()
        assert sent_before < total, "the broker must die in the middle of the batch"
        assert rows.filter(state=State.SENDING).exists()  # claimed, their tasks lost with the broker

        own_redis.start()  # empty, as after a crash without persistence
        time.sleep(2.5)  # past the claim timeout: the lost tasks' rows are up for grabs

        def all_sent_after_a_sweep() -> bool:
            if pool.processes[-1].poll() is not None:  # it gave up on the broker: compose restarts it
                pool.start()
            pool.sweep()  # beat, every minute
            return support.wait_for(lambda: rows.filter(state=State.SENT).count() == total, 20)

        assert support.wait_for(all_sent_after_a_sweep, 120), (
            f"{rows.exclude(state=State.SENT).count()} reminders unsent\n{pool.log(1)}"
        )
        pool.sweep()  # and once more: nothing is left to claim, no late duplicate turns up
        time.sleep(3)
    finally:
        pool.stop_all()

    recipients, complete = mail_written(mail_dir)
    assert complete
    assert Counter(recipients) == expected  # each reminder exactly once
    assert rows.filter(state=State.SENT).count() == total
