"""Issue 9: a property-based fuzz of every form and every htmx endpoint.

Every route of the URL conf has a recipe here (the first test compares them, so a new route
fails with its name until it has one). A recipe says who may use the route (the owner, the
mentor, the member…), which fields its form reads (from the form class, so a new field is
fuzzed at once) and, for the forms, one body that is accepted. Hypothesis then sends bodies
built from it: the accepted body with a few fields replaced by hostile values (empty, 10k
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
  the recipe's invariant says (a booking made has its pre-work, a plan saved its price…).

Each example runs in a savepoint that is rolled back, on the matrix's world (built once for the
module), with bounded, derandomized Hypothesis settings, so CI runs the same inputs every time.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import StringConverter
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import event as hypothesis_event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.forms import DeleteAccountForm, SettingsForm
from billing import services as billing_services
from billing.models import WebhookEvent
from cohorts.forms import (
    AttendanceForm,
    CancelCohortForm,
    CohortFilterForm,
    CohortForm,
    CompletionForm,
    EnrollForm,
    EventForm,
    EventSeriesForm,
    MessageForm,
    ModuleForm,
    NotesForm,
    PeerReviewForm,
    SubmissionForm,
)
from cohorts.models import (
    Attendance,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    Module,
    Submission,
)
from discover.forms import DirectoryForm
from matching.forms import IntakeForm
from mentors.forms import (
    BookingRulesForm,
    DateOverrideForm,
    LadderUpForm,
    MentorApplicationForm,
    ResponseTimeForm,
    WeeklyRuleForm,
)
from moderation.forms import NoShowContestForm, ReportForm
from moderation.models import NoShowDispute, Report
from qa.forms import MessageForm as QAMessageForm
from qa.models import Message
from sessions.forms import (
    BookingForm,
    CancelForm,
    CloseForm,
    OfferingForm,
    ReplyForm,
    RescheduleForm,
    ReviewForm,
)
from sessions.models import ActionItem, Booking, BookingEvent, Offering, Review
from sessions.selectors import offering_slots_for_day
from subscriptions.forms import PlanForm, SwitchPlanForm
from subscriptions.models import Plan, Subscription
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.core.test_authorization_matrix import DEMO, TABLE, WEBHOOK_SECRETS, World, _build_world, _routes
from tests.factories import BookingFactory, LanguageFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM_EXAMPLES = 25  # per route with a form
PLAIN_EXAMPLES = 3  # per route that reads nothing from the body
PATH_EXAMPLES = 15  # per route with text in its path
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

# --- hostile values ----------------------------------------------------------------------------

NUL = "\x00"
HUGE = "x" * 10_001
HOSTILE_TEXT = [
    "",
    " ",
    "\t\r\n ",
    NUL,
    f"before{NUL}after",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u2066x\u2069",  # RTL/LTR marks, isolates
    "\ufeff",
    "🙂👩‍👩‍👧‍👦🏳️‍🌈",
    "\ud800",  # a lone surrogate: only the urlencoded body can carry it (as invalid UTF-8)
    "a\udfffz",
    "\\ud83d",  # a surrogate written as text
    "Z\u0351\u0352\u0353" * 50,
    HUGE,
    "é" * 12_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE accounts_user; --",
    "{{ request }}{% debug %}",
    "%s%n%x",
    '{"json": [1, {"a": null}], "text": "\\u0000"}',
    "[]",
    "null",
    "../../etc/passwd",
    "/next\r\nSet-Cookie: evil=1",
]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "-2.75",
    "1e309",
    "-1e309",
    "1e-7",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "2147483648",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "7 ",
]
DATES = [
    "2026-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "2027-13-01",
    "2027-03-14",  # the US spring-forward day
    "2027-03-28",  # the EU one
    "2027-10-31",  # the EU fall-back day
    "31/12/2027",
    "2027-W01",
    "2027-01",
]
TIMES = ["24:00", "23:60", "02:30", "02:00", "-01:00", "9", "12:00:00.999999", "25:61"]
DATETIMES = [
    "2027-03-14T02:30",  # does not exist in New York
    "2027-03-28T02:30",  # does not exist in Berlin
    "2027-10-31T02:30",  # happens twice in Berlin
    "9999-12-31T23:59",
    "1899-12-31T00:00",
    "2027-02-29T10:00",
    "2027-01-01T10:00+99:00",
    "2027-01-01 10:00",
]
URLS = [
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://",
    "http://" + "a" * 3000 + ".com",
    "https://exa mple.com",
    "//evil.example/",
    "https://xn--80ak6aa92e.com/",
]
EVERYTHING = HOSTILE_TEXT + NUMBERS + DATES + TIMES + DATETIMES + URLS
EXTRA_KEYS = [
    "csrfmiddlewaretoken",
    "id",
    "pk",
    "mentor",
    "owner",
    "state",
    "price_amount",
    "is_staff",
    NUL,
    "é",
]

# Characters that break things: controls, NUL, quotes, markup, RTL and zero-width marks, combining
# marks, emoji and their joiners, non-BMP letters, full-width digits.
ALPHABET = st.sampled_from(
    list("aZ09 -_./:@%&=+;,'\"<>{}[]()\\")
    + ["\x00", "\x01", "\x7f", "\t", "\n", "\r", "\u0085"]
    + ["\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\u2028", "\ufeff", "\ufffd", "\u0301"]
    + ["é", "ß", "İ", "ﬁ", "漢", "١", "７", "🙂", "👩", "\U0001d54f", "\U000e0041"]
)
hostile = st.one_of(
    st.sampled_from([NUL, f"before{NUL}after", HUGE]),
    st.sampled_from(EVERYTHING),
    st.text(ALPHABET, max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _flat_choices(choices) -> list[str]:
    values = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            values += _flat_choices(label)
        else:
            values.append(str(key))
    return values


def typed_values(form_field: forms.Field) -> list[str]:
    """Values of the field's own type: its choices, its bounds and one past them, the edges of
    its dates and times."""
    if isinstance(form_field, forms.BooleanField):
        return ["on", "1", "0", "true", "false", "False"]
    if isinstance(form_field, forms.ModelChoiceField):
        return ["0", "-1", str(2**63), "not-a-key"]
    if isinstance(form_field, forms.ChoiceField):
        choices = _flat_choices(form_field.choices)
        return (choices[:40] if len(choices) > 40 else choices) + ["not-a-choice", "Europe/Nowhere"]
    if isinstance(form_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        edges = []
        for bound in (form_field.min_value, form_field.max_value):
            if bound is not None:
                edges += [str(bound), str(bound - 1), str(bound + 1), f"{bound}.5"]
        return edges + NUMBERS
    if isinstance(form_field, forms.DateTimeField):
        return DATETIMES
    if isinstance(form_field, forms.DateField):
        return DATES
    if isinstance(form_field, forms.TimeField):
        return TIMES
    if isinstance(form_field, forms.URLField):
        return URLS
    if isinstance(form_field, forms.UUIDField):
        return [str(uuid.uuid4()), "not-a-uuid", str(uuid.UUID(int=0))]
    return []


def form_fields(*form_classes, prefix: str = "") -> dict[str, list[str]]:
    """Every field name of the forms (as the page posts it), with values of its type."""
    names = {}
    for form_class in form_classes:
        for name, form_field in form_class.base_fields.items():
            names[f"{prefix}-{name}" if prefix else name] = typed_values(form_field)
    return names


# --- the world -----------------------------------------------------------------------------------


@dataclass
class FuzzWorld:
    """The authorization matrix's world, and what the fuzz needs besides: a session that has
    ended (to close it or report a no-show), a completed one without a review, a free slot."""

    w: World
    ended: Booking
    unreviewed: Booking
    open_cohort: Cohort  # published, starting in four weeks: enrolment is open
    other_plan: Plan  # the mentor's second plan, to switch to
    leaver: object  # a user with nothing open, who may delete their account
    offered: object  # a user offered a seat of open_cohort from its waitlist, to claim
    slot: str  # a free start of w.offering, as the slot picker sends it
    day: str  # its day

    @property
    def picked(self) -> str:
        """The offering page's query string once the slot is picked: the booking form shows."""
        return "?" + urlencode({"day": self.day, "slot": self.slot})


