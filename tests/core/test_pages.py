import os

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_cache_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] == "ok"
    assert response.status_code == 200 and body["status"] == "ok"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")
def test_healthz_uses_the_real_redis_cache_and_broker(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    from config.celery import app

    assert app.conf.broker_url.startswith("redis://")
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "outbox": "ok"}


def test_healthz_says_when_the_broker_is_down(client):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_says_when_tasks_have_waited_in_the_outbox_too_long(client):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import OutboxTask

    OutboxTask.objects.create(task="sessions.tasks.send_booking_confirmed", args=["fresh"])
    assert client.get("/healthz").json()["outbox"] == "ok"  # queued any moment now
    stuck = OutboxTask.objects.create(task="sessions.tasks.send_booking_confirmed", args=["old"])
    OutboxTask.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"].startswith("error: 1 task waiting since")


def test_unknown_pages_get_the_product_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_has_navigation_and_search(client):
    html = client.get("/").content.decode()
    assert 'href="/mentors/"' in html and 'name="q"' in html and "Sign up" in html
