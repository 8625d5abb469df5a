"""Benchmark-only tasks (a worker imports them with `--include bench.tasks`): the broker's baseline."""

from functools import cache

import redis
from celery import shared_task
from django.conf import settings


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task
def noop(counter: str) -> None:
    """Nothing but one INCR, so the benchmark can tell when all have run."""
    _redis().incr(counter)


@shared_task
def fanout(counter: str, n: int) -> None:
    """Queue n no-op tasks from inside the worker, as the reminder dispatcher queues its sends."""
    for _ in range(n):
        noop.delay(counter)
