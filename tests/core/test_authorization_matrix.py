"""Who may open and change what, for every URL of the product.

The routes come from the catalogue (tests/routes/catalogue.py), keyed by route name; the first
test compares it with the URL conf, so a new URL without an entry fails here with its name. Each
entry builds its URL from one small world (tests/routes/world.py) and says what each role gets.
Other people's objects answer 404, never 403, so their existence stays hidden; staff read
bookings, threads, subscriptions and cohort spaces (the product says so), but change nothing
there: the services refuse them (back to the page with a message, 302, or the form again, 400).
A refused request changes nothing: each object-changing entry names what it watches, and the
watch must read the same before and after for every role but the ones allowed to change it.

The world is built once for the module and each test runs in a savepoint that is rolled back,
which keeps a thousand requests to about a minute.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from billing.models import Payment, Refund, WebhookEvent
from notifications.models import Notification
from notifications.tokens import checkin_token_make
from sessions.models import Booking
from tests.routes.access import LOGIN, ROLES, codes, user_for
from tests.routes.catalogue import ROUTES
from tests.routes.state import fresh
from tests.routes.urlconf import named_routes
from tests.routes.world import World, world_built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staff_need_a_second_factor(settings):
    settings.STAFF_REQUIRE_SECOND_FACTOR = True  # as in production (tests/settings.py turns it off)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    with world_built_once(django_db_blocker) as built:
        yield built


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


# --- the tests -------------------------------------------------------------------------------


def test_every_route_has_an_entry_in_the_table():
    routes = named_routes()
    assert not routes - set(ROUTES), f"routes without an entry in ROUTES: {sorted(routes - set(ROUTES))}"
    assert not set(ROUTES) - routes, (
        f"entries for routes that no longer exist: {sorted(set(ROUTES) - routes)}"
    )


def _check(response, expected, *, what: str):
    if expected == LOGIN:
        assert response.status_code == 302, f"{what}: {response.status_code}, expected a login redirect"
        assert response["Location"].startswith(reverse("account_login")), f"{what}: {response['Location']}"
        return
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, f"{what}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("account_login")), f"{what}: sent to log in"


CASES = [(name, role) for name in sorted(ROUTES) for role in ROLES]
POST_CASES = [(name, role) for name, role in CASES if ROUTES[name].post is not None]


def _request(client, settings, world, name, role, method):
    route = ROUTES[name]
    for key, value in route.settings.items():
        setattr(settings, key, value)
    user = user_for(world, route.side, role)
    if user is not None:
        client.force_login(user)
    url = route.url(name, world)
    before = route.watch(world) if route.watch else None
    # A body that says nothing: forms are bound (and invalid), so the POST branch is what runs.
    response = client.get(url) if method == "get" else client.post(url, {"matrix": "1"})
    if route.watch and role not in route.may_change:
        assert route.watch(world) == before, f"{method.upper()} {url} as {role} changed what it must not"
    return response, url


@pytest.mark.parametrize("name, role", CASES)
def test_get(client, settings, world, name, role):
    response, url = _request(client, settings, world, name, role, "get")
    _check(response, ROUTES[name].get[role], what=f"GET {url} as {role}")


@pytest.mark.parametrize("name, role", POST_CASES)
def test_post(client, settings, world, name, role):
    response, url = _request(client, settings, world, name, role, "post")
    _check(response, ROUTES[name].post[role], what=f"POST {url} as {role}")


# --- no GET changes anything -----------------------------------------------------------------

# What a GET may write: the visitor's session, and which messages of a thread they have read
# (their own reading position, the way every mail client marks a message read on opening it).
# Everything else a page once wrote on a GET is now a POST (the results a page showed), a signed
# one-click link (back from a checkout, a click on a result) or a confirming form.
GET_MAY_WRITE = {"django_session", "qa_threadreader"}


def database_contents() -> dict[str, list]:
    """Every row of every table but those a GET may write, in a comparable form."""
    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    } - GET_MAY_WRITE
    with connection.cursor() as cursor:
        contents = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our names
            contents[table] = sorted(map(repr, cursor.fetchall()))
    return contents


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_get_changes_anything(client, settings, world, name):
    """Every page, opened by each of its two people, leaves the database as it was."""
    route = ROUTES[name]
    for key, value in route.settings.items():
        setattr(settings, key, value)
    url = route.url(name, world)
    for role in ("owner", "counterpart"):
        user = user_for(world, route.side, role)
        client.force_login(user)
        before = database_contents()
        client.get(url)
        after = database_contents()
        changed = sorted(t for t in before if before[t] != after[t])
        assert not changed, f"GET {url} as {role} wrote to {changed}"


# --- the keys in the links: forged or someone else's open nothing ----------------------------


def test_a_calendar_feed_with_a_wrong_or_revoked_token_is_a_404(client, world):
    assert client.get(reverse("cohorts:calendar_feed", args=["not-the-token"])).status_code == 404
    old = world.feed.token
    client.force_login(world.mentee)
    client.post(reverse("cohorts:calendar_regenerate"))
    assert client.get(reverse("cohorts:calendar_feed", args=[old])).status_code == 404


@pytest.mark.parametrize("answer", ["checkin_done", "checkin_not_yet"])
def test_a_forged_checkin_link_is_refused_and_changes_nothing(client, world, answer):
    forged = world.checkin_token[:-2] + ("AA" if not world.checkin_token.endswith("AA") else "BB")
    # Signed by us, but naming the item together with someone who is not its mentee.
    not_theirs = checkin_token_make(action_item_id=world.item.pk, user_id=world.other_mentee.pk)
    client.force_login(world.other_mentee)
    for token, status in ((forged, 400), (not_theirs, 404)):
        url = reverse(f"notifications:{answer}", args=[token])
        assert (client.get(url).status_code, client.post(url).status_code) == (status, status)
    assert fresh(world.item, "done_at") == (None,)
    assert not Notification.objects.filter(answered_at__isnull=False).exists()


# --- the Django admin ------------------------------------------------------------------------

ADMIN_PAGES = {
    "booking": lambda w: reverse("admin:mentoring_booking_change", args=[w.booking.pk]),
    "payment": lambda w: reverse("admin:billing_payment_change", args=[w.payment.pk]),
    "thread": lambda w: reverse("admin:qa_thread_change", args=[w.thread.pk]),
    "report": lambda w: reverse("admin:moderation_report_change", args=[w.report.pk]),
}
# Everyone who is not staff is sent to the admin's own login page; staff read.
ADMIN_CODES = codes(LOGIN, moderator=200, superuser=200)


@pytest.mark.parametrize("row, role", [(row, role) for row in ADMIN_PAGES for role in ROLES])
def test_admin_change_pages_of_private_rows(client, world, row, role):
    user = user_for(world, "mentee", role)
    if user is not None:
        client.force_login(user)
    url = ADMIN_PAGES[row](world)
    response = client.get(url)
    expected = ADMIN_CODES[role]
    if expected == LOGIN:
        assert response.status_code == 302, f"GET {url} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    else:
        assert response.status_code == expected, f"GET {url} as {role}: {response.status_code}"


MONEY_ROWS = {
    "add a payment": lambda w: (reverse("admin:billing_payment_add"), lambda: Payment.objects.count()),
    "delete a payment": lambda w: (
        reverse("admin:billing_payment_delete", args=[w.payment.pk]),
        lambda: Payment.objects.count(),
    ),
    "add a refund": lambda w: (reverse("admin:billing_refund_add"), lambda: Refund.objects.count()),
    "add a booking": lambda w: (reverse("admin:mentoring_booking_add"), lambda: Booking.objects.count()),
    "add a webhook event": lambda w: (
        reverse("admin:billing_webhookevent_add"),
        lambda: WebhookEvent.objects.count(),
    ),
}


@pytest.mark.parametrize("action", MONEY_ROWS)
@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_no_one_adds_or_deletes_money_rows_in_the_admin(client, world, action, role):
    url, count = MONEY_ROWS[action](world)
    client.force_login(getattr(world, role))
    before = count()
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert count() == before
