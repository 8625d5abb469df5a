"""The booking limit holds across processes: gunicorn with two sync workers, counting in Redis.

Slow-ish (it starts gunicorn: a few seconds, well under 30 s) and marked `slow`. Needs PostgreSQL
(gunicorn reads the test database, which an in-memory SQLite one cannot share) and REDIS_URL.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_ratelimit.core import _get_window

from tests.factories import OfferingFactory, UserFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL) as the shared cache"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL): gunicorn must read the test database",
    ),
]

HOST = "127.0.0.1"
ATTEMPTS = 15
CSRF = "c" * 32  # an unmasked secret, sent as both the cookie and the header


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = urllib.parse.quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def request(port: int, method: str, path: str, headers=None, body=None) -> int:
    """One request on a connection of its own (a sync worker serves one connection at a time)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn, 2 sync workers, production settings over plain HTTP, on the test database and
    Redis with a key prefix of its own. --preload: the workers fork from a master that imported
    Django once (faster on a busy machine; each worker still opens its own connections)."""
    port = free_port()
    env = {
        **os.environ,  # SECRET_KEY from tests/settings.py: the session below is signed with it
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "CELERY_TASK_ALWAYS_EAGER": "1",  # a booking's e-mails stay in this process
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SENTRY_DSN": "",
    }
    log = tmp_path / "gunicorn.log"
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{port}"]
    cmd += [
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--timeout",
        "30",
        "--preload",
        "--error-logfile",
        str(log),
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60  # a busy CI machine
        while True:
            assert proc.poll() is None, f"gunicorn exited: {log.read_text()}"
            try:
                if request(port, "GET", "/healthz") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer: {log.read_text()}"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()  # the master stops its workers
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the process group it was started in
            proc.wait(timeout=5)


@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_workers_let_exactly_ten_bookings_a_minute_through(gunicorn):
    mentee = UserFactory()
    offering = OfferingFactory()
    store = SessionStore()
    store[SESSION_KEY] = str(mentee.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = mentee.get_session_auth_hash()
    store.create()
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    starts_at = (timezone.now() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    body = urllib.parse.urlencode(
        {"starts_at": starts_at.isoformat(), "outcome": "A decision", "prework_0": "a", "prework_1": "b"}
    )
    path = f"/offerings/{offering.slug}/book/"
    # The minute's window ends at a time of its own for each key: never straddle its end.
    left = _get_window(str(mentee.pk), 60) - time.time()
    if left < 12:
        time.sleep(left + 1)

    with ThreadPoolExecutor(5) as pool:  # concurrent connections: both workers answer
        statuses = list(pool.map(lambda _: request(gunicorn, "POST", path, headers, body), range(ATTEMPTS)))

    limited = statuses.count(429)
    passed = [s for s in statuses if s != 429]
    # Through the limiter, the booking itself may go through (302) or be refused (400, the slot).
    assert set(passed) <= {302, 400}, statuses
    assert (len(passed), limited) == (10, 5), statuses
