"""The catalogue a worker process keeps between one mentee's refreshes
(docs/design/matching.md): reused while the data it is built from has not changed, and never
older than CATALOGUE_MAX_AGE."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from cohorts.selectors import listed_cohorts
from mentors.models import MentorProfile
from sessions.models import Offering
from subscriptions.models import Plan

from .selectors import Catalogue, catalogue, exchange_rates

# A worker keeps the catalogue it built for this long at most, and less when the data version
# (`catalogue_version`) says something was published, unpublished or repriced.
CATALOGUE_MAX_AGE = 60.0  # seconds


def catalogue_version() -> tuple:
    """What the catalogue is built from, cheaply: for the published offerings and plans and the
    listed cohorts of approved facilitators, how many, the sum of their ids and of their prices; the
    approved mentors' count and id sum. Publishing, unpublishing, repricing, approving or
    suspending changes it. One query (four aggregates side by side)."""
    approved = MentorProfile.Status.APPROVED
    parts = [
        Offering.objects.filter(is_published=True),  # whatever the mentor's status: the
        Plan.objects.filter(is_published=True),  # approved mentors' own figures cover that
        listed_cohorts(now=timezone.now()).filter(facilitator__status=approved),
    ]
    selects, params = [], []
    for n, rows in enumerate(parts):
        sql, found = rows.order_by().values(v_id=F("pk"), v_price=F("price_amount")).query.sql_with_params()
        selects.append(f"(SELECT COUNT(*), SUM(t.v_id), SUM(t.v_price) FROM ({sql}) t) p{n}")
        params += found
    sql, found = (
        MentorProfile.objects.filter(status=approved).order_by().values(v_id=F("pk")).query.sql_with_params()
    )
    selects.append(f"(SELECT COUNT(*), SUM(t.v_id) FROM ({sql}) t) m")
    params += found
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + ", ".join(selects), params)
        return tuple(cursor.fetchone())


_cached: tuple[tuple, float, Catalogue] | None = None
_cache_lock = threading.Lock()


def cached_catalogue(*, now: datetime | None = None) -> Catalogue:
    """The catalogue this process built last, while its data version is unchanged and it is at
    most CATALOGUE_MAX_AGE old; else a new one. Its `now` is when it was built: pass the
    moment of the refresh to `candidates_for`. The exchange rates are read anew (one query)."""
    global _cached
    version = catalogue_version()
    with _cache_lock:
        found = _cached
        fresh = found and found[0] == version and time.monotonic() - found[1] <= CATALOGUE_MAX_AGE
    if fresh:
        return replace(found[2], rates=exchange_rates())  # a new day's rates count at once
    built = catalogue(now=now)
    with _cache_lock:
        _cached = (version, time.monotonic(), built)
    return built


def forget_cached_catalogue() -> None:
    global _cached
    with _cache_lock:
        _cached = None