def _free_slot(offering: Offering, zone) -> tuple[str, str]:
    today = timezone.now().astimezone(zone).date()
    for ahead in range(4, 30):
        day = today + timedelta(days=ahead)
        slots = offering_slots_for_day(offering=offering, day=day, zone=zone)
        if slots:
            return slots[0].isoformat(), day.isoformat()
    raise AssertionError("the world's mentor has no free slot in four weeks")


def _build_fuzz_world() -> FuzzWorld:
    w = _build_world()
    now = timezone.now().replace(microsecond=0)
    ended = BookingFactory(offering=w.offering, mentee=w.mentee, starts_at=now - timedelta(hours=1))
    unreviewed = BookingFactory(
        offering=w.offering,
        mentee=w.mentee,
        starts_at=now - timedelta(days=5),
        state=Booking.State.COMPLETED,
    )
    ActionItem.objects.create(booking=unreviewed, text="Send the e-mail", due_date=now.date())
    open_cohort = CohortFactory(published=True, facilitator=w.profile, seats_min=1)
    other_plan = Plan.objects.create(
        mentor=w.profile,
        name="Weekly",
        price_amount=19900,
        currency="USD",
        credits_per_period=4,
        is_published=True,
    )
    leaver = UserFactory()
    LanguageFactory(code="en")  # what a mentor application picks
    offered = UserFactory()
    EnrollmentFactory(
        cohort=open_cohort,
        member=offered,
        state=Enrollment.State.OFFERED,
        norms_accepted_at=None,
        joined_at=None,
        offer_expires_at=now + timedelta(hours=24),
    )
    slot, day = _free_slot(w.offering, w.mentee.zone)
    return FuzzWorld(
        w=w,
        ended=ended,
        unreviewed=unreviewed,
        open_cohort=open_cohort,
        other_plan=other_plan,
        leaver=leaver,
        offered=offered,
        slot=slot,
        day=day,
    )


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py sets per test


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_fuzz_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db) -> FuzzWorld:
    return shared_world


# --- what a request may change ---------------------------------------------------------------

# Rows a page writes whenever it is shown, whatever the answer: reading marks, sessions and
# their login records; and the tasks a write asks for, saved in its transaction and queued after
# commit (core.outbox), which a test's transaction never reaches.
NOT_WATCHED = {
    "django_session",
    "qa_threadreader",
    "account_emailconfirmation",
    "core_outboxtask",
}


