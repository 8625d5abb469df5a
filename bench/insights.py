"""The staff insight page on the benchmark data: time and SQL queries, with a cold cache.

    .venv/bin/python bench/insights.py        # after bench/run.py (or --seed-only) has seeded

Renders the page in-process (Django's RequestFactory, no gunicorn) as a staff member — the first
user, made staff in memory only, nothing is written — three times with the figure cache emptied
before each run, then times each figure's selector alone. The query count is the same whatever
the data's size (tests/dashboard/test_outcomes.py asserts it); this prints what it costs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thementors_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dashboard import insights, views  # noqa: E402
from sessions.models import ActionItem, Booking  # noqa: E402


def main() -> None:
    staff = get_user_model().objects.order_by("pk").first()
    staff.is_staff = True  # in memory only
    print(f"bookings {Booking.objects.count():,}, action items {ActionItem.objects.count():,}")
    for run in range(1, 4):
        cache.clear()
        request = RequestFactory().get("/dashboard/insights/")
        request.user = staff
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = views.insights(request)
            elapsed = time.perf_counter() - started
        print(f"run {run}: {response.status_code} in {elapsed * 1000:,.0f} ms, {len(queries)} queries")
    print("figure                 ms  queries")
    for key, figure in insights.FIGURES.items():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            figure.selector()
            elapsed = time.perf_counter() - started
        print(f"{key:20} {elapsed * 1000:6,.0f}  {len(queries):3}")


if __name__ == "__main__":
    main()
