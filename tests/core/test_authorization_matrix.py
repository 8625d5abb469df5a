"""Issue 9: who may open and change what, for every URL of the product, in one table.

The table is keyed by route name and the first test compares it with the URL conf, so a new URL
without an entry fails here with its name. Each entry builds its URL from one small world (a
mentee and a mentor who share a paid booking, a completed booking with its action item and
review, a subscription with a Q&A thread, a cohort with a submission and a peer review) and says
what each role gets. Other people's objects answer 404, never 403, so their existence stays
hidden; staff read bookings, threads, subscriptions and cohort spaces (the product says so),
but change nothing there: the services refuse them (back to the page with a message, 302, or
the form again, 400). A refused request changes nothing: each object-changing entry names what
it watches, and the watch must read the same before and after for every role but the ones
allowed to change it.

The world is built once for the module and each test runs in a savepoint that is rolled back,
which keeps a thousand requests to about a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from billing.models import Payment, Refund, WebhookEvent
from cohorts.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    CohortMessage,
    Enrollment,
    Module,
    PeerReview,
    Submission,
)
from matching.models import Intake, Recommendation
from moderation.models import NoShowDispute, Report
from moderation.services import moderators_group_sync, report_create
from notifications.models import Notification
from notifications.tokens import checkin_token_make
from qa.models import Message, Thread
from qa.services import message_post, thread_for_booking
from sessions.models import ActionItem, Booking, Review
from subscriptions.models import Plan, Subscription
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("owner", "counterpart", "other_mentee", "other_mentor", "anonymous", "moderator", "superuser")
LOGIN = "login"  # 302 to the login page
ALIVE = (200, 503)  # /healthz answers 503 when the broker is down; it shows no object either way
SKIPPED_PREFIXES = ("admin/", "accounts/")  # the Django admin (tested below) and allauth


# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    mentee: object
    mentor: object  # the mentor's User
    other_mentee: object
    other_mentor: object
    moderator: object
    superuser: object
    profile: object  # the mentor's MentorProfile
    offering: object
    booking: Booking  # confirmed, paid, three days ahead
    payment: Payment
    held: Booking  # waiting for payment: the mentee left the checkout
    done: Booking  # completed, with an action item and a review
    item: ActionItem
    review: Review
    thread: Thread
    message: Message
    plan: Plan
    subscription: Subscription
    cohort: Cohort
    module: Module
    event: object
    enrollment: Enrollment  # the mentee's seat
    submission: Submission  # a peer's
    peer_review: PeerReview  # the mentee reviews the peer's submission
    feed: CalendarFeed
    checkin_token: str
    report: Report


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of its own (pytest-django's), so what one test changes the next never sees."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


def _build_world() -> World:
    now = timezone.now().replace(microsecond=0)
    mentee = UserFactory(display_name="Maya Mentee")
    profile = MentorFactory(user__display_name="Omar Mentor")
    offering = OfferingFactory(mentor=profile, price_amount=4500)
    booking = BookingFactory(offering=offering, mentee=mentee, starts_at=now + timedelta(days=3))
    payment = Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.DEMO,
        amount=4500,
        currency="USD",
        platform_fee=675,
        state=Payment.State.PAID,
        paid_at=now,
    )
    held = BookingFactory(
        offering=offering,
        mentee=mentee,
        starts_at=now + timedelta(days=4),
        state=Booking.State.HELD,
        hold_expires_at=now + timedelta(minutes=30),
    )
    done = BookingFactory(
        offering=offering, mentee=mentee, starts_at=now - timedelta(days=2), state=Booking.State.COMPLETED
    )
    # The mentee's matches are ready, so /match/ and the dashboard show results.
    Intake.objects.create(user=mentee, need="Negotiate my salary")
    Recommendation.objects.create(
        user=mentee,
        position=1,
        kind=Recommendation.Kind.OFFERING,
        object_id=offering.pk,
        mentor=profile,
        title=offering.title,
        url=offering.get_absolute_url(),
        price_amount=offering.price_amount,
        currency=offering.currency,
        score=1.0,
        computed_at=now + timedelta(seconds=1),
    )
    item = ActionItem.objects.create(booking=done, text="Write to both companies", due_date=now.date())
    review = Review.objects.create(booking=done, rating=5, text="Clear and kind.")
    message = message_post(thread=thread_for_booking(booking=booking), author=mentee, body="My salary is …")
    plan = Plan.objects.create(
        mentor=profile,
        name="Monthly coaching",
        price_amount=9900,
        currency="USD",
        credits_per_period=2,
        includes_qa=True,
        is_published=True,
    )
    subscription = Subscription.objects.create(
        plan=plan, mentor=profile, mentee=mentee, provider="demo", status="active"
    )
    message_post(
        thread=Thread(subscription=subscription, mentee=mentee, mentor=profile), author=mentee, body="Hi"
    )
    cohort = CohortFactory(
        published=True, facilitator=profile, start_date=(now - timedelta(days=3)).date(), seats_min=1
    )
    module = ModuleFactory(cohort=cohort, week=1, critique_opened_at=now)
    event = CohortEventFactory(cohort=cohort)
    enrollment = EnrollmentFactory(cohort=cohort, member=mentee)
    peer = EnrollmentFactory(cohort=cohort)
    submission = Submission.objects.create(module=module, enrollment=peer, text="My one-page plan")
    peer_review = PeerReview.objects.create(submission=submission, reviewer=enrollment)
    # The strangers have things of their own: a booking, a cohort seat, a subscription.
    other_profile = MentorFactory()
    other_mentee = UserFactory()
    BookingFactory(offering=OfferingFactory(mentor=other_profile), mentee=other_mentee)
    other_cohort = CohortFactory(published=True, facilitator=other_profile, start_date=cohort.start_date)
    EnrollmentFactory(cohort=other_cohort, member=other_mentee)
    Subscription.objects.create(
        plan=Plan.objects.create(mentor=other_profile, name="Weekly", price_amount=5000, includes_qa=True),
        mentor=other_profile,
        mentee=other_mentee,
        provider="demo",
        status="active",
    )
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(moderators_group_sync())
    return World(
        mentee=mentee,
        mentor=profile.user,
        other_mentee=other_mentee,
        other_mentor=other_profile.user,
        moderator=moderator,
        superuser=UserFactory(is_staff=True, is_superuser=True),
        profile=profile,
        offering=offering,
        booking=booking,
        payment=payment,
        held=held,
        done=done,
        item=item,
        review=review,
        thread=booking.thread,
        message=message,
        plan=plan,
        subscription=subscription,
        cohort=cohort,
        module=module,
        event=event,
        enrollment=enrollment,
        submission=submission,
        peer_review=peer_review,
        feed=CalendarFeed.objects.create(user=mentee),
        checkin_token=checkin_token_make(action_item_id=item.pk, user_id=mentee.pk),
        report=report_create(reporter=other_mentee, target=review, reason=Report.Reason.SPAM),
    )


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How to reach one route and what each role gets.

    `side` says whose object it is: "mentee" makes the mentee the owner and the mentor the
    counterpart, "mentor" the other way round. `watch` reads what a refused request must leave
    as it was; only the roles in `may_change` may change it.
    """

    get: dict
    post: dict | None = None
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    side: str = "mentee"
    watch: Callable[[World], object] | None = None
    may_change: frozenset = frozenset()
    settings: dict = field(default_factory=dict)


