"""Shared pieces of the load and fault scripts (mixed_load.py, slot_contention.py, faults.py).

The database, seeding and gunicorn come from bench/run.py (imported, not copied); this adds
signed-in mentees without the login form, a CSRF cookie of our own, booking POSTs and the
database checks every script ends with.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import sys
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BASE = BENCH.parent
sys.path.insert(0, str(BASE))

from bench import run  # noqa: E402 - sets DJANGO_SETTINGS_MODULE=bench.settings and the cwd

HOST = run.HOST
log = run.log
SLOT_LINK = re.compile(r'[?&]slot=([^"#&]+)')
BOOKED = re.compile(r"^/bookings/[0-9a-f-]{36}/")
TAKEN = "That slot was just taken"


def migrate_and_collect() -> None:
    """The benchmark's database (made if missing) migrated, and the static files collected."""
    import django
    from django.conf import settings

    db = settings.DATABASES["default"]
    log(f"  database {db['NAME']} on {db['HOST']}:{db['PORT']}; Redis {os.environ.get('REDIS_URL')}")
    run.ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare(*, refresh_slots: bool = False) -> None:
    """Database, migrations, static files, the seed and fresh free-slot previews (run.py's steps)."""
    migrate_and_collect()
    from bench import seed

    if not seed.ensure_seeded(log=log):
        log("  already seeded at this size")
    run.refresh_free_slots(force=refresh_slots)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


def mentees(n: int, *, skip: int = 0) -> list:
    """n verified mentees who are not mentors and not the run.py bench clients (stable order)."""
    from accounts.models import User
    from mentors.models import MentorProfile

    users = list(
        User.objects.filter(emailaddress__verified=True, is_active=True)
        .exclude(pk__in=MentorProfile.objects.values("user_id"))
        .filter(email__startswith="mentee")
        .order_by("pk")[skip : skip + n]
    )
    if len(users) < n:
        raise SystemExit(f"need {n} verified mentees, found {len(users)}")
    return users


def sign_in(users) -> list[str]:
    """A database session per user, as the login form would leave it (one bulk insert)."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    rows, keys = [], []
    expires = timezone.now() + timedelta(days=1)
    for user in users:
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows)
    return keys


def sign_out(keys) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=list(keys)).delete()


def headers_for(session_key: str | None, *, htmx: bool = False, post: bool = False) -> dict:
    """Cookies (session + a CSRF secret of our own, which Django accepts as the X-CSRFToken)."""
    from django.conf import settings

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookie = f"{settings.CSRF_COOKIE_NAME}={csrf}"
    if session_key:
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {cookie}"
    headers = {"Cookie": cookie}
    if htmx:
        headers["HX-Request"] = "true"
    if post:
        headers["X-CSRFToken"] = csrf
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def booking_body(offering, starts_at: str) -> bytes:
    fields = {
        "starts_at": starts_at,
        "outcome": "A ranked shortlist of two options",
        "context_notes": "Load test booking.",
        "links": "https://example.com/my-doc",
    }
    for i, _prompt in enumerate(offering.prework_prompts):
        fields[f"prework_{i}"] = "My answer to the prompt."
    return urllib.parse.urlencode(fields).encode()


def slots_in(html: str) -> list[str]:
    """The ISO start times the slot picker links to."""
    return [urllib.parse.unquote(m) for m in SLOT_LINK.findall(html)]


def classify_booking(status: int, headers, body: bytes) -> str:
    """'booked' (302 to the booking or its checkout), 'taken' (the form's conflict message),
    'rejected' (another form error), 'server error' (5xx) or 'other'."""
    if status in (301, 302, 303):
        location = headers.get("Location", "")
        return "booked" if "/login" not in location else "other"
    if status == 400:
        return "taken" if TAKEN.encode() in body else "rejected"
    if status >= 500:
        return "server error"
    return "other"


def overlapping_pairs() -> int:
    """Pairs of active (held or confirmed) bookings of one mentor whose times overlap."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """
            SELECT count(*) FROM mentoring_booking a JOIN mentoring_booking b
              ON a.mentor_id = b.mentor_id AND a.id < b.id
             AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
             WHERE a.state IN ('held', 'confirmed') AND b.state IN ('held', 'confirmed')
            """
        )
        return c.fetchone()[0]


def constraint_present() -> bool:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT 1 FROM pg_constraint WHERE conname = 'booking_no_overlap'")
        return c.fetchone() is not None
