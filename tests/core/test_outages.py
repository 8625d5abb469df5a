"""Redis down: a committed booking still answers its redirect, and the directory still renders.

Found by bench/faults.py redis: with the broker unreachable, `delay_on_commit` raised after the
booking had committed (HTTP 500 for a saved booking), and the directory's cached menus raised on
the cache read.
"""

import logging
import socket

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from core.models import OutboxTask
from sessions.models import Booking
from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@time_machine.travel(NOW, tick=False)
def test_a_booking_committed_while_the_broker_is_down_still_redirects(
    client, offering, mentee, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from sessions import tasks

    monkeypatch.setattr(tasks.send_booking_confirmed, "delay", broker_down)
    monkeypatch.setattr(tasks.refresh_free_slots, "delay", broker_down)
    client.force_login(mentee)
    with caplog.at_level(logging.ERROR, logger="core.outbox"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == f"{booking.get_absolute_url()}?confirmed=1"
    assert booking.state == Booking.State.CONFIRMED
    assert callbacks  # every callback ran (the booking's tasks are queued by one), none raised
    assert "sessions.tasks.send_booking_confirmed kept in the outbox" in caplog.text
    assert "mentors.tasks.refresh_free_slots kept in the outbox" in caplog.text
    assert booking.notifications.filter(state="pending").exists()  # reminders wait in the outbox
    # The confirmation e-mail waits too, and goes once the broker is back (tests/core/test_outbox.py).
    assert OutboxTask.objects.filter(task="sessions.tasks.send_booking_confirmed").count() == 1


@pytest.fixture
def redis_unreachable(settings):
    """The production cache (core.cache.ForgivingRedisCache) on a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ForgivingRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }


def test_with_redis_unreachable_people_log_in_browse_and_book(
    client, offering, mentee, redis_unreachable, caplog
):
    """Found by bench/faults.py redis: with Redis down, the booking POST (its rate-limit counters)
    and the directory (its cached menus) answered 500, and so did logging in (allauth counts its
    limits in the cache). The cache now reads as empty instead (core.cache.ForgivingRedisCache)."""
    with caplog.at_level(logging.ERROR, logger="core.cache"):
        response = client.post(
            reverse("account_login"), {"login": mentee.email, "password": "correct horse battery"}
        )
        assert response.status_code == 302 and not response["Location"].startswith("/accounts/login")
        assert client.get("/mentors/", {"q": "design"}).status_code == 200
        with time_machine.travel(NOW, tick=False):
            response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    confirmation = f"{Booking.objects.get().get_absolute_url()}?confirmed=1"
    assert response.status_code == 302 and response.url == confirmation
    assert "cache unreachable" in caplog.text
    assert client.post(reverse("account_logout")).status_code == 302


def test_an_unreachable_cache_holds_nothing_and_keeps_nothing(redis_unreachable):
    from django.core.cache import cache

    assert cache.add("lock", True) is True  # a lock taken with it is taken: the request goes on
    cache.set("menu", [1, 2])
    assert cache.get("menu") is None and cache.get("menu", []) == []
    assert cache.get_many(["menu"]) == {}
    with pytest.raises(RedisConnectionError):
        cache.incr("counter")  # a counter that cannot count is the caller's to judge