def codes(default=404, *, anonymous=LOGIN, **roles) -> dict:
    """Each role's answer: `default` unless named; anonymous visitors are sent to log in."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES} | {"anonymous": anonymous}


EVERYONE = codes(200, anonymous=200)
SIGNED_IN = codes(200)
# A page every mentor has for their own things; anyone without a mentor profile gets 404.
MENTORS = codes(owner=200, other_mentor=200)
# Only the owner; everybody else, staff included, gets 404.
OWNER = codes(owner=200)
# The two people of a booking, subscription or cohort, and staff, who read.
PARTIES_AND_STAFF = codes(owner=200, counterpart=200, moderator=200, superuser=200)
# A view that only accepts POST: GET is 405 once signed in.
POST_ONLY = codes(405)
DEMO = {"DEBUG": True, "BILLING_PROVIDER": "demo"}
WEBHOOK_SECRETS = {"STRIPE_WEBHOOK_SECRET": "whsec_matrix", "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_matrix"}
OWNER_ONLY = frozenset({"owner"})


def public() -> Rule:
    return Rule(get=EVERYONE)


def signed_in(code=200) -> Rule:
    return Rule(get=SIGNED_IN if code == 200 else codes(code))


def mentor_page(code=200) -> Rule:
    return Rule(get=codes(owner=code, other_mentor=code), side="mentor")


def booking(w):
    return {"booking_id": w.booking.pk}


def done(w):
    return {"booking_id": w.done.pk}


def cohort(w):
    return {"slug": w.cohort.slug}


def subscription(w):
    return {"subscription_id": w.subscription.pk}


def plan(w):
    return {"plan_id": w.plan.pk}


def fresh(obj, *fields):
    """The named fields of `obj` as the database has them now."""
    return type(obj).objects.filter(pk=obj.pk).values_list(*fields).first()


def booking_state(w):
    return fresh(w.booking, "state", "starts_at", "reschedule_count", "outcome", "prework_answers")


def done_state(w):
    return fresh(w.done, "state"), fresh(w.item, "done_at"), fresh(w.review, "rating", "text", "mentor_reply")


def cohort_state(w):
    return (
        fresh(w.cohort, "status", "title", "seats_max", "norms"),
        fresh(w.enrollment, "state", "facilitator_notes", "completed_at", "outcome_note"),
        Module.objects.filter(cohort=w.cohort).count(),
        fresh(w.module, "title", "critique_opened_at"),
        fresh(w.event, "starts_at", "is_cancelled"),
        w.cohort.events.count(),
        CohortMessage.objects.filter(cohort=w.cohort).count(),
        PeerReview.objects.count(),
        Attendance.objects.count(),
    )


def subscription_state(w):
    return (
        fresh(w.subscription, "status", "plan_id", "cancel_at_period_end"),
        Subscription.objects.count(),
    )


def plan_state(w):
    return fresh(w.plan, "name", "price_amount", "is_published"), Plan.objects.count()


def offering_state(w):
    return fresh(w.offering, "title", "price_amount", "is_published"), w.profile.offerings.count()


# Mentee-side objects: the owner is the booking's mentee, the counterpart its mentor.
# Mentor-side pages (side="mentor"): the owner is the mentor, the counterpart the mentee.
TABLE: dict[str, Rule] = {
    # Pages with no object.
    "home": public(),
    "healthz": Rule(get=codes(ALIVE, anonymous=ALIVE)),
    "mentors:directory": public(),
    "mentors:profile": Rule(get=EVERYONE, kwargs=lambda w: {"slug": w.profile.slug}),
    "mentors:apply": signed_in(),
    "sessions:offering": Rule(get=EVERYONE, kwargs=lambda w: {"slug": w.offering.slug}),
    "cohorts:list": public(),
    "cohorts:detail": Rule(get=EVERYONE, kwargs=cohort),
    "subscriptions:plan": Rule(get=EVERYONE, kwargs=plan),
    "matching:match": public(),
    "matching:go": Rule(get=codes(302), kwargs=lambda w: {"position": 1}),
    "matching:seen": Rule(get=POST_ONLY, post=codes(204)),
    "dashboard:home": signed_in(),
    "dashboard:insights": Rule(get=codes(moderator=200, superuser=200)),
    "dashboard:insight_csv": Rule(
        get=codes(moderator=200, superuser=200), kwargs=lambda w: {"figure": "repeat-booking"}
    ),
    "accounts:settings": signed_in(),
    "accounts:data_export": signed_in(),
    "accounts:delete": signed_in(),
    # A mentor's own pages: every mentor has theirs, nobody else has one.
    "mentors:availability": mentor_page(),
    "mentors:offerings": mentor_page(),
    "mentors:offering_new": mentor_page(),
    "mentors:offering_edit": Rule(
        get=codes(owner=200),
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=offering_state,
    ),
    "mentors:offering_publish": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=offering_state,
        may_change=OWNER_ONLY,
    ),
    "subscriptions:mentor_plans": mentor_page(),
    "subscriptions:plan_new": mentor_page(),
    "subscriptions:plan_edit": Rule(
        get=codes(owner=200), post=codes(owner=400), kwargs=plan, side="mentor", watch=plan_state
    ),
    "subscriptions:plan_publish": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=plan,
        side="mentor",
        watch=plan_state,
        may_change=OWNER_ONLY,
    ),
    "billing:payouts": mentor_page(),
    "billing:payouts_return": mentor_page(302),
    "billing:payouts_refresh": mentor_page(302),
    "billing:earnings": mentor_page(),
    "cohorts:manage_list": mentor_page(),
    "cohorts:create": Rule(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: Cohort.objects.count(),
    ),
    # Bookings: the mentee, the mentor and staff read; an anonymous visitor gets the same 404.
    "sessions:booking": Rule(get=PARTIES_AND_STAFF, kwargs=booking),
    "sessions:booking_ics": Rule(get=PARTIES_AND_STAFF, kwargs=booking),
    "sessions:booking_cancel": Rule(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=booking_state,
        may_change=frozenset({"owner", "counterpart"}),
    ),
    "sessions:booking_reschedule": Rule(
        get=PARTIES_AND_STAFF, post=PARTIES_AND_STAFF, kwargs=booking, watch=booking_state
    ),
    "sessions:booking_prework": Rule(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=booking_state,
    ),
    "sessions:booking_close": Rule(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=lambda w: ActionItem.objects.count(),
    ),
    "sessions:report_no_show": Rule(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=booking_state,
    ),
    "sessions:contest_no_show": Rule(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=lambda w: (booking_state(w), NoShowDispute.objects.count()),
    ),
    "sessions:action_item_done": Rule(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=done,
        watch=done_state,
        may_change=OWNER_ONLY,
    ),
    "sessions:review": Rule(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=done,
        watch=done_state,
    ),
    "sessions:review_reply": Rule(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=done,
        watch=done_state,
    ),
    "sessions:book": Rule(
        get=POST_ONLY,
        post=codes(400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=lambda w: Booking.objects.count(),
    ),
    # Messages: the two participants write, staff read (an empty message is refused with 400).
    "qa:booking_thread": Rule(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=lambda w: Message.objects.count(),
    ),
    "qa:subscription_thread": Rule(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=subscription,
        watch=lambda w: Message.objects.count(),
    ),
    "moderation:report": Rule(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=lambda w: {"kind": Report.Kind.MESSAGE, "object_id": w.message.pk},
        watch=lambda w: Report.objects.count(),
    ),
    # Checkout pages of a booking: its mentee only.
    "billing:checkout_start": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=booking,
        watch=lambda w: (booking_state(w), Payment.objects.count()),
    ),
    "billing:checkout_success": Rule(get=OWNER, kwargs=booking),
    # Back from checkout without paying: a plain GET asks first; the POST lets the time go.
    "billing:checkout_cancel": Rule(
        get=OWNER,
        post=codes(owner=302),
        kwargs=lambda w: {"booking_id": w.held.pk},
        watch=lambda w: fresh(w.held, "state"),
        may_change=OWNER_ONLY,
    ),
    "billing:demo_checkout": Rule(
        get=OWNER,
        post=codes(owner=200),
        kwargs=lambda w: {"payment_id": w.payment.pk},
        watch=lambda w: (fresh(w.payment, "state"), booking_state(w)),
        settings=DEMO,
    ),
    # Webhooks: no signature, no entry, whoever sends it.
    "billing:stripe_webhook": Rule(
        get=codes(405, anonymous=405), post=codes(400, anonymous=400), settings=WEBHOOK_SECRETS
    ),
    "billing:connect_webhook": Rule(
        get=codes(405, anonymous=405), post=codes(400, anonymous=400), settings=WEBHOOK_SECRETS
    ),
    # Subscriptions: the subscriber, the mentor and staff read; only the subscriber manages.
    "subscriptions:subscribe": Rule(get=POST_ONLY, post=codes(302), kwargs=plan, watch=subscription_state),
    "subscriptions:detail": Rule(get=PARTIES_AND_STAFF, kwargs=subscription),
    "subscriptions:welcome": Rule(get=OWNER, kwargs=subscription),
    "subscriptions:checkout_cancel": Rule(
        get=codes(owner=302), post=codes(owner=302), kwargs=subscription, watch=subscription_state
    ),
    "subscriptions:cancel": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        may_change=OWNER_ONLY,
    ),
    "subscriptions:resume": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        may_change=OWNER_ONLY,
    ),
    "subscriptions:switch": Rule(
        get=POST_ONLY, post=codes(owner=400), kwargs=subscription, watch=subscription_state
    ),
    "subscriptions:portal": Rule(
        get=POST_ONLY, post=codes(owner=302), kwargs=subscription, watch=subscription_state
    ),
    "subscriptions:demo_checkout": Rule(
        get=OWNER, post=codes(owner=200), kwargs=subscription, watch=subscription_state, settings=DEMO
    ),
    "subscriptions:demo_portal": Rule(get=OWNER, kwargs=subscription, settings=DEMO),
    # Cohort places: only one's own.
    "cohorts:enroll": Rule(
        get=POST_ONLY, post=codes(400), kwargs=cohort, watch=lambda w: Enrollment.objects.count()
    ),
    "cohorts:claim": Rule(get=POST_ONLY, post=codes(owner=400), kwargs=cohort, watch=cohort_state),
    "cohorts:leave": Rule(
        get=POST_ONLY, post=codes(owner=302), kwargs=cohort, watch=cohort_state, may_change=OWNER_ONLY
    ),
    "cohorts:pay": Rule(get=POST_ONLY, post=codes(owner=302), kwargs=cohort, watch=cohort_state),
    "cohorts:checkout_success": Rule(get=OWNER, kwargs=cohort),
    "cohorts:checkout_cancel": Rule(get=codes(302), post=codes(302), kwargs=cohort, watch=cohort_state),
    # The member space: members, the facilitator and staff.
    "cohorts:space": Rule(get=PARTIES_AND_STAFF, kwargs=cohort),
    "cohorts:members": Rule(get=PARTIES_AND_STAFF, kwargs=cohort),
    "cohorts:module": Rule(get=PARTIES_AND_STAFF, kwargs=lambda w: {"slug": w.cohort.slug, "week": 1}),
    "cohorts:submit": Rule(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "week": 1},
        watch=lambda w: list(Submission.objects.values_list("pk", "text", "links")),
    ),
    "cohorts:peer_review": Rule(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "review_id": w.peer_review.pk},
        watch=lambda w: fresh(w.peer_review, "what_works", "suggestion", "question", "submitted_at"),
    ),
    # The private calendar feed: the unguessable token is the key, for whoever holds it.
    "cohorts:calendar_feed": Rule(get=codes(200, anonymous=200), kwargs=lambda w: {"token": w.feed.token}),
    "cohorts:calendar_regenerate": Rule(
        get=POST_ONLY, post=codes(302), watch=lambda w: fresh(w.feed, "token"), may_change=OWNER_ONLY
    ),
    # The facilitator's pages: the cohort's mentor only; staff use the admin.
    "cohorts:manage": Rule(get=OWNER, kwargs=cohort, side="mentor"),
    "cohorts:roster": Rule(get=OWNER, kwargs=cohort, side="mentor"),
    "cohorts:edit": Rule(get=OWNER, post=codes(owner=400), kwargs=cohort, side="mentor", watch=cohort_state),
    "cohorts:publish": Rule(
        get=POST_ONLY, post=codes(owner=302), kwargs=cohort, side="mentor", watch=cohort_state
    ),
    "cohorts:cancel": Rule(
        get=POST_ONLY, post=codes(owner=400), kwargs=cohort, side="mentor", watch=cohort_state
    ),
    "cohorts:finish": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
    ),
    "cohorts:module_create": Rule(
        get=OWNER, post=codes(owner=400), kwargs=cohort, side="mentor", watch=cohort_state
    ),
    "cohorts:module_edit": Rule(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "module_id": w.module.pk},
        side="mentor",
        watch=cohort_state,
    ),
    "cohorts:critique_open": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "module_id": w.module.pk},
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
    ),
    "cohorts:event_create": Rule(
        get=OWNER, post=codes(owner=400), kwargs=cohort, side="mentor", watch=cohort_state
    ),
    "cohorts:event_edit": Rule(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
    ),
    "cohorts:event_cancel": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
    ),
    "cohorts:roster_member": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "enrollment_id": w.enrollment.pk},
        side="mentor",
        watch=cohort_state,
    ),
    "cohorts:attendance": Rule(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
    ),
    "cohorts:message": Rule(
        get=POST_ONLY, post=codes(owner=400), kwargs=cohort, side="mentor", watch=cohort_state
    ),
    # Check-in links from the e-mail: the signed token is the key (a forged one: see below).
    "notifications:checkin_done": Rule(
        get=codes(200, anonymous=200), kwargs=lambda w: {"token": w.checkin_token}
    ),
    "notifications:checkin_not_yet": Rule(
        get=codes(200, anonymous=200), kwargs=lambda w: {"token": w.checkin_token}
    ),
}


# --- the tests -------------------------------------------------------------------------------


def _routes(resolver=None, namespace="", prefix="") -> set[str]:
    """Every named route outside the admin and allauth, as "namespace:name"."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _routes(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {route}>")
    return names


