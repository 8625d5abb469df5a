"""A property-based fuzz of every form and every htmx endpoint.

Every route of the URL conf has an entry in the catalogue (tests/routes/catalogue.py; the
authorization matrix checks that none is missing). An entry says who may use the route (the
owner, the mentor, the member…), which fields its form reads (from the form class, so a new
field is fuzzed at once) and, for the forms, one body that is accepted. Hypothesis then sends
bodies built from it: the accepted body with a few fields replaced by hostile values (empty, 10k
characters, NUL, RTL marks, emoji, lone surrogates, numbers out of range, floats for ints,
malformed dates, times in a DST gap, wrong choices, JSON), fields missing, lists for scalars and
extra fields, as a normal POST and as an htmx one, multipart or urlencoded. The htmx GET
endpoints get query strings the same way.

Every route (and allauth's pages) is also read and posted with hostile headers and cookies: the
time-zone cookie, X-Forwarded-For behind 0–2 trusted proxies, htmx's HX-* headers,
Accept-Language, Referer…, oversized, and as bytes that are not UTF-8 (read as latin-1, as a
WSGI server hands them over). Both webhook endpoints get correctly signed bodies of any shape:
200 with exactly one event stored (and then processed whole or failed with nothing else
changed), or 400 with nothing stored.

Two properties hold for every request:

- never a 5xx (an exception fails the test with the input that raised it);
- nothing half-saved: a refused request (4xx, or the form again with its errors) leaves every
  row count and the watched objects as they were; an accepted one leaves a whole change, as
  the entry's invariant says (a booking made has its pre-work, a plan saved its price…).

Each example runs in a savepoint that is rolled back, on the routes' world (tests/routes/world.py,
built once for the module), with bounded, derandomized Hypothesis settings, so CI runs the same
inputs every time.
"""

from __future__ import annotations

import copy
import json
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given
from hypothesis import event as hypothesis_event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing import services as billing_services
from billing.models import WebhookEvent
from tests.routes.access import DEMO, WEBHOOK_SECRETS
from tests.routes.bodies import ENCODINGS, bodies, post, urlencoded
from tests.routes.catalogue import ROUTES
from tests.routes.headers import hostile_requests, send_hostile
from tests.routes.invariants import only
from tests.routes.state import snapshot
from tests.routes.urlconf import text_parameters
from tests.routes.values import ALPHABET, DATES, HOSTILE_TEXT, NUMBERS
from tests.routes.webhooks import EVENT_TYPES, TAMPERED, TOLERANCE, sign, signed_bodies
from tests.routes.world import PASSWORD, World, world_built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staff_need_a_second_factor(settings):
    settings.STAFF_REQUIRE_SECOND_FACTOR = True  # as in production (tests/settings.py turns it off)


FORM_EXAMPLES = 25  # per route with a form
PLAIN_EXAMPLES = 3  # per route that reads nothing from the body
PATH_EXAMPLES = 15  # per route with text in its path
HEADER_EXAMPLES = 8  # per route; FORM_EXAMPLES for the routes that read headers
WEBHOOK_EXAMPLES = 100  # per endpoint


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    with world_built_once(django_db_blocker) as built:
        yield built


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


# --- the fuzz ------------------------------------------------------------------------------------

FUZZ = hypothesis_settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=False,
)
ERRORLIST = re.compile(rb'class="[^"]*errorlist')


@contextmanager
def rolled_back(client: Client):
    """One example: whatever it writes is rolled back, and the client's cookies (its session,
    its pending messages) are as before, so every example starts from the same place."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def _client(world: World, user: str | None) -> Client:
    """A client signed in as the world's `user` (None: signed out)."""
    client = Client()
    if user is not None:
        client.force_login(getattr(world, user))
        # Proved again just now, as allauth asks before a factor changes or the account goes.
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def _refused(response) -> bool:
    """A 4xx, or the form shown again with its errors."""
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and bool(ERRORLIST.search(response.content))


