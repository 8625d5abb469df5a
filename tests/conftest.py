import os
import uuid

import pytest

from tests import factories

# Fixtures shared across the apps' tests: Stripe at the HTTP boundary (billing, subscriptions,
# moderation, mentors).
pytest_plugins = ["tests.billing.fixtures"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With CI=true nothing may skip: a test that would skip (no PostgreSQL, Redis, Chromium or
    localstripe) fails instead, so a green CI run means every test really ran."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true, where nothing may skip, but this test skipped: {reason}"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Each test gets a private cache, so allauth's rate limits never leak between tests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # LocMemCache keeps its data per process and location, not per settings override: empty it,
    # or one test's cached directory menus would be read by the next.
    from django.core.cache import cache

    cache.clear()
    # Nor may one test's matching catalogue (kept per worker process) be ranked in the next.
    from matching.kept import forget_cached_catalogue

    forget_cached_catalogue()
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture
def user_factory(db):
    return factories.UserFactory


@pytest.fixture
def mentor_factory(db):
    return factories.MentorFactory


@pytest.fixture
def offering_factory(db):
    return factories.OfferingFactory


@pytest.fixture
def booking_factory(db):
    return factories.BookingFactory


@pytest.fixture
def mentee(db):
    return factories.UserFactory(timezone="America/New_York")


@pytest.fixture
def offering(db):
    return factories.OfferingFactory()


@pytest.fixture
def real_worker(settings):
    """A real Celery worker (solo pool, in a thread) on the real Redis broker, on a queue of its
    own so it never takes another test run's tasks. Needs REDIS_URL and a transactional test."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_default_queue = "celery"