def _tables() -> list[str]:
    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    return sorted(tables - NOT_WATCHED)


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    quote_name = connection.ops.quote_name
    tables = _tables()
    select = ", ".join(f"(SELECT COUNT(*) FROM {quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def fields_of(obj) -> dict | None:
    """All the columns of `obj` as the database has them now."""
    return type(obj).objects.filter(pk=obj.pk).values().first()


@dataclass
class Snapshot:
    counts: dict
    objects: dict

    def grew(self, after: Snapshot, model) -> int:
        table = model._meta.db_table
        return after.counts[table] - self.counts[table]

    def changed_tables(self, after: Snapshot) -> set[str]:
        return {t for t in self.counts if self.counts[t] != after.counts[t]}

    def changed_objects(self, after: Snapshot) -> set[str]:
        return {name for name in self.objects if self.objects[name] != after.objects[name]}


def snapshot(fw: FuzzWorld, watched: tuple[str, ...]) -> Snapshot:
    return Snapshot(counts=row_counts(), objects={name: fields_of(_attr(fw, name)) for name in watched})


def _attr(fw: FuzzWorld, name: str):
    return getattr(fw, name) if hasattr(fw, name) else getattr(fw.w, name)


# --- recipes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """How to fuzz one route.

    `user` names the person allowed to use it (a World attribute, or None: signed out), `url`
    builds its URL (by default the matrix's kwargs), `fields` the field names with values of
    their type, `valid` a body that is accepted (what the mutations start from), `watch` the
    objects whose columns a refused request must leave as they were, and `whole` what an
    accepted request must have left: a function of the world, the snapshots before and after,
    and the body sent (by default: no row added or removed anywhere).
    """

    user: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    valid: Callable[[FuzzWorld], dict] = lambda fw: {}
    url: Callable[[FuzzWorld], str] | None = None
    watch: tuple[str, ...] = ()
    whole: Callable[[FuzzWorld, Snapshot, Snapshot, dict], None] | None = None
    settings: dict = field(default_factory=dict)
    get_params: dict[str, list[str]] | None = None  # an htmx GET endpoint: its query parameters

    @property
    def examples(self) -> int:
        return FORM_EXAMPLES if self.fields else PLAIN_EXAMPLES


def plain(user: str | None, **kwargs) -> Recipe:
    return Recipe(user=user, **kwargs)


def only(*tables: str):
    """An accepted request may change these tables' row counts and nothing else."""

    def check(fw, before, after, body):
        changed = before.changed_tables(after) - set(tables)
        assert not changed, f"row counts changed in {sorted(changed)}"

    return check


def booking_made(fw, before, after, body):
    """A booking is made whole or not at all: with its outcome, one answer per prompt and its
    first event; a paid one is held while the mentee pays."""
    made = before.grew(after, Booking)
    assert made in (0, 1)
    if made:
        booking = Booking.objects.filter(mentee=fw.w.other_mentee).order_by("-created_at").first()
        assert booking.outcome.strip()
        assert len(booking.prework_answers) == len(fw.w.offering.prework_prompts)
        assert booking.events.count() == 1
        assert booking.state in (Booking.State.HELD, Booking.State.CONFIRMED)
        assert (booking.state == Booking.State.HELD) == (booking.price_amount > 0)
    else:
        assert before.grew(after, BookingEvent) == 0


def state_moved_with_event(name: str):
    """The booking either stays as it was, or its state moved and one event says so."""

    def check(fw, before, after, body):
        old, new = before.objects[name], after.objects[name]
        events = before.grew(after, BookingEvent)
        if old["state"] == new["state"] and old["starts_at"] == new["starts_at"]:
            assert events == 0
        else:
            assert events == 1

    return check


def saved_one(model, *also: str):
    """At most one row of `model` added, and no row anywhere else but in `also`."""

    def check(fw, before, after, body):
        assert before.grew(after, model) in (0, 1)
        only(model._meta.db_table, *also)(fw, before, after, body)

    return check


def account_deleted(fw, before, after, body):
    """Either the account is as it was, or it is wholly gone: inactive, renamed, no address."""
    old, new = before.objects["leaver"], after.objects["leaver"]
    if new != old:
        assert not new["is_active"] and new["email"].endswith("@deleted.invalid")
        assert before.grew(after, EmailAddress) == -1


SUBSCRIPTION_CHANGED = only("billing_webhookevent", "subscriptions_historicalsubscription")


def subscription_started(fw, before, after, body):
    """A checkout started: at most one subscription, not live until its payment arrives."""
    assert before.grew(after, Subscription) in (0, 1)
    only("subscriptions_subscription", "subscriptions_historicalsubscription")(fw, before, after, body)
    started = Subscription.objects.filter(mentee=fw.w.other_mentee, plan=fw.w.plan).first()
    assert started is None or started.status not in Subscription.LIVE_STATUSES


def cohort_cancelled(fw, before, after, body):
    """A cancelled cohort leaves no open place behind."""
    cohort = Cohort.objects.get(pk=fw.w.cohort.pk)
    if cohort.status == Cohort.Status.CANCELLED:
        assert cohort.cancel_reason.strip()
        assert not cohort.enrollments.filter(state__in=Enrollment.OPEN_STATES).exists()


def offering_saved(fw, before, after, body):
    assert before.grew(after, Offering) in (0, 1)
    offerings = Offering.objects.filter(mentor=fw.w.profile)
    for offering in offerings:
        assert offering.title.strip() and offering.duration_minutes in (15, 30, 45, 60)
        assert offering.price_amount >= 0 and len(offering.prework_prompts) <= 5


def plan_saved(fw, before, after, body):
    for plan in Plan.objects.filter(mentor=fw.w.profile):
        assert plan.name.strip() and plan.price_amount > 0 and plan.credits_per_period >= 0


def cohort_saved(fw, before, after, body):
    for cohort in Cohort.objects.filter(facilitator=fw.w.profile):
        assert cohort.seats_min <= cohort.seats_max
        assert cohort.enrollment_deadline is not None and cohort.title.strip()


def events_made(fw, before, after, body):
    """A weekly series is made whole: every event a week after the last, at the same local time."""
    made = before.grew(after, CohortEvent)
    zone = fw.w.cohort.zone
    series = [e.starts_at.astimezone(zone) for e in CohortEvent.objects.order_by("-pk")[:made]][::-1]
    for earlier, later in zip(series, series[1:], strict=False):
        assert later.date() - earlier.date() == timedelta(weeks=1) and later.time() == earlier.time()


def _booking_url(name: str, attr: str = "booking"):
    return lambda fw: reverse(name, kwargs={"booking_id": _attr(fw, attr).pk})


def _matrix_url(name: str):
    rule = TABLE[name]
    return lambda fw: reverse(name, kwargs=rule.kwargs(fw.w))


def _cohort_form_body(fw) -> dict:
    start = timezone.now().date() + timedelta(days=40)
    return {
        "title": "Fuzzed cohort",
        "outcome": "A thing done",
        "description": "",
        "start_date": start.isoformat(),
        "weeks": "4",
        "timezone": "Europe/Berlin",
        "seats_min": "2",
        "seats_max": "10",
        "price": "50",
        "currency": "USD",
        "enrollment_deadline": f"{start - timedelta(days=3)}T12:00",
        "member_discount_percent": "10",
        "norms": "Be kind.",
        "outcomes_public": "on",
    }


def _future(days: int) -> str:
    return (timezone.now().date() + timedelta(days=days)).isoformat()


PREWORK = {"prework_0": "Two offers", "prework_1": "Growth"}


RECIPES: dict[str, Recipe] = {
    # --- public pages and htmx GET endpoints ---------------------------------------------------
    "home": plain("mentee"),
    "healthz": plain(None),
    "mentors:directory": plain(
        None,
        get_params={**form_fields(DirectoryForm), "page": NUMBERS},
    ),
    "mentors:profile": plain(None),
    "sessions:offering": plain("mentee", get_params={"day": DATES + DATETIMES, "slot": DATETIMES + DATES}),
    "cohorts:list": plain(None, get_params={**form_fields(CohortFilterForm), "page": NUMBERS}),
    "cohorts:detail": plain("other_mentee"),
    "subscriptions:plan": plain("mentee"),
    "matching:match": Recipe(
        user="mentee",
        fields=form_fields(IntakeForm),
        valid=lambda fw: {"need": "Should I take the offer?", "currency": "USD", "format": "any"},
        watch=(),
        whole=only("matching_intake", "matching_intake_skills", "matching_recommendation"),
        get_params={"poll": NUMBERS, "part": ["messages", "results", NUL]},
    ),
    "matching:go": plain("mentee", url=lambda fw: reverse("matching:go", args=[1])),
    "matching:seen": Recipe(
        user="mentee",
        fields={"shown": ["offering:1", "plan:", ":", "cohort:99999999999999999999", NUL]},
        valid=lambda fw: {"shown": "offering:1"},
        whole=only("matching_impression"),
    ),
    "dashboard:home": plain("mentee"),
    "dashboard:insights": plain("moderator"),
    "dashboard:insight_csv": plain("moderator"),
    # --- the account -------------------------------------------------------------------------
    "accounts:settings": Recipe(
        user="mentee",
        fields=form_fields(SettingsForm),
        valid=lambda fw: {"display_name": "Maya", "timezone": "Europe/Paris"},
        watch=(),
        whole=only(),
    ),
    "accounts:data_export": plain("mentee"),
    "accounts:delete": Recipe(
        user="leaver",
        fields=form_fields(DeleteAccountForm),
        valid=lambda fw: {"password": PASSWORD},
        watch=("leaver",),
        whole=account_deleted,
    ),
    # --- a mentor's own pages ------------------------------------------------------------------
    "mentors:apply": Recipe(
        user="other_mentee",
        fields=form_fields(MentorApplicationForm),
        valid=lambda fw: {
            "headline": "I help with hiring",
            "bio": "Ten years of it.",
            "skills": "Hiring, Python",
            "languages": "en",  # made with the world
            "years_experience": "10",
            "timezone": "Europe/Paris",
        },
        whole=only(
            "mentors_mentorprofile",
            "mentors_mentorprofile_skills",
            "mentors_mentorprofile_languages",
            "mentors_skill",
            "mentors_historicalmentorprofile",
        ),
    ),
    "mentors:availability": Recipe(
        user="mentor",
        fields={
            "section": [
                "rule",
                "override",
                "rules",
                "response",
                "ladder",
                "delete-rule",
                "delete-override",
                "x",
            ],
            "pk": NUMBERS,
            **form_fields(WeeklyRuleForm, prefix="rule"),
            **form_fields(DateOverrideForm, prefix="override"),
            **form_fields(BookingRulesForm, prefix="rules"),
            **form_fields(ResponseTimeForm, prefix="response"),
            **form_fields(LadderUpForm, prefix="ladder"),
        },
        valid=lambda fw: {
            "section": "rule",
            "rule-weekday": "5",
            "rule-start_time": "10:00",
            "rule-end_time": "12:00",
            "override-date": _future(9),
            "override-kind": "closed",
            "rules-timezone": "Europe/Berlin",
            "rules-buffer_before": "10",
            "rules-buffer_after": "10",
            "rules-minimum_notice": "120",
            "rules-horizon_days": "30",
            "rules-max_sessions_per_day": "4",
            "response-expected_response_hours": "24",
            "ladder-ladder_up_nudges": "on",
        },
        watch=("profile",),
        whole=only("mentors_weeklyrule", "mentors_dateoverride", "mentors_historicalmentorprofile"),
    ),
    "mentors:offerings": plain("mentor"),
    "mentors:offering_new": Recipe(
        user="mentor",
        fields=form_fields(OfferingForm),
        valid=lambda fw: {
            "title": "A new one",
            "outcome": "A plan",
            "duration_minutes": "45",
            "currency": "USD",
            "price": "20",
            "cancellation_window_hours": "24",
            "prework_prompts_text": "What?\nWhy?",
        },
        watch=("offering",),
        whole=offering_saved,
    ),
    "mentors:offering_edit": Recipe(
        user="mentor",
        fields=form_fields(OfferingForm),
        valid=lambda fw: {
            "title": "Renamed",
            "outcome": "A decision",
            "duration_minutes": "30",
            "currency": "EUR",
            "price": "45.50",
            "cancellation_window_hours": "12",
        },
        whole=offering_saved,
    ),
    "mentors:offering_publish": Recipe(
        user="mentor",
        fields={"published": ["0", "1", "", "yes"]},
        valid=lambda fw: {"published": "0"},
        whole=only("mentoring_historicaloffering"),
    ),
    "subscriptions:mentor_plans": plain("mentor"),
    "subscriptions:plan_new": Recipe(
        user="mentor",
        fields=form_fields(PlanForm),
        valid=lambda fw: {
            "name": "Two a month",
            "currency": "USD",
            "price": "99",
            "credits_per_period": "2",
            "max_session_minutes": "60",
            "includes_qa": "on",
        },
        watch=("plan",),
        whole=plan_saved,
    ),
    "subscriptions:plan_edit": Recipe(
        user="mentor",
        fields=form_fields(PlanForm),
        valid=lambda fw: {
            "name": "Renamed plan",
            "currency": "USD",
            "price": "120",
            "credits_per_period": "3",
            "max_session_minutes": "45",
            "max_subscribers": "5",
        },
        whole=plan_saved,
    ),
    "subscriptions:plan_publish": Recipe(
        user="mentor",
        fields={"published": ["0", "1", ""]},
        valid=lambda fw: {"published": "0"},
        whole=only("subscriptions_historicalplan"),
    ),
    "billing:payouts": plain("mentor"),
    "billing:payouts_return": plain("mentor"),
    "billing:payouts_refresh": plain("mentor"),
    "billing:earnings": plain("mentor"),
    # --- bookings ------------------------------------------------------------------------------
    "sessions:book": Recipe(
        user="other_mentee",
        fields={**form_fields(BookingForm), "prework_0": [], "prework_1": [], "prework_2": []},
        valid=lambda fw: {"starts_at": fw.slot, "outcome": "A decision", **PREWORK},
        watch=("offering",),
        whole=booking_made,
        settings=DEMO,
    ),
    "sessions:booking": plain("mentee"),
    "sessions:booking_ics": plain("mentee"),
    "sessions:booking_cancel": Recipe(
        user="mentee",
        fields=form_fields(CancelForm),
        valid=lambda fw: {"reason": "Something came up"},
        watch=("booking", "payment"),
        whole=state_moved_with_event("booking"),
    ),
    "sessions:booking_reschedule": Recipe(
        user="mentee",
        fields=form_fields(RescheduleForm),
        valid=lambda fw: {"starts_at": fw.slot},
        watch=("booking",),
        whole=state_moved_with_event("booking"),
        get_params={"day": DATES + DATETIMES, "slot": DATETIMES},
    ),
    "sessions:booking_prework": Recipe(
        user="mentee",
        fields={
            "outcome": [],
            "context_notes": [],
            "links": [],
            "prework_0": [],
            "prework_1": [],
        },
        valid=lambda fw: {"outcome": "A plan", "prework_0": "Two offers"},
        watch=("booking",),
        whole=only(),
    ),
    "sessions:booking_close": Recipe(
        user="mentor",
        url=_booking_url("sessions:booking_close", "ended"),
        fields=form_fields(CloseForm),
        valid=lambda fw: {"action_item": "Write it", "due_date": _future(7)},
        watch=("ended",),
        whole=only(
            "mentoring_actionitem",
            "mentoring_bookingevent",
            "mentoring_historicalbooking",
            "notifications_notification",
        ),
    ),
    "sessions:action_item_done": Recipe(
        user="mentee", fields={"done": ["1", "0", "", "2"]}, valid=lambda fw: {"done": "1"}, watch=("done",)
    ),
    "sessions:review": Recipe(
        user="mentee",
        url=_booking_url("sessions:review", "unreviewed"),
        fields=form_fields(ReviewForm),
        valid=lambda fw: {"rating": "5", "text": "Good"},
        whole=saved_one(Review),
    ),
    "sessions:review_reply": Recipe(
        user="mentor",
        fields=form_fields(ReplyForm),
        valid=lambda fw: {"reply": "Thank you"},
        watch=("done",),
        whole=only(),
    ),
    "sessions:report_no_show": plain(
        "mentee",
        url=_booking_url("sessions:report_no_show", "ended"),
        watch=("ended",),
        whole=state_moved_with_event("ended"),
    ),
    "sessions:contest_no_show": Recipe(
        user="mentee",
        fields=form_fields(NoShowContestForm),
        valid=lambda fw: {"note": "I was there"},
        watch=("booking",),
        whole=saved_one(NoShowDispute),
    ),
    # --- messages and reports -------------------------------------------------------------------
    "qa:booking_thread": Recipe(
        user="mentee",
        fields=form_fields(QAMessageForm),
        valid=lambda fw: {"body": "A question"},
        watch=("thread",),
        whole=saved_one(Message),
        get_params={"part": ["messages", "thread", NUL, HUGE]},
    ),
    "qa:subscription_thread": Recipe(
        user="mentee",
        fields=form_fields(QAMessageForm),
        valid=lambda fw: {"body": "A question"},
        whole=saved_one(Message),
        get_params={"part": ["messages", "thread", NUL]},
    ),
    "moderation:report": Recipe(
        user="mentor",
        fields=form_fields(ReportForm),
        valid=lambda fw: {"reason": "spam", "note": "", "next": "/"},
        whole=saved_one(Report),
    ),
    # --- checkout ------------------------------------------------------------------------------
    "billing:checkout_start": plain("mentee", watch=("booking",), settings=DEMO),
    "billing:checkout_success": plain("mentee"),
    # The matrix's held booking: releasing it writes its event and a past version.
    "billing:checkout_cancel": plain(
        "mentee", whole=only("mentoring_bookingevent", "mentoring_historicalbooking")
    ),
    "billing:demo_checkout": Recipe(
        user="mentee",
        fields={"action": ["pay", "decline", "abandon", "", "PAY"]},
        valid=lambda fw: {"action": "decline"},
        whole=only("billing_webhookevent"),
        settings=DEMO,
    ),
    "billing:stripe_webhook": plain(None, settings=WEBHOOK_SECRETS, watch=()),
    "billing:connect_webhook": plain(None, settings=WEBHOOK_SECRETS, watch=()),
    # --- subscriptions -------------------------------------------------------------------------
    "subscriptions:subscribe": plain(
        "other_mentee",
        whole=subscription_started,
        settings=DEMO,
    ),
    "subscriptions:detail": plain("mentee"),
    "subscriptions:welcome": plain("mentee"),
    "subscriptions:checkout_cancel": plain("mentee"),
    "subscriptions:cancel": plain("mentee", watch=("subscription",), whole=SUBSCRIPTION_CHANGED),
    "subscriptions:resume": plain("mentee", watch=("subscription",), whole=SUBSCRIPTION_CHANGED),
    "subscriptions:switch": Recipe(
        user="mentee",
        fields=form_fields(SwitchPlanForm),
        valid=lambda fw: {"plan": str(fw.other_plan.pk)},
        watch=("subscription",),
        whole=SUBSCRIPTION_CHANGED,
    ),
    "subscriptions:portal": plain("mentee", settings=DEMO),
    "subscriptions:demo_checkout": Recipe(
        user="mentee",
        fields={"action": ["pay", "decline", "abandon", ""]},
        valid=lambda fw: {"action": "decline"},
        whole=only("billing_webhookevent"),
        settings=DEMO,
    ),
    "subscriptions:demo_portal": plain("mentee", settings=DEMO),
    # --- cohorts: the member's side ------------------------------------------------------------
    "cohorts:enroll": Recipe(
        user="other_mentee",
        url=lambda fw: reverse("cohorts:enroll", args=[fw.open_cohort.slug]),
        fields=form_fields(EnrollForm),
        valid=lambda fw: {"accept_norms": "on"},
        whole=saved_one(Enrollment, "cohorts_historicalenrollment"),
    ),
    "cohorts:claim": Recipe(
        user="offered",
        url=lambda fw: reverse("cohorts:claim", args=[fw.open_cohort.slug]),
        fields=form_fields(EnrollForm),
        valid=lambda fw: {"accept_norms": "on"},
        whole=only("cohorts_historicalenrollment"),
    ),
    "cohorts:leave": plain("mentee", watch=("enrollment",), whole=only("cohorts_historicalenrollment")),
    "cohorts:pay": plain("mentee", settings=DEMO),
    "cohorts:checkout_success": plain("mentee"),
    "cohorts:checkout_cancel": plain("mentee"),
    "cohorts:space": plain("mentee"),
    "cohorts:members": plain("mentee"),
    "cohorts:module": plain("mentee"),
    "cohorts:submit": Recipe(
        user="mentee",
        fields=form_fields(SubmissionForm),
        valid=lambda fw: {"text": "My plan", "links": "https://example.com/plan"},
        whole=saved_one(Submission),
    ),
    "cohorts:peer_review": Recipe(
        user="mentee",
        fields=form_fields(PeerReviewForm),
        valid=lambda fw: {"what_works": "Clear", "suggestion": "Shorter", "question": "Why?"},
        watch=("peer_review",),
        whole=only(),
    ),
    "cohorts:calendar_feed": plain(None),
    "cohorts:calendar_regenerate": Recipe(
        user="mentee",
        fields={"cohort": []},
        valid=lambda fw: {"cohort": fw.w.cohort.slug},
        whole=only(),
    ),
    # --- cohorts: the facilitator's side -------------------------------------------------------
    "cohorts:manage_list": plain("mentor"),
    "cohorts:create": Recipe(
        user="mentor",
        fields=form_fields(CohortForm),
        valid=_cohort_form_body,
        whole=cohort_saved,
    ),
    "cohorts:manage": plain("mentor"),
    "cohorts:roster": plain("mentor"),
    "cohorts:edit": Recipe(
        user="mentor",
        fields=form_fields(CohortForm),
        valid=_cohort_form_body,
        watch=("cohort",),
        whole=cohort_saved,
    ),
    "cohorts:publish": plain("mentor", watch=("cohort",)),
    "cohorts:cancel": Recipe(
        user="mentor",
        fields=form_fields(CancelCohortForm),
        valid=lambda fw: {"reason": "Too few people"},
        watch=("cohort",),
        whole=cohort_cancelled,
    ),
    "cohorts:finish": plain("mentor", watch=("cohort",), whole=only("cohorts_historicalcohort")),
    "cohorts:module_create": Recipe(
        user="mentor",
        fields=form_fields(ModuleForm),
        valid=lambda fw: {"week": "2", "title": "Week two", "release_at": f"{_future(30)}T09:00"},
        whole=saved_one(Module, "notifications_notification"),  # members' reminders for it
    ),
    "cohorts:module_edit": Recipe(
        user="mentor",
        fields={**form_fields(ModuleForm), "delete": ["1", ""]},
        valid=lambda fw: {"week": "1", "title": "Week one", "release_at": f"{_future(-3)}T09:00"},
        watch=("module",),
        whole=only(
            "cohorts_module", "cohorts_submission", "cohorts_peerreview", "notifications_notification"
        ),
    ),
    "cohorts:critique_open": plain("mentor", watch=("module",)),
    "cohorts:event_create": Recipe(
        user="mentor",
        fields=form_fields(EventSeriesForm),
        valid=lambda fw: {
            "kind": "module_session",
            "first_day": _future(20),
            "at": "18:00",
            "duration_minutes": "60",
            "weeks": "3",
        },
        whole=events_made,
    ),
    "cohorts:event_edit": Recipe(
        user="mentor",
        fields=form_fields(EventForm),
        valid=lambda fw: {
            "kind": "module_session",
            "day": _future(21),
            "at": "19:00",
            "duration_minutes": "90",
        },
        watch=("event",),
        whole=only("notifications_notification"),
    ),
    "cohorts:event_cancel": plain("mentor", watch=("event",), whole=only("notifications_notification")),
    "cohorts:roster_member": Recipe(
        user="mentor",
        fields={"action": ["notes", "complete", "", "delete"], **form_fields(NotesForm, CompletionForm)},
        valid=lambda fw: {"action": "notes", "notes": "Doing well"},
        watch=("enrollment",),
        whole=only(),
    ),
    "cohorts:attendance": Recipe(
        user="mentor",
        fields=form_fields(AttendanceForm),
        valid=lambda fw: {"enrollment": str(fw.w.enrollment.pk), "present": "1"},
        whole=saved_one(Attendance),
    ),
    "cohorts:message": Recipe(
        user="mentor",
        fields=form_fields(MessageForm),
        valid=lambda fw: {"subject": "Hello", "body": "Welcome"},
        whole=saved_one(CohortMessage),
    ),
    # --- links from e-mails --------------------------------------------------------------------
    "notifications:checkin_done": plain(None, watch=("item",)),
    "notifications:checkin_not_yet": plain(None, watch=("item",)),
}


def test_every_route_has_a_recipe():
    routes = _routes()
    assert not routes - set(RECIPES), f"routes without a fuzz recipe: {sorted(routes - set(RECIPES))}"
    assert not set(RECIPES) - routes, (
        f"recipes for routes that no longer exist: {sorted(set(RECIPES) - routes)}"
    )


# --- bodies --------------------------------------------------------------------------------------


# One hostile change applied to every field of the accepted body at once: the classic attacks,
# each likely to be tried within a few dozen examples.
TRANSFORMS: dict[str, Callable[[str], str | list[str]]] = {
    "NUL": lambda v: f"{v}{NUL}",
    "huge": lambda v: v + HUGE,
    "empty": lambda v: "",
    "RTL and emoji": lambda v: f"\u202e{v}\u200f🙂",
    "lone surrogate": lambda v: f"{v}\ud800",
    "JSON": lambda v: json.dumps({"value": v, "list": [1, None]}),
    "list": lambda v: [v, v],
    "negative": lambda v: f"-{v}",
    "float": lambda v: f"{v}.5",
    "spaces": lambda v: f"  {v}  ",
}


@st.composite
def bodies(draw, fields: dict[str, list[str]], valid: dict) -> dict:
    """The accepted body with one hostile change made to every field, or a few fields replaced,
    dropped or doubled, or every field drawn on its own; plus extra fields nobody asked for."""
    names = sorted(set(fields) | set(valid))
    mode = draw(st.sampled_from(["mutate", "transform", "random"]))
    body = dict(valid)
    if mode == "transform":
        transform = TRANSFORMS[draw(st.sampled_from(sorted(TRANSFORMS)))]
        body = {name: transform(valid.get(name, "1")) for name in names}
    elif mode == "mutate" and names:
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            body[name] = draw(_value(fields.get(name, [])))
    elif mode == "random":
        body = {name: draw(_value(fields.get(name, []))) for name in names}
    for name in draw(st.lists(st.sampled_from(EXTRA_KEYS) | st.text(ALPHABET, max_size=8), max_size=2)):
        body.setdefault(name, draw(_value([])))
    return {name: value for name, value in body.items() if value is not None}


def _value(typed: list[str]):
    scalar = st.one_of(st.sampled_from(typed), hostile) if typed else hostile
    return st.one_of(
        scalar,
        st.none(),  # the field is missing
        st.lists(scalar, min_size=2, max_size=3),  # a list where a scalar is expected
    )


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"))


def urlencoded(body: dict) -> str:
    """The body as a browser would post it, lone surrogates as the invalid UTF-8 they become."""
    pairs = []
    for name, value in body.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(f"{_encode(name)}={_encode(one)}")
    return "&".join(pairs)


def multipart_safe(body: dict) -> dict:
    """Multipart cannot carry a lone surrogate: the client encodes strict UTF-8."""

    def fix(text: str) -> str:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    return {
        fix(k): [fix(v) for v in value] if isinstance(value, list) else fix(value)
        for k, value in body.items()
    }


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


def _client(fw: FuzzWorld, recipe: Recipe) -> Client:
    client = Client()
    if recipe.user is not None:
        client.force_login(_attr(fw, recipe.user))
    return client


def _url(fw: FuzzWorld, name: str, recipe: Recipe) -> str:
    return recipe.url(fw) if recipe.url else _matrix_url(name)(fw)


def _refused(response) -> bool:
    """A 4xx, or the form shown again with its errors."""
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and bool(ERRORLIST.search(response.content))


def _describe(method: str, url: str, htmx: bool, body) -> str:
    text = json.dumps(body, ensure_ascii=True)
    return f"{method} {url}{' (htmx)' if htmx else ''} {text[:600]}"


def _check(fw, recipe, before, response, *, what: str, body: dict):
    assert response.status_code < 500, f"{response.status_code} for {what}"
    after = snapshot(fw, recipe.watch)
    if _refused(response):
        changed = before.changed_tables(after)
        assert not changed, f"refused ({response.status_code}) but rows changed in {sorted(changed)}: {what}"
        objects = before.changed_objects(after)
        assert not objects, f"refused ({response.status_code}) but {sorted(objects)} changed: {what}"
    else:
        (recipe.whole or only())(fw, before, after, body)


POST_ROUTES = sorted(RECIPES)
# How the body travels: as a browser posts a form, urlencoded (the only way to send a lone
# surrogate: as the invalid UTF-8 it becomes), as JSON where a form is expected, and as a
# multipart body that ends half-way.
ENCODINGS = ["multipart", "urlencoded", "json", "broken multipart"]


def _post(client, url: str, body: dict, encoding: str, headers: dict):
    if encoding == "multipart":
        return client.post(url, multipart_safe(body), headers=headers)
    if encoding == "urlencoded":
        form = urlencoded(body)
        return client.post(url, form, content_type="application/x-www-form-urlencoded", headers=headers)
    if encoding == "json":
        return client.post(url, json.dumps(body), content_type="application/json", headers=headers)
    cut = '--fuzz\r\nContent-Disposition: form-data; name="' + urlencoded(body)[:200]
    return client.post(url, cut, content_type="multipart/form-data; boundary=fuzz", headers=headers)


@pytest.mark.parametrize("name", POST_ROUTES)
def test_post_never_fails_and_never_half_saves(world, settings, name):
    recipe = RECIPES[name]
    for key, value in recipe.settings.items():
        setattr(settings, key, value)
    url = _url(world, name, recipe)
    client = _client(world, recipe)
    valid = recipe.valid(world)
    before = snapshot(world, recipe.watch)  # every example starts here: each is rolled back

    @hypothesis_settings(FUZZ, max_examples=recipe.examples)
    @given(body=bodies(recipe.fields, valid), htmx=st.booleans(), encoding=st.sampled_from(ENCODINGS))
    def fuzz(body, htmx, encoding):
        headers = {"HX-Request": "true"} if htmx else {}
        with rolled_back(client):
            response = _post(client, url, body, encoding, headers)
            what = _describe("POST", url, htmx, body) + f" as {encoding}"
            _check(world, recipe, before, response, what=what, body=body)

    fuzz()


FORM_ROUTES = sorted(name for name, recipe in RECIPES.items() if recipe.fields)


@pytest.mark.parametrize("name", FORM_ROUTES)
def test_the_accepted_body_of_each_form_is_accepted(world, settings, name):
    """The mutations start from each recipe's accepted body: were it refused, every example
    would be a refusal and the "whole change" invariants would never be exercised."""
    recipe = RECIPES[name]
    for key, value in recipe.settings.items():
        setattr(settings, key, value)
    url = _url(world, name, recipe)
    client = _client(world, recipe)
    before = snapshot(world, recipe.watch)
    body = recipe.valid(world)
    with rolled_back(client):
        response = client.post(url, body)
        assert not _refused(response), f"{name}: the accepted body was refused ({response.status_code})"
        (recipe.whole or only())(world, before, snapshot(world, recipe.watch), body)


GET_ROUTES = sorted(name for name, recipe in RECIPES.items() if recipe.get_params)


@pytest.mark.parametrize("name", GET_ROUTES)
def test_htmx_get_never_fails_and_changes_nothing(world, settings, name):
    recipe = RECIPES[name]
    for key, value in recipe.settings.items():
        setattr(settings, key, value)
    url = _url(world, name, recipe)
    client = _client(world, recipe)
    params = {"day": [world.day], "slot": [world.slot]} if "day" in recipe.get_params else {}
    before = snapshot(world, recipe.watch)

    @hypothesis_settings(FUZZ, max_examples=FORM_EXAMPLES)
    @given(query=bodies(recipe.get_params, {k: v[0] for k, v in params.items()}), htmx=st.booleans())
    def fuzz(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        with rolled_back(client):
            response = client.get(f"{url}?{urlencoded(query)}", headers=headers)
            what = _describe("GET", url, htmx, query)
            assert response.status_code < 500, f"{response.status_code} for {what}"
            changed = before.changed_tables(snapshot(world, recipe.watch))
            assert not changed, f"a GET changed rows in {sorted(changed)}: {what}"

    fuzz()


# --- path parameters -----------------------------------------------------------------------------

PATH_VALUES = [v for v in HOSTILE_TEXT + NUMBERS + DATES if v.strip() and "/" not in v and len(v) < 3000]


def _text_parameters(resolver=None, namespace="") -> dict[str, list[str]]:
    """Each route's parameters that take any text (`<str:…>`): the ones its view must check."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= _text_parameters(pattern, inner)
        elif pattern.name:
            converters = pattern.pattern.converters
            names = sorted(k for k, c in converters.items() if type(c) is StringConverter)
            if names:
                found[f"{namespace}{pattern.name}"] = names
    return found


TEXT_PARAMETERS = {name: params for name, params in _text_parameters().items() if name in RECIPES}
TEXT_PATH_ROUTES = sorted(TEXT_PARAMETERS)


def test_routes_with_text_in_their_path_are_known():
    assert TEXT_PATH_ROUTES == [
        "cohorts:calendar_feed",
        "moderation:report",
        "notifications:checkin_done",
        "notifications:checkin_not_yet",
    ]


@pytest.mark.parametrize("name", TEXT_PATH_ROUTES)
def test_text_in_the_path_never_fails_and_changes_nothing(world, name):
    recipe = RECIPES[name]
    client = _client(world, recipe)
    kwargs = TABLE[name].kwargs(world.w)
    parameters = TEXT_PARAMETERS[name]
    before = snapshot(world, recipe.watch)

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
            assert not before.changed_tables(snapshot(world, recipe.watch)), what

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
    ("mentee", lambda fw: reverse("sessions:booking", args=[fw.w.booking.pk])),
    ("mentor", lambda fw: reverse("sessions:booking", args=[fw.w.booking.pk])),
    ("mentee", lambda fw: reverse("sessions:booking", args=[fw.w.done.pk])),
    ("mentor", lambda fw: reverse("sessions:booking", args=[fw.w.done.pk])),
    ("mentee", lambda fw: reverse("sessions:booking", args=[fw.unreviewed.pk])),
    ("mentor", lambda fw: reverse("sessions:booking", args=[fw.ended.pk])),
    ("other_mentee", lambda fw: reverse("sessions:offering", args=[fw.w.offering.slug]) + fw.picked),
    ("other_mentee", lambda fw: reverse("cohorts:detail", args=[fw.open_cohort.slug])),
    ("mentee", lambda fw: reverse("cohorts:detail", args=[fw.w.cohort.slug])),
    ("mentee", lambda fw: reverse("cohorts:space", args=[fw.w.cohort.slug])),
    ("mentee", lambda fw: reverse("cohorts:module", args=[fw.w.cohort.slug, 1])),
    ("mentor", lambda fw: reverse("cohorts:roster", args=[fw.w.cohort.slug])),
    ("mentor", lambda fw: reverse("cohorts:manage", args=[fw.w.cohort.slug])),
    ("mentee", lambda fw: reverse("subscriptions:detail", args=[fw.w.subscription.pk])),
    ("mentee", lambda fw: reverse("dashboard:home")),
    ("mentor", lambda fw: reverse("mentors:offerings")),
    ("mentor", lambda fw: reverse("subscriptions:mentor_plans")),
]
NOT_FORM_FIELDS = {"csrfmiddlewaretoken"}


def test_every_field_a_page_posts_is_fuzzed(world, settings):
    """The recipes read their field names from the form classes; this reads the pages, so a
    field added to a template (or a form the recipe does not name) fails here with its route."""
    settings.DEBUG, settings.BILLING_PROVIDER = DEMO["DEBUG"], DEMO["BILLING_PROVIDER"]
    pages = [(r.user, lambda fw, n=n, r=r: _url(fw, n, r)) for n, r in RECIPES.items() if r.user]
    missing = {}
    for user, url in pages + FORM_PAGES:
        client = _client(world, Recipe(user=user))
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
            recipe = RECIPES.get(name)
            if recipe is None:
                continue  # allauth's logout, the admin
            unknown = names - set(recipe.fields) - set(recipe.valid(world)) - NOT_FORM_FIELDS
            if unknown:
                missing.setdefault(name, set()).update(unknown)
    assert not missing, f"fields posted by the pages that no recipe fuzzes: {missing}"


# --- headers and cookies -------------------------------------------------------------------------

# What a WSGI server puts in META is the header's bytes read as latin-1: text a browser sent as
# UTF-8 arrives as its bytes (`as_meta`), and bytes that are not UTF-8 at all arrive as they are.
NOT_UTF8 = ["\xff\xfe", "\xc3(", "\xed\xa0\x80", "caf\xe9", "\x80" * 10, "Asia/T\xf6ky\xf6"]
ZONE_COOKIES = [
    "America",  # folders of tzdata
    "Etc",
    "Australia",
    "x" * 300,
    "Asia/Tokyo",
    "Asia%2FTokyo",  # as static/js/timezone.js writes it
    "Asia%2F",
    "%",
    "%zz",
    "%FF%FE",
    "Asia%2FTokyo%00",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "/etc/localtime",
    "Etc/GMT+5",
    "posixrules",
    '"Asia/Tokyo"',
    "UTC",
]
FORWARDED = [
    "not-an-ip",
    "999.1.1.1",
    "",
    ",",
    " , ,",
    "203.0.113.9",
    "203.0.113.9, not-an-ip",
    "not-an-ip, 203.0.113.9",
    "198.51.100.1, 203.0.113.9",
    "2001:db8::1",
    "[2001:db8::1]:443",
    "[2001:db8::1",
    "[::1]x",
    "203.0.113.9:99999",
    "203.0.113.9:",
    "unknown",
    "203.0.113.9" + "0" * 5000,
    "x" * 10_000,
    ", ".join(["203.0.113.9"] * 500),
]
HTMX_FLAGS = ["true", "false", "", "TRUE", "1", "null"]
HTMX_IDS = ["panel", "#panel", "slots", "", NUL, "<script>", "x" * 5000]
PAGE_URLS = URLS + [
    "http://testserver/",
    "http://[::1",
    "http://testserver/" + "a" * 5000,
    "/relative?x=1#y",
    "%zz",
    "http://testserver/%E2%80%AE",
]
LANGUAGES = [
    "*",
    "en-US,en;q=0.9",
    "zz",
    "de-DE-u-co-phonebk;q=abc",
    ";q=",
    "en;q=1e999",
    "*;q=0",
    "ar-EG,ar;q=0.9,he;q=0.8",
    "en-" * 500,
    "x" * 10_000,
]
HEADERS = {
    "X-Forwarded-For": FORWARDED,
    "HX-Request": HTMX_FLAGS,
    "HX-Boosted": HTMX_FLAGS,
    "HX-History-Restore-Request": HTMX_FLAGS,
    "HX-Target": HTMX_IDS,
    "HX-Trigger": HTMX_IDS,
    "HX-Trigger-Name": HTMX_IDS,
    "HX-Prompt": HTMX_IDS,
    "HX-Current-URL": PAGE_URLS,
    "HX-Current-URL-URI-AutoEncoded": HTMX_FLAGS,
    "Accept-Language": LANGUAGES,
    "Referer": PAGE_URLS,
    "Origin": ["null", "http://evil.example", "", "http://testserver"],
    "Accept": ["*/*", "text/html", "application/json", "text/event-stream", ""],
    "User-Agent": ["", "Mozilla/5.0", "x" * 10_000],
    "X-Request-ID": ["", "abc-123", "x" * 65, "a b", NUL],
    "X-Forwarded-Proto": ["https", "http", "https, http", "", "HTTPS"],
    "Host": ["testserver", "evil.example", "", "testserver:99999", "[::1", "testserver:80:80", "x" * 300],
    # Each part hostile on its own: a number where the timestamp goes, hex where the signature does.
    "Stripe-Signature": [
        f"{t}{v}"
        for t in ["t=1700000000,", "t=١٢٣,", "", "t=" + "9" * 5000 + ","]
        for v in ["v1=" + "ab" * 32, "v1=\xe9\xe9", f"v1={NUL}", "v0=abc"]
    ],
}
COOKIES = {
    "tz": ZONE_COOKIES,
    "messages": ["", "garbage", "W10:1abc:xyz", "x" * 4000],
    "csrftoken": ["", "short", "x" * 64, NUL],
}


def as_meta(text: str) -> str:
    """The header as a server hands it to Django: its UTF-8 bytes read as latin-1, without the
    line breaks a server would have refused."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace("\n", "")


@st.composite
def header_value(draw, specific: list[str]) -> str:
    """Half the time a value made for this header, else any hostile text or bytes."""
    kind = draw(st.sampled_from(["specific"] * 3 + ["hostile", "text", "not UTF-8"]))
    if kind == "specific" and specific:
        return as_meta(draw(st.sampled_from(specific)))
    if kind == "not UTF-8":
        return draw(st.sampled_from(NOT_UTF8))
    if kind == "text":
        return as_meta(draw(st.text(ALPHABET, max_size=40)))
    return as_meta(draw(st.sampled_from(EVERYTHING)))


@st.composite
def hostile_requests(draw, always: tuple[str, ...] = ()) -> dict:
    """A few hostile headers (`always` among them), hostile cookies (the zone's most often), and
    how many proxies the site trusts."""
    names = draw(st.lists(st.sampled_from(sorted(HEADERS)), min_size=1, max_size=6, unique=True))
    names += [name for name in always if name not in names]
    cookies = draw(st.sampled_from([["tz"], ["tz"], [], ["tz", "messages", "csrftoken"], ["messages"]]))
    stranger = []
    if draw(st.integers(0, 2)) == 0:  # a cookie of nobody's, named as hostilely as it is valued
        stranger = [(draw(header_value([])), draw(header_value([])))]
    return {
        "headers": {name: draw(header_value(HEADERS[name])) for name in names},
        "cookies": [(name, draw(header_value(COOKIES[name]))) for name in cookies] + stranger,
        "proxies": draw(st.sampled_from([0, 1, 2])),
    }


def _send_hostile(client: Client, method: str, url: str, body: dict, sent: dict):
    """The request with the hostile headers, its cookies appended to the client's own (its
    session) in one raw Cookie header, as a browser would send them."""
    own = [f"{name}={morsel.coded_value}" for name, morsel in client.cookies.items()]
    cookie = "; ".join(own + [f"{name}={value}" for name, value in sent["cookies"]])
    if method == "get":
        return client.get(url, headers=sent["headers"], HTTP_COOKIE=cookie)
    return client.post(
        url,
        urlencoded(body),
        content_type="application/x-www-form-urlencoded",
        headers=sent["headers"],
        HTTP_COOKIE=cookie,
    )


HEADER_EXAMPLES = 8  # per route
# The routes that read headers beyond the middleware's (the client's address for a rate limit,
# Stripe's signature), or show times in the viewer's zone: more examples.
HEADER_HOTSPOTS = {
    "billing:stripe_webhook": ("Stripe-Signature",),
    "billing:connect_webhook": ("Stripe-Signature",),
    "sessions:book": ("X-Forwarded-For",),
    "qa:booking_thread": ("X-Forwarded-For",),
    "cohorts:message": ("X-Forwarded-For",),
    "sessions:offering": (),
    "mentors:profile": (),
}


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_hostile_headers_and_cookies_never_fail_and_never_half_save(world, settings, name):
    """Every route, read (GET) or sent its accepted body (POST), with hostile headers and cookies:
    never a 5xx; a GET changes nothing, a POST is refused whole or accepted whole."""
    recipe = RECIPES[name]
    for key, value in recipe.settings.items():
        setattr(settings, key, value)
    url = _url(world, name, recipe)
    client = _client(world, recipe)
    valid = recipe.valid(world)
    before = snapshot(world, recipe.watch)
    examples = FORM_EXAMPLES if name in HEADER_HOTSPOTS else HEADER_EXAMPLES

    signed_out = Client()

    @hypothesis_settings(FUZZ, max_examples=examples)
    @given(
        sent=hostile_requests(always=HEADER_HOTSPOTS.get(name, ())),
        method=st.sampled_from(["get", "post", "get signed out"]),
    )
    def fuzz(sent, method):
        settings.TRUSTED_PROXY_COUNT = sent["proxies"]
        cache.clear()  # the rate limits' counters: each example starts below them
        with rolled_back(client):
            if method == "get signed out":
                response = _send_hostile(signed_out, "get", url, valid, sent)
            else:
                response = _send_hostile(client, method, url, valid, sent)
            what = f"{method.upper()} {url} {json.dumps(sent, ensure_ascii=True)[:800]}"
            if method == "post":
                _check(world, recipe, before, response, what=what, body=valid)
            else:
                assert response.status_code < 500, f"{response.status_code} for {what}"
                changed = before.changed_tables(snapshot(world, recipe.watch))
                assert not changed, f"a GET changed rows in {sorted(changed)}: {what}"

    fuzz()


# allauth's pages are outside the recipes (they are allauth's); logging in reads the client's
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
            response = _send_hostile(client, method, url, ALLAUTH_PAGES[name], sent)
            what = f"{method.upper()} {url} {json.dumps(sent, ensure_ascii=True)[:800]}"
            assert response.status_code < 500, f"{response.status_code} for {what}"
            changed = before.changed_tables(snapshot(world, ()))
            assert not changed, f"rows changed in {sorted(changed)}: {what}"

    fuzz()


# --- signed webhook bodies -----------------------------------------------------------------------

WEBHOOK_EXAMPLES = 100  # per endpoint
WEBHOOK_ENDPOINTS = {
    "billing:stripe_webhook": WebhookEvent.Endpoint.PLATFORM,
    "billing:connect_webhook": WebhookEvent.Endpoint.CONNECT,
}
TOLERANCE = 300  # settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
PLAIN = st.characters(codec="ascii", categories=["L", "N"])
EVENT_TYPES = sorted(billing_services.handled_event_types())

# Values the database stores as they came, and a few it cannot (NUL, a lone surrogate): those
# make the whole body refused, so they are drawn now and then, not in every other string.
storable_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    # Exactly representable both as a float and in jsonb's numeric, so what is stored reads back equal.
    st.floats(min_value=-(2.0**53), max_value=2.0**53, allow_nan=False),
    st.text(PLAIN, max_size=12),
    st.sampled_from(["", "x" * 300, "🙂", "\u202eevil", "<script>", "'; DROP TABLE x; --"]),
)
unstorable_scalars = st.text(ALPHABET, max_size=20) | st.sampled_from([NUL, "\ud800", f"a{NUL}b"])
json_scalars = st.one_of(storable_scalars, storable_scalars, storable_scalars, unstorable_scalars)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(PLAIN, max_size=8) | st.sampled_from(["id", "object", "metadata", NUL]), inner
        )
    ),
    max_leaves=12,
)
# Bodies no serializer writes: not JSON, NaN, numbers out of range, nested beyond reason.
RAW_BODIES = [
    b"",
    b"[]",
    b"null",
    b"42",
    b'"evt_1"',
    b"NaN",
    b"\xff",
    b"\xef\xbb\xbf{}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": NaN}}}',
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": 1e400}}}',
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": ' + b"9" * 5000 + b"}}}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {}}}' * 2,
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"name": "\xff"}}}',
]