def test_every_route_has_an_entry_in_the_table():
    routes = _routes()
    assert not routes - set(TABLE), f"routes without an entry in TABLE: {sorted(routes - set(TABLE))}"
    assert not set(TABLE) - routes, f"entries for routes that no longer exist: {sorted(set(TABLE) - routes)}"


def _user(world: World, rule: Rule, role: str):
    other = "mentor" if rule.side == "mentee" else "mentee"
    who = {"owner": rule.side, "counterpart": other}.get(role, role)
    return None if who == "anonymous" else getattr(world, who)


def _check(response, expected, *, what: str):
    if expected == LOGIN:
        assert response.status_code == 302, f"{what}: {response.status_code}, expected a login redirect"
        assert response["Location"].startswith(reverse("account_login")), f"{what}: {response['Location']}"
        return
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, f"{what}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("account_login")), f"{what}: sent to log in"


CASES = [(name, role) for name in sorted(TABLE) for role in ROLES]
POST_CASES = [(name, role) for name, role in CASES if TABLE[name].post is not None]


def _request(client, settings, world, name, role, method):
    rule = TABLE[name]
    for key, value in rule.settings.items():
        setattr(settings, key, value)
    user = _user(world, rule, role)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=rule.kwargs(world))
    before = rule.watch(world) if rule.watch else None
    # A body that says nothing: forms are bound (and invalid), so the POST branch is what runs.
    response = client.get(url) if method == "get" else client.post(url, {"matrix": "1"})
    if rule.watch and role not in rule.may_change:
        assert rule.watch(world) == before, f"{method.upper()} {url} as {role} changed what it must not"
    return response, url


@pytest.mark.parametrize("name, role", CASES)
def test_get(client, settings, world, name, role):
    response, url = _request(client, settings, world, name, role, "get")
    _check(response, TABLE[name].get[role], what=f"GET {url} as {role}")


@pytest.mark.parametrize("name, role", POST_CASES)
def test_post(client, settings, world, name, role):
    response, url = _request(client, settings, world, name, role, "post")
    _check(response, TABLE[name].post[role], what=f"POST {url} as {role}")


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


@pytest.mark.parametrize("name", sorted(TABLE))
def test_no_get_changes_anything(client, settings, world, name):
    """Every page, opened by each of its two people, leaves the database as it was."""
    rule = TABLE[name]
    for key, value in rule.settings.items():
        setattr(settings, key, value)
    url = reverse(name, kwargs=rule.kwargs(world))
    for role in ("owner", "counterpart"):
        user = _user(world, rule, role)
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
    user = _user(world, Rule(get={}), role)
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
