"""Admin list pages on the benchmark data set: median time and SQL queries of each changelist.

    .venv/bin/python bench/admin_lists.py              # seeds the benchmark database first if needed
    .venv/bin/python bench/admin_lists.py --runs 9     # more timed requests per page

bench/seed.py makes no money or outbox rows, so the first run adds them (once per seed, about
half a minute): a payment and its checkout's webhook event for every paid booking, a transfer
for every completed one, a refund where the mentor cancelled or did not show up, and two
"starting soon" reminders per booking. Then, for every model admin registered on admin.site,
as a superuser, in-process with Django's test client (no gunicorn): the first page, a search
and a filter. The search term is the e-mail
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
REFUNDED = ("cancelled_by_mentor", "no_show_mentor")  # booking states whose payment was refunded


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
    if seed.marker("money_rows") is None:
        started = time.perf_counter()
        add_money_rows()
        print(f"  money and outbox rows added in {time.perf_counter() - started:.1f} s")


def add_money_rows() -> None:
    """Model instances written as they are by demo/world.py's rows_insert (COPY): every column the
    models have gets its value or its default, so a field added later cannot be left NULL."""
    import uuid
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from bench import seed
    from billing.models import Payment, Refund, Transfer, WebhookEvent
    from billing.services import platform_fee
    from demo.world import rows_insert
    from notifications.models import Notification
    from sessions.models import Booking

    State, now = Booking.State, timezone.now()
    bookings = list(
        Booking.objects.order_by("created_at").values_list(
            "id", "mentor_id", "price_amount", "currency", "state", "starts_at", "created_at"
        )
    )
    paid = [b for b in bookings if b[2] and b[4] not in (State.HELD, State.EXPIRED)]
    payments = {
        b[0]: Payment(
            id=uuid.uuid4(),
            booking_id=b[0],
            provider="demo",
            amount=b[2],
            currency=b[3],
            platform_fee=platform_fee(b[2]),
            amount_refunded=b[2] if b[4] in REFUNDED else 0,
            state="paid",
            paid_at=b[6],
            created_at=b[6],
        )
        for b in paid
    }
    for payment in payments.values():
        payment.checkout_session_id = f"cs_demo_{payment.id.hex}"
    with transaction.atomic():
        rows_insert(list(payments.values()))
        rows_insert(
            [
                WebhookEvent(
                    stripe_event_id=f"evt_demo_{p.id.hex}",
                    type="checkout.session.completed",
                    endpoint="demo",
                    payload={"data": {"object": {"id": p.checkout_session_id, "metadata": {}}}},
                    state="processed",
                    attempts=1,
                    received_at=p.created_at,
                    processed_at=p.created_at,
                )
                for p in payments.values()
            ]
        )
        rows_insert(
            [
                Transfer(
                    payment=payments[b[0]],
                    amount=b[2] - platform_fee(b[2]),
                    currency=b[3],
                    destination=f"acct_demo_{b[1]}",
                    stripe_transfer_id=f"tr_demo_{n}",
                    state="paid",
                    created_at=b[5] + timedelta(hours=2),
                )
                for n, b in enumerate(b for b in paid if b[4] == State.COMPLETED)
            ]
        )
        rows_insert(
            [
                Refund(
                    payment=payments[b[0]],
                    key=f"booking-{b[0]}-policy",
                    amount=b[2],
                    currency=b[3],
                    reason="The mentor cancelled.",
                    stripe_refund_id=f"re_demo_{n}",
                    state="succeeded",
                    created_at=b[5],
                )
                for n, b in enumerate(b for b in paid if b[4] in REFUNDED)
            ]
        )
        rows_insert(
            [
                Notification(
                    booking_id=b[0],
                    kind=kind,
                    due_at=b[5] - timedelta(minutes=15),
                    state="sent" if b[5] < now else "pending",
                    created_at=b[6],
                    sent_at=b[5] - timedelta(minutes=15) if b[5] < now else None,
                )
                for b in bookings
                for kind in ("starting_soon_mentee", "starting_soon_mentor")
            ]
        )
        seed.set_marker("money_rows", "1")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


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