def _describe(method: str, url: str, htmx: bool, body) -> str:
    text = json.dumps(body, ensure_ascii=True)
    return f"{method} {url}{' (htmx)' if htmx else ''} {text[:600]}"


def _check(world, route, before, response, *, what: str, body: dict):
    assert response.status_code < 500, f"{response.status_code} for {what}"
    after = snapshot(world, route.watched)
    if _refused(response):
        changed = before.changed_tables(after)
        assert not changed, f"refused ({response.status_code}) but rows changed in {sorted(changed)}: {what}"
        objects = before.changed_objects(after)
        assert not objects, f"refused ({response.status_code}) but {sorted(objects)} changed: {what}"
    else:
        (route.whole or only())(world, before, after, body)


POST_ROUTES = sorted(ROUTES)


@pytest.mark.parametrize("name", POST_ROUTES)
def test_post_never_fails_and_never_half_saves(world, settings, name):
    route = ROUTES[name]
    for key, value in route.settings_for_fuzz.items():
        setattr(settings, key, value)
    url = route.fuzz_url(name, world)
    client = _client(world, route.user)
    valid = route.valid(world)
    before = snapshot(world, route.watched)  # every example starts here: each is rolled back

    @hypothesis_settings(FUZZ, max_examples=FORM_EXAMPLES if route.fields else PLAIN_EXAMPLES)
    @given(body=bodies(route.fields, valid), htmx=st.booleans(), encoding=st.sampled_from(ENCODINGS))
    def fuzz(body, htmx, encoding):
        headers = {"HX-Request": "true"} if htmx else {}
        with rolled_back(client):
            response = post(client, url, body, encoding, headers)
            what = _describe("POST", url, htmx, body) + f" as {encoding}"
            _check(world, route, before, response, what=what, body=body)

    fuzz()


FORM_ROUTES = sorted(name for name, route in ROUTES.items() if route.fields and not route.no_accepted_body)


@pytest.mark.parametrize("name", FORM_ROUTES)
def test_the_accepted_body_of_each_form_is_accepted(world, settings, name):
    """The mutations start from each entry's accepted body: were it refused, every example
    would be a refusal and the "whole change" invariants would never be exercised."""
    route = ROUTES[name]
    for key, value in route.settings_for_fuzz.items():
        setattr(settings, key, value)
    url = route.fuzz_url(name, world)
    client = _client(world, route.user)
    before = snapshot(world, route.watched)
    body = route.valid(world)
    with rolled_back(client):
        response = client.post(url, body)
        assert not _refused(response), f"{name}: the accepted body was refused ({response.status_code})"
        (route.whole or only())(world, before, snapshot(world, route.watched), body)


GET_ROUTES = sorted(name for name, route in ROUTES.items() if route.get_params)


