"""The embedded default's cache (core.cache.AtomicDatabaseCache, used without REDIS_URL) counts
rate limits exactly, however many processes count at once, and otherwise behaves as Django's
DatabaseCache: Django's value encoding, expiry, ValueError for a missing key."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from tests.core.helpers import settings_in_a_fresh_process

TABLE = "test_atomic_cache"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def cache(settings, django_db_blocker):
    """The default cache as the embedded default has it, in a table of the test's own."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.AtomicDatabaseCache", "LOCATION": TABLE}}
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
    yield caches["default"]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(TABLE)}")


@pytest.mark.django_db
def test_counts_up_and_down_in_values_django_reads_and_writes(cache):
    cache.set("attempts", 5)
    assert cache.incr("attempts") == 6
    assert cache.incr("attempts", 10) == 16
    assert cache.decr("attempts", 4) == 12
    assert async_to_sync(cache.aincr)("attempts") == 13
    assert async_to_sync(cache.adecr)("attempts", 3) == 10
    assert cache.get("attempts") == 10
    assert cache.get_many(["attempts"]) == {"attempts": 10}


@pytest.mark.django_db
def test_counting_a_key_that_is_not_there_raises_value_error_and_creates_nothing(cache):
    with pytest.raises(ValueError, match="Key 'nobody' not found"):
        cache.incr("nobody")
    with pytest.raises(ValueError):
        cache.decr("nobody")
    assert "nobody" not in cache
    assert cache.add("nobody", 1, timeout=60) is True  # django-ratelimit's first request


@pytest.mark.django_db
def test_a_counter_expires_when_it_was_added_to_however_often_it_is_counted(cache):
    with time_machine.travel(NOW, tick=False) as clock:
        assert cache.add("window", 1, timeout=60)
        clock.shift(timedelta(seconds=30))
        assert cache.incr("window") == 2
        clock.shift(timedelta(seconds=29))
        assert cache.get("window") == 2
        clock.shift(timedelta(seconds=2))  # 61 s after it was added

        with pytest.raises(ValueError):
            cache.incr("window")
        assert cache.get("window") is None
        assert cache.add("window", 1, timeout=60)  # the next window starts from one
        assert cache.incr("window") == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_connections_counting_one_key_at_once_lose_no_count(cache):
    """Eight threads, each with a PostgreSQL connection of its own as a web process has, count one
    key 50 times each, all released together: the counter ends at exactly 400."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    workers, increments = 8, 50
    assert cache.add("booking:user-1", 0, timeout=600)
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def count() -> None:
        try:
            barrier.wait(timeout=60)
            for _ in range(increments):
                caches["default"].incr("booking:user-1")
        except Exception as error:  # noqa: BLE001 - asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count, name=f"counter-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a counting thread hung"

    assert errors == []
    assert cache.get("booking:user-1") == workers * increments


def test_the_embedded_default_counts_in_a_cache_django_ratelimit_accepts_as_atomic():
    """Without REDIS_URL the default cache is the atomic database cache, and django-ratelimit's
    E003 ("does not support atomic increment") has nothing to refuse: it is not silenced either."""
    embedded = settings_in_a_fresh_process(
        "django.setup(); from django.conf import settings; from django_ratelimit.checks import check_caches; "
        "print(settings.CACHES['default']['BACKEND']); "
        "print([m.id for m in check_caches(None) if m.is_serious()]); "
        "print([c for c in settings.SILENCED_SYSTEM_CHECKS if c.startswith('django_ratelimit.E')])",
        DEBUG="1",
        REDIS_URL="",
    )
    assert embedded.stdout.split("\n")[:3] == ["core.cache.AtomicDatabaseCache", "[]", "[]"], embedded.stderr