def stripe_objects(fw: FuzzWorld):
    """A Stripe object of any kind, often naming the world's own booking, payment, seat or plan,
    so that processing the event finds something to change."""
    w = fw.w
    ours = st.sampled_from(
        [str(w.booking.pk), str(w.held.pk), str(w.payment.pk), str(w.enrollment.pk), str(w.plan.pk)]
    )
    maybe = lambda strategy: strategy | storable_scalars  # noqa: E731
    return st.fixed_dictionaries(
        {
            "object": maybe(
                st.sampled_from(
                    ["checkout.session", "charge", "payment_intent", "refund", "dispute", "account"]
                    + ["transfer", "subscription", "invoice"]
                )
            )
        },
        optional={
            "id": maybe(st.sampled_from(["cs_test_a1B2c3", "pi_3Test123", "ch_1", "re_1", "acct_1"])),
            "payment_intent": maybe(st.sampled_from(["pi_3Test123", "pi_other"])),
            "client_reference_id": maybe(ours),
            "metadata": st.fixed_dictionaries(
                {},
                optional={
                    "booking_id": maybe(ours),
                    "enrollment_id": maybe(ours),
                    "payment_id": maybe(ours),
                    "plan_id": maybe(ours),
                },
            )
            | storable_scalars,
            "amount_total": maybe(st.integers(-1, 10**7)),
            "amount": maybe(st.integers(-1, 10**7)),
            "amount_refunded": maybe(st.integers(-1, 10**7)),
            "currency": maybe(st.sampled_from(["usd", "eur", "USD", "jpy", ""])),
            "payment_status": maybe(st.sampled_from(["paid", "unpaid", "no_payment_required"])),
            "status": maybe(st.sampled_from(["succeeded", "pending", "failed", "active", "canceled"])),
            "mode": maybe(st.sampled_from(["payment", "subscription"])),
            "subscription": maybe(st.sampled_from(["sub_1", ""])),
            "customer": maybe(st.sampled_from(["cus_1", ""])),
            "created": maybe(st.integers(0, 2**33)),
            "refunds": st.lists(st.dictionaries(st.text(PLAIN, max_size=8), storable_scalars), max_size=2),
        },
    )