@pytest.mark.parametrize("name", GET_ROUTES)
def test_htmx_get_never_fails_and_changes_nothing(world, settings, name):
    route = ROUTES[name]
    for key, value in route.settings_for_fuzz.items():
        setattr(settings, key, value)
    url = route.fuzz_url(name, world)
    client = _client(world, route.user)
    params = {"day": [world.day], "slot": [world.slot]} if "day" in route.get_params else {}
    before = snapshot(world, route.watched)

    @hypothesis_settings(FUZZ, max_examples=FORM_EXAMPLES)
    @given(query=bodies(route.get_params, {k: v[0] for k, v in params.items()}), htmx=st.booleans())
    def fuzz(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        with rolled_back(client):
            response = client.get(f"{url}?{urlencoded(query)}", headers=headers)
            what = _describe("GET", url, htmx, query)
            assert response.status_code < 500, f"{response.status_code} for {what}"
            changed = before.changed_tables(snapshot(world, route.watched))
            assert not changed, f"a GET changed rows in {sorted(changed)}: {what}"

    fuzz()


# --- path parameters -----------------------------------------------------------------------------

PATH_VALUES = [v for v in HOSTILE_TEXT + NUMBERS + DATES if v.strip() and "/" not in v and len(v) < 3000]
TEXT_PARAMETERS = {name: params for name, params in text_parameters().items() if name in ROUTES}
TEXT_PATH_ROUTES = sorted(TEXT_PARAMETERS)


def test_routes_with_text_in_their_path_are_known():
    assert TEXT_PATH_ROUTES == [
        "cohorts:calendar_feed",
        "moderation:report",
        "notifications:checkin_done",
        "notifications:checkin_not_yet",
        "openid_connect_callback",  # LinkedIn's provider id (a service not configured: 404)
        "openid_connect_login",
    ]


@pytest.mark.parametrize("name", TEXT_PATH_ROUTES)
def test_text_in_the_path_never_fails_and_changes_nothing(world, name):
    route = ROUTES[name]
    client = _client(world, route.user)
    kwargs = route.kwargs(world)
    parameters = TEXT_PARAMETERS[name]
    before = snapshot(world, route.watched)

    @hypothesis_settings(FUZZ, max_examples=PATH_EXAMPLES)
    @given(
        value=st.sampled_from(PATH_VALUES)
        | st.text(ALPHABET, min_size=1, max_size=30).filter(lambda v: "/" not in v),
        which=st.sampled_from(parameters),
        method=st.sampled_from(["get", "post"]),
    )
    def fuzz(value, which, method):
        url = reverse(name, kwargs={**kwargs, which: value})
        with rolled_back(client):
            response = getattr(client, method)(url)
            what = f"{method.upper()} {url}"
            assert response.status_code < 500, f"{response.status_code} for {what}"
            assert not before.changed_tables(snapshot(world, route.watched)), what

    fuzz()


# --- the pages' own forms: every field they post is fuzzed ----------------------------------


class _PostedFields(HTMLParser):
    """The field names each form of a page posts, and the values of its htmx `hx-post`s, by the
    URL they post to."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.form_action: str | None = None
        self.posted: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.form_action = attrs.get("action") or self.page_url
            self.posted.setdefault(self.form_action, set())
        elif tag == "form":
            self.form_action = None
        if tag in ("input", "select", "textarea", "button") and attrs.get("name") and self.form_action:
            self.posted[self.form_action].add(attrs["name"])
        if attrs.get("hx-post"):
            names = self.posted.setdefault(attrs["hx-post"], set())
            if attrs.get("name"):
                names.add(attrs["name"])
            if (attrs.get("hx-vals") or "").startswith("{"):
                names |= set(json.loads(attrs["hx-vals"]))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_action = None


# Pages that hold forms posting elsewhere (a booking page posts to cancel, prework, close…),
# seen by the people who get those forms.
FORM_PAGES = [
    ("mentee", lambda w: reverse("sessions:booking", args=[w.booking.pk])),
    ("mentor", lambda w: reverse("sessions:booking", args=[w.booking.pk])),
    ("mentee", lambda w: reverse("sessions:booking", args=[w.done.pk])),
    ("mentor", lambda w: reverse("sessions:booking", args=[w.done.pk])),
    ("mentee", lambda w: reverse("sessions:booking", args=[w.unreviewed.pk])),
    ("mentor", lambda w: reverse("sessions:booking", args=[w.ended.pk])),
    ("other_mentee", lambda w: reverse("sessions:offering", args=[w.offering.slug]) + w.picked),
    ("other_mentee", lambda w: reverse("cohorts:detail", args=[w.open_cohort.slug])),
    ("mentee", lambda w: reverse("cohorts:detail", args=[w.cohort.slug])),
    ("mentee", lambda w: reverse("cohorts:space", args=[w.cohort.slug])),
    ("mentee", lambda w: reverse("cohorts:module", args=[w.cohort.slug, 1])),
    ("mentor", lambda w: reverse("cohorts:roster", args=[w.cohort.slug])),
    ("mentor", lambda w: reverse("cohorts:manage", args=[w.cohort.slug])),
    ("mentee", lambda w: reverse("subscriptions:detail", args=[w.subscription.pk])),
    ("mentee", lambda w: reverse("dashboard:home")),
    ("mentor", lambda w: reverse("mentors:offerings")),
    ("mentor", lambda w: reverse("subscriptions:mentor_plans")),
]
NOT_FORM_FIELDS = {"csrfmiddlewaretoken"}


def test_every_field_a_page_posts_is_fuzzed(world, settings):
    """The catalogue reads its field names from the form classes; this reads the pages, so a
    field added to a template (or a form the entry does not name) fails here with its route."""
    settings.DEBUG, settings.BILLING_PROVIDER = DEMO["DEBUG"], DEMO["BILLING_PROVIDER"]
    pages = [(r.user, lambda w, n=n, r=r: r.fuzz_url(n, w)) for n, r in ROUTES.items() if r.user]
    missing = {}
    for user, url in pages + FORM_PAGES:
        client = _client(world, user)
        page_url = url(world)
        response = client.get(page_url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _PostedFields(page_url)
        parser.feed(response.content.decode())
        for action, names in parser.posted.items():
            try:
                name = resolve(urlsplit(action).path).view_name
            except Resolver404:
                continue
            route = ROUTES.get(name)
            if route is None:
                continue  # allauth's logout, the admin
            unknown = names - set(route.fields) - set(route.valid(world)) - NOT_FORM_FIELDS
            if unknown:
                missing.setdefault(name, set()).update(unknown)
    assert not missing, f"fields posted by the pages that no entry fuzzes: {missing}"


# --- headers and cookies -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_headers_and_cookies_never_fail_and_never_half_save(world, settings, name):
    """Every route, read (GET) or sent its accepted body (POST), with hostile headers and cookies:
    never a 5xx; a GET changes nothing, a POST is refused whole or accepted whole."""
    route = ROUTES[name]
    for key, value in route.settings_for_fuzz.items():
        setattr(settings, key, value)
    url = route.fuzz_url(name, world)
    client = _client(world, route.user)
    valid = route.valid(world)
    before = snapshot(world, route.watched)
    examples = HEADER_EXAMPLES if route.reads_headers is None else FORM_EXAMPLES

    signed_out = Client()

    @hypothesis_settings(FUZZ, max_examples=examples)
    @given(
        sent=hostile_requests(always=route.reads_headers or ()),
        method=st.sampled_from(["get", "post", "get signed out"]),
    )
    def fuzz(sent, method):
        settings.TRUSTED_PROXY_COUNT = sent["proxies"]
        cache.clear()  # the rate limits' counters: each example starts below them
        with rolled_back(client):
            if method == "get signed out":
                response = send_hostile(signed_out, "get", url, valid, sent)
            else:
                response = send_hostile(client, method, url, valid, sent)
            what = f"{method.upper()} {url} {json.dumps(sent, ensure_ascii=True)[:800]}"
            if method == "post":
                _check(world, route, before, response, what=what, body=valid)
            else:
                assert response.status_code < 500, f"{response.status_code} for {what}"
                changed = before.changed_tables(snapshot(world, route.watched))
                assert not changed, f"a GET changed rows in {sorted(changed)}: {what}"

    fuzz()


# allauth's pages are outside the catalogue (they are allauth's); logging in reads the client's
# address for its own limits, and the sign-up form is filled with the browser's zone.
ALLAUTH_PAGES = {
    "account_login": {"login": "nobody@example.com", "password": "wrong"},
    "account_signup": {},
    "account_reset_password": {"email": "nobody@example.com"},
}


@pytest.mark.parametrize("name", sorted(ALLAUTH_PAGES))
def test_hostile_headers_on_allauth_pages_never_fail(world, settings, name):
    url = reverse(name)
    client = Client()
    before = snapshot(world, ())

    @hypothesis_settings(FUZZ, max_examples=FORM_EXAMPLES)
    @given(sent=hostile_requests(), method=st.sampled_from(["get", "post"]))
    def fuzz(sent, method):
        settings.TRUSTED_PROXY_COUNT = sent["proxies"]
        cache.clear()
        with rolled_back(client):
            response = send_hostile(client, method, url, ALLAUTH_PAGES[name], sent)
            what = f"{method.upper()} {url} {json.dumps(sent, ensure_ascii=True)[:800]}"
            assert response.status_code < 500, f"{response.status_code} for {what}"
            changed = before.changed_tables(snapshot(world, ()))
            assert not changed, f"rows changed in {sorted(changed)}: {what}"

    fuzz()


# --- signed webhook bodies -----------------------------------------------------------------------

WEBHOOK_ENDPOINTS = {
    "billing:stripe_webhook": WebhookEvent.Endpoint.PLATFORM,
    "billing:connect_webhook": WebhookEvent.Endpoint.CONNECT,
}


@pytest.mark.parametrize("name", sorted(WEBHOOK_ENDPOINTS))
def test_signed_webhook_bodies_are_stored_whole_once_or_refused(world, settings, name):
    """Correctly signed bodies of any shape: 200 with exactly one event stored (the body as it
    came), or 400 with nothing stored; never a 5xx. The stored event is then processed: applied,
    or failed with nothing changed but the event's own row. A signature spoilt in one place, or
    too far from now, is always refused."""
    for key, value in WEBHOOK_SECRETS.items():
        setattr(settings, key, value)
    url = reverse(name)
    secret = WEBHOOK_SECRETS["STRIPE_WEBHOOK_SECRET"]
    client = Client()
    before = snapshot(world, ())

    @hypothesis_settings(FUZZ, max_examples=WEBHOOK_EXAMPLES)
    @given(
        signed=signed_bodies(world),
        twice=st.booleans(),
        tampered=st.sampled_from(["none"] * 6 + sorted(set(TAMPERED) - {"none"})),
    )
    def fuzz(signed, twice, tampered):
        body, skew = signed
        what = f"POST {url} signed {skew:+d}s, signature {tampered}: {body[:600]!r}"
        with rolled_back(client):
            for _ in range(2 if twice else 1):
                signature = TAMPERED[tampered](sign(body, secret, skew))
                response = client.post(
                    url, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
                )
                assert response.status_code in (200, 400), f"{response.status_code} for {what}"
            after = snapshot(world, ())
            hypothesis_event(f"answered {response.status_code}")
            if response.status_code == 400:
                assert not before.changed_tables(after), f"refused but stored: {what}"
                return
            assert abs(skew) <= TOLERANCE, f"accepted a timestamp {skew:+d}s away: {what}"
            assert tampered == "none", f"accepted a spoilt signature: {what}"
            assert before.changed_tables(after) == {"billing_webhookevent"}, what
            assert before.grew(after, WebhookEvent) == 1, what
            event = WebhookEvent.objects.order_by("-pk").first()
            sent = json.loads(body)
            assert (event.stripe_event_id, event.type, event.payload) == (sent["id"], sent["type"], sent), (
                what
            )
            assert event.endpoint == WEBHOOK_ENDPOINTS[name]
            event = billing_services.event_process(event_id=event.pk)
            hypothesis_event(f"{event.type in EVENT_TYPES and 'known' or 'unknown'} type, {event.state}")
            assert event.state in (WebhookEvent.State.PROCESSED, WebhookEvent.State.FAILED), what
            if event.state == WebhookEvent.State.FAILED:
                changed = before.changed_tables(snapshot(world, ()))
                assert changed == {"billing_webhookevent"}, f"failed half-way ({event.last_error}): {what}"

    fuzz()
