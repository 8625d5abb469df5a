"""Settings for the benchmark: the product's settings, served like production over plain HTTP.

Used by bench/run.py for both its own process (seeding, sessions) and gunicorn.
Defaults DATABASE_URL / REDIS_URL to the benchmark's own database and Redis db 15, so a
benchmark run never touches the development database or the default Celery queue.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thementors_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "insecure-key-for-the-benchmark-only-0123456789abcdefghijklmnop")

from config.settings import *  # noqa: E402,F401,F403
from config.settings import BASE_DIR, DATABASES, env  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Plain HTTP on loopback: no HTTPS redirect, no HSTS, cookies usable over http://.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Production static storage (hashed names from a manifest), collected into bench/out/static.
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Persistent connections as in production (config sets them for PostgreSQL already).
assert not DATABASES["default"]["ENGINE"].endswith("sqlite3"), (
    "The benchmark needs PostgreSQL (DATABASE_URL)."
)

# Every benchmark client connects from 127.0.0.1: the per-address booking limit (30 a minute) would
# refuse most of the booking POSTs. The per-user limit and the limiter's cost stay as in production.
RATELIMIT_BOOKING_PER_IP = "100000/m"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("BENCH_LOG_LEVEL", default="WARNING")},
}