@st.composite
def signed_bodies(draw, fw: FuzzWorld) -> tuple[bytes, int]:
    """A body and how far the signature's timestamp is from now. Mostly an event of a type we
    handle about the world's own things, whole or with one part broken (its id, type, data or
    object of the wrong kind, or missing); now and then any JSON value, or bytes no serializer
    writes."""
    shape = draw(st.sampled_from(["event"] * 8 + ["json", "raw"]))
    if shape == "raw":
        body = draw(st.sampled_from(RAW_BODIES))
    elif shape == "json":
        body = json.dumps(draw(json_values)).encode("utf-8", "surrogatepass")
    else:
        broken = draw(st.sampled_from([None] * 5 + ["id", "type", "data", "data.object", "missing"]))
        obj = draw(json_values if broken == "data.object" else stripe_objects(fw))
        value = {
            "id": draw(json_scalars if broken == "id" else st.text(PLAIN, min_size=1, max_size=24)),
            "object": "event",
            "type": draw(json_scalars if broken == "type" else st.sampled_from(EVENT_TYPES)),
            "created": draw(st.integers(0, 2**33) | json_scalars),
            "livemode": False,
            "data": draw(json_values) if broken == "data" else {"object": obj},
        }
        if broken == "missing":
            del value[draw(st.sampled_from(["id", "type", "data"]))]
        body = json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    near, far = TOLERANCE - 5, TOLERANCE + 5
    skew = draw(st.sampled_from([0] * 6 + [-60, 60, -near, near, -far, far]))
    return body, skew


def _signed(body: bytes, secret: str, skew: int) -> str:
    timestamp = int(time.time()) + skew
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# A good signature spoilt in one place: refused, whatever the body.
TAMPERED = {
    "none": lambda header: header,
    "not ASCII": lambda header: header[:-2] + "\xe9\xe9",
    "NUL": lambda header: header.replace("v1=", f"v1={NUL}"),
    "no timestamp": lambda header: header.split(",", 1)[1],
    "Arabic-Indic digits": lambda header: "t=١٢٣," + header.split(",", 1)[1],
    "second scheme only": lambda header: header.replace("v1=", "v0="),
    "another secret": lambda header: header[:-4] + "0000",
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
                signature = TAMPERED[tampered](_signed(body, secret, skew))
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
