"""Admin list pages on the benchmark data set: median time and SQL queries of each changelist.

    .venv/bin/python bench/admin_lists.py              # seeds the benchmark database first if needed
    .venv/bin/python bench/admin_lists.py --runs 9     # more timed requests per page

For every model admin registered on admin.site, as a superuser, in-process with Django's test
client (no gunicorn): the first page, a search and a filter. The search term is the e-mail
address of the mentee with the most bookings when the admin searches e-mail addresses, else
"design"; the filter is the first choice of the admin's first list filter. Each page is asked
once to warm up, then --runs times; the table shows the median in ms and the queries of one
request. A measurement, not a test: it asserts nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.run import ensure_database  # noqa: E402

ADMIN_EMAIL = "admin@bench.example"


def prepare() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    from bench import seed

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the admin's hashed static names
    if not seed.ensure_seeded(log=print):
        print("  already seeded at this size")


def measure(client, url: str, params: dict, runs: int) -> tuple[float, int, int]:
    """Median ms over `runs` requests after one warm-up, the queries of one request, its status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url, params).status_code
    return statistics.median(times), len(captured), status


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (after one warm-up)")
    args = parser.parse_args()
    prepare()

    from django.conf import settings
    from django.contrib import admin
    from django.db.models import Count
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from accounts.models import User
    from sessions.models import Booking

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    staff, _ = User.objects.get_or_create(
        email=ADMIN_EMAIL, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    busiest = (
        Booking.objects.values("mentee__email").annotate(n=Count("pk")).order_by("-n").first() or {}
    ).get("mentee__email", "nobody@bench.example")

    print(f"\nload average {os.getloadavg()[0]:.1f}; median of {args.runs} requests, ms (queries)\n")
    print("| admin | rows | first page | search | filter |\n|---|--:|--:|--:|--:|")
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        request = RequestFactory().get(url)
        request.user = staff
        changelist = model_admin.get_changelist_instance(request)
        search_fields = model_admin.get_search_fields(request)
        term = busiest if any("email" in field for field in search_fields) else "design"
        choices = list(changelist.filter_specs[0].choices(changelist))[1:2] if changelist.filter_specs else []
        pages = [
            (url, {}),
            (url, {"q": term}) if search_fields else None,
            (url + choices[0]["query_string"], {}) if choices else None,
        ]
        cells = []
        for page in pages:
            if page is None:
                cells.append("–")
                continue
            ms, queries, status = measure(client, *page, args.runs)
            cells.append(f"{ms:.0f} ({queries})" + ("" if status == 200 else f" HTTP {status}"))
        rows = model._default_manager.count()
        print(f"| {type(model_admin).__name__} | {rows:,} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
