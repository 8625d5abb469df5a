"""Every route of the product, described once: who may use it and what its forms take.

The catalogue is keyed by route name; one test (tests/core/test_authorization_matrix.py)
compares it with the URL conf, so a new URL without an entry fails there with its name. The
authorization matrix and the fuzz (tests/core/test_fuzz.py) both read it, on the one world of
tests/routes/world.py.

Who may use it: each entry builds its URL from the world and says what each role gets (the
roles of tests/routes/access.py). Other people's objects answer 404, never 403, so their
existence stays hidden; staff read bookings, threads, subscriptions and cohort spaces (the
product says so), but change nothing there: the services refuse them (back to the page with a
message, 302, or the form again, 400). A refused request changes nothing: each object-changing
entry names what it watches, and the watch must read the same before and after for every role
but the ones allowed to change it.

What its forms take: the person allowed to use it, the fields its form reads (from the form
class, so a new field is fuzzed at once), one body that is accepted, the objects a refused
request must leave as they were, and what an accepted one must have left (a booking made has
its pre-work, a plan saved its price…: tests/routes/invariants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils import timezone

from accounts.forms import DeleteAccountForm, SettingsForm
from api.forms import TokenForm
from api.models import ApiToken
from billing.forms import PromotionCodeForm
from billing.models import Payment, PromotionCode
from calendars.forms import CalDAVForm, FeedForm
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
from cohorts.models import Attendance, Cohort, CohortMessage, Enrollment, Module, Submission
from config.settings import social_providers
from discover.forms import DirectoryForm
from embed.forms import WidgetForm
from groups.forms import GroupSessionForm
from groups.models import GroupSeat, GroupSession
from matching.forms import IntakeForm
from mentors.forms import (
    BookingRulesForm,
    DateOverrideForm,
    LadderUpForm,
    MentorApplicationForm,
    MentorProfileForm,
    ResponseTimeForm,
    WeeklyRuleForm,
)
from moderation.forms import NoShowContestForm, ReportForm
from moderation.models import NoShowDispute, Report
from packs.forms import PackBuyForm, PackForm
from packs.models import Pack, PackPurchase
from qa.forms import AnswerForm, DeclineForm, QuestionForm, QuestionOfferForm
from qa.forms import MessageForm as QAMessageForm
from qa.models import Message, Question, QuestionOffer
from sessions.forms import (
    BookingForm,
    CancelForm,
    CloseForm,
    OfferingForm,
    ReplyForm,
    RescheduleForm,
    ReviewForm,
)
from sessions.models import ActionItem, Booking, Review
from sessions.request_views import RequestAnswerForm
from sessions.series_forms import SeriesForm
from subscriptions.forms import PlanForm, SubscribeForm, SwitchPlanForm
from tests.routes.access import (
    ALIVE,
    DEMO,
    EVERYONE,
    LOGIN,
    MENTORS,
    OWNER,
    OWNER_ONLY,
    PARTIES_AND_STAFF,
    POST_ONLY,
    SIGNED_IN,
    WEBHOOK_SECRETS,
    codes,
)
from tests.routes.invariants import (
    GROUP_SEAT_CANCELLED,
    GROUP_SESSION_CANCELLED,
    PACK_REFUNDED,
    SUBSCRIPTION_CHANGED,
    account_deleted,
    booking_made,
    cohort_cancelled,
    cohort_saved,
    events_made,
    group_seat_booked,
    offering_saved,
    only,
    pack_bought,
    pack_saved,
    plan_saved,
    question_answered,
    question_asked,
    question_declined,
    saved_one,
    state_moved_with_event,
    subscription_started,
)
from tests.routes.state import (
    booking_state,
    cohort_state,
    done_state,
    fresh,
    group_seat_state,
    group_session_state,
    offering_state,
    pack_purchase_state,
    pack_state,
    plan_state,
    subscription_state,
)
from tests.routes.values import DATES, DATETIMES, HUGE, NUL, NUMBERS, form_fields
from tests.routes.world import World
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint

# Both sign-in services configured, LinkedIn's discovery on a port where nothing listens.
SIGN_IN_SERVICES = {
    "SOCIALACCOUNT_PROVIDERS": social_providers(
        google=("matrix-google.apps.googleusercontent.com", "matrix-secret"),
        linkedin=("matrix-linkedin", "matrix-secret"),
        linkedin_url="http://127.0.0.1:9/oauth",
    )
}


@dataclass(frozen=True)
class Route:
    """One route: how to reach it, what each role gets, and how to fuzz it.

    Who may use it (the authorization matrix): `get` and `post` give each role's answer to a
    GET and to a POST of a body that says nothing (`post` None: not posted); `kwargs` builds
    the URL's arguments from the world; `side` says whose object it is ("mentee" makes the
    mentee the owner and the mentor the counterpart, "mentor" the other way round); `watch`
    reads what a refused request must leave as it was; only the roles in `may_change` may
    change it.

    What it takes (the fuzz): `user` names the person allowed to use it (a World attribute, or
    None: signed out); `fields` its field names with values of their type; `valid` a body that
    is accepted (what the mutations start from); `fuzz_kwargs` the URL's arguments where that
    body needs another object than `kwargs`'s; `watched` the world's objects whose columns a
    refused request must leave as they were; `whole` what an accepted request must have left (a
    function of the world, the snapshots before and after, and the body sent; by default no row
    added or removed anywhere); `get_params` an htmx GET endpoint's query parameters;
    `reads_headers` the headers it reads beyond the middleware's (sent in every hostile-header
    example; a route that shows times in the viewer's zone has an empty tuple): such routes get
    more examples.

    `settings` are what the route needs to run (the demo payment provider, webhook secrets);
    `fuzz_settings` what the fuzz sets besides, so that its accepted body goes through (the
    matrix asks those routes with the payment provider the test settings leave unconfigured).
    """

    get: dict
    user: str | None
    post: dict | None = None
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    side: str = "mentee"
    watch: Callable[[World], object] | None = None
    may_change: frozenset = frozenset()
    settings: dict = field(default_factory=dict)
    fuzz_settings: dict = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    valid: Callable[[World], dict] = field(default=lambda w: {})
    fuzz_kwargs: Callable[[World], dict] | None = None
    watched: tuple[str, ...] = ()
    whole: Callable | None = None
    get_params: dict[str, list[str]] | None = None
    reads_headers: tuple[str, ...] | None = None
    no_accepted_body: str = ""  # why no body the fuzz can make is accepted; its refusals are fuzzed

    @property
    def settings_for_fuzz(self) -> dict:
        return {**self.settings, **self.fuzz_settings}

    def url(self, name: str, world: World) -> str:
        return reverse(name, kwargs=self.kwargs(world))

    def fuzz_url(self, name: str, world: World) -> str:
        return reverse(name, kwargs=(self.fuzz_kwargs or self.kwargs)(world))


def booking(w):
    return {"booking_id": w.booking.pk}


def requested(w):
    return {"booking_id": w.requested.pk}


def requested_state(w):
    return fresh(w.requested, "state"), fresh(w.requested.approval, "decision", "message")


def done(w):
    return {"booking_id": w.done.pk}


def cohort(w):
    return {"slug": w.cohort.slug}


def subscription(w):
    return {"subscription_id": w.subscription.pk}


def plan(w):
    return {"plan_id": w.plan.pk}


def pack(w):
    return {"pack_id": w.pack.pk}


def webhook(w):
    return {"endpoint_id": w.webhook_endpoint.pk}


def webhook_state(w):
    return fresh(w.webhook_endpoint, "url", "events", "is_active", "secret"), fresh(
        w.webhook_delivery, "state", "next_attempt_at"
    )


def webhook_acted(w, before, after, body):
    """Sent a test event (one delivery more), rolled the secret, sent one again (no row), or
    deleted the endpoint with its log: nothing else."""
    only("webhooks_webhookendpoint", "webhooks_webhookdelivery")(w, before, after, body)
    gone = before.grew(after, WebhookEndpoint)
    assert gone in (0, -1)
    assert before.grew(after, WebhookDelivery) <= (0 if gone else 1)


def group(w):
    return {"group_session_id": w.group_session.pk}


def group_draft(w):
    return {"group_session_id": w.group_draft.pk}


def _group_form_body(w) -> dict:
    starts = timezone.now().astimezone(w.profile.zone) + timedelta(days=30)
    return {
        "title": "Fuzzed workshop",
        "description": "Something useful.",
        "starts_at": starts.replace(hour=7, minute=0).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "seats": "10",
        "seats_min": "2",
        "price": "0",
        "currency": "USD",
        "cancellation_hours": "24",
        "join_url": "",
    }


def pack_purchase(w):
    return {"purchase_id": w.pack_purchase.pk}


def _future(days: int) -> str:
    return (timezone.now().date() + timedelta(days=days)).isoformat()


def _cohort_form_body(w) -> dict:
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


PREWORK = {"prework_0": "Two offers", "prework_1": "Growth"}


# Mentee-side objects: the owner is the booking's mentee, the counterpart its mentor.
# Mentor-side pages (side="mentor"): the owner is the mentor, the counterpart the mentee.
# What writing a mentor profile (applying, or editing it) may leave changed.
PROFILE_WRITTEN = only(
    "mentors_mentorprofile",
    "mentors_mentorprofile_skills",
    "mentors_mentorprofile_languages",
    "mentors_skill",
    "mentors_historicalmentorprofile",
)

ROUTES: dict[str, Route] = {
    # Pages with no object.
    "home": Route(get=EVERYONE, user="mentee"),
    "healthz": Route(get=codes(ALIVE, anonymous=ALIVE), user=None),
    "favicon": Route(get=codes(302, anonymous=302), user=None),
    # A stored photo cut to an avatar's size; the world's mentors have none, so: not found.
    "face": Route(
        get=codes(404, anonymous=404),
        kwargs=lambda w: {"px": 56, "name": "mentors/" + "0" * 32 + ".jpg"},
        user=None,
    ),
    "mentors:directory": Route(
        get=EVERYONE, user=None, get_params={**form_fields(DirectoryForm), "page": NUMBERS}
    ),
    "mentors:profile": Route(
        get=EVERYONE, kwargs=lambda w: {"slug": w.profile.slug}, user=None, reads_headers=()
    ),
    "mentors:apply": Route(
        get=SIGNED_IN,
        user="other_mentee",
        fields=form_fields(MentorApplicationForm),
        valid=lambda w: {
            "headline": "I help with hiring",
            "bio": "Ten years of it.",
            "skills": "Hiring, Python",
            "languages": "en",  # made with the world
            "years_experience": "10",
            "timezone": "Europe/Paris",
        },
        whole=PROFILE_WRITTEN,
    ),
    "mentors:profile_edit": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        user="mentor",
        fields=form_fields(MentorProfileForm),
        valid=lambda w: {
            "headline": "I help with hiring",
            "bio": "Ten years of it.",
            "skills": "Hiring, Python",
            "languages": "en",
            "years_experience": "11",
        },
        watched=("profile",),
        whole=PROFILE_WRITTEN,
    ),
    "sessions:offering": Route(
        get=EVERYONE,
        kwargs=lambda w: {"slug": w.offering.slug},
        user="mentee",
        get_params={"day": DATES + DATETIMES, "slot": DATETIMES + DATES},
        reads_headers=(),
    ),
    # The booking widget: framed pages anyone sees, the script host sites load, the step to the
    # top window (302 to the offering page whatever the slot says).
    "embed:home": Route(get=EVERYONE, kwargs=lambda w: {"mentor_slug": w.profile.slug}, user=None),
    "embed:offering": Route(
        get=EVERYONE,
        kwargs=lambda w: {
            "mentor_slug": w.profile.slug,
            "offering_slug": w.offering.slug,
            "zone": "Asia/Tokyo",
        },
        user=None,
        get_params={"day": DATES + DATETIMES, "month": DATES, "slot": DATETIMES + DATES},
        reads_headers=(),
    ),
    "embed:continue": Route(
        get=codes(302, anonymous=302),
        kwargs=lambda w: {"offering_slug": w.offering.slug},
        user="mentee",
        get_params={"slot": DATETIMES + DATES, "tz": ["Europe/Berlin", "Mars/Base", "", NUL]},
        reads_headers=(),
    ),
    "embed:script": Route(get=EVERYONE, user=None),
    "cohorts:list": Route(
        get=EVERYONE, user=None, get_params={**form_fields(CohortFilterForm), "page": NUMBERS}
    ),
    "cohorts:detail": Route(get=EVERYONE, kwargs=cohort, user="other_mentee"),
    "subscriptions:plan": Route(get=EVERYONE, kwargs=plan, user="mentee"),
    "matching:match": Route(
        get=EVERYONE,
        user="mentee",
        fields=form_fields(IntakeForm),
        valid=lambda w: {"need": "Should I take the offer?", "currency": "USD", "format": "any"},
        whole=only("matching_intake", "matching_intake_skills", "matching_recommendation"),
        get_params={"poll": NUMBERS, "part": ["messages", "results", NUL]},
    ),
    "matching:go": Route(get=codes(302), kwargs=lambda w: {"position": 1}, user="mentee"),
    "matching:seen": Route(
        get=POST_ONLY,
        post=codes(204),
        user="mentee",
        fields={"shown": ["offering:1", "plan:", ":", "cohort:99999999999999999999", NUL]},
        valid=lambda w: {"shown": "offering:1"},
        whole=only("matching_impression"),
    ),
    "dashboard:home": Route(get=SIGNED_IN, user="mentee", reads_headers=()),
    "dashboard:insights": Route(get=codes(moderator=200, superuser=200), user="moderator"),
    "dashboard:insight_csv": Route(
        get=codes(moderator=200, superuser=200),
        kwargs=lambda w: {"figure": "repeat-booking"},
        user="moderator",
    ),
    "accounts:settings": Route(
        get=SIGNED_IN,
        user="mentee",
        fields=form_fields(SettingsForm),
        valid=lambda w: {"display_name": "Maya", "timezone": "Europe/Paris"},
        whole=only(),
    ),
    "accounts:data_export": Route(get=SIGNED_IN, user="mentee"),
    "accounts:delete": Route(
        get=SIGNED_IN,
        user="leaver",
        fields=form_fields(DeleteAccountForm),
        valid=lambda w: {"confirm": "on"},
        watched=("leaver",),
        whole=account_deleted,
    ),
    # The zone times are shown in: anyone may switch (a cookie, or this visit's session), and
    # a signed-in person may keep it; both go back to the page they came from.
    "accounts:view_zone": Route(
        get=codes(405, anonymous=405),
        post=codes(302, anonymous=302),
        user=None,
        fields={
            "zone": ["Asia/Calcutta", "Mars/Olympus", "", "UTC", NUL],
            "next": ["/", "//evil.example", ""],
        },
        valid=lambda w: {"zone": "Asia/Kolkata", "next": "/"},
        whole=only(),
    ),
    "accounts:zone_list": Route(get=EVERYONE, user=None),
    # The footer's language switcher: anyone (a cookie; signed in, the account's language too),
    # back to the page it was on.
    "set_language": Route(
        get=codes(405, anonymous=405),
        post=codes(302, anonymous=302),
        user=None,
        fields={
            "language": ["es", "de", "xx", "", NUL],
            "next": ["/", "//evil.example", "https://evil.example/", ""],
        },
        valid=lambda w: {"language": "de", "next": "/"},
    ),
    "accounts:save_zone": Route(
        get=codes(405),
        post=codes(302),
        user="mentee",
        fields={"next": ["/", "https://evil.example/", ""]},
        valid=lambda w: {"next": "/"},
        whole=only(),
    ),
    # A mentor's own pages: every mentor has theirs, nobody else has one.
    "mentors:availability": Route(
        get=MENTORS,
        side="mentor",
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
        valid=lambda w: {
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
        watched=("profile",),
        whole=only("mentors_weeklyrule", "mentors_dateoverride", "mentors_historicalmentorprofile"),
    ),
    "embed:mentor_widget": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        user="mentor",
        fields=form_fields(WidgetForm),
        valid=lambda w: {"origins": "https://coach.example.com", "accent": "teal"},
        watched=("profile",),
        whole=only("embed_widget"),
    ),
    "embed:preview": Route(get=MENTORS, side="mentor", user="mentor"),
    # The mentor's Impact page: reads only, their own mentees' figures.
    "mentors:impact": Route(get=MENTORS, side="mentor", user="mentor"),
    "embed:preview_offering": Route(
        get=codes(owner=200),
        side="mentor",
        kwargs=lambda w: {"offering_slug": w.offering.slug, "zone": "Europe/Berlin"},
        user="mentor",
        get_params={"day": DATES + DATETIMES, "month": DATES, "slot": DATETIMES + DATES},
    ),
    "calendars:list": Route(
        get=MENTORS,
        side="mentor",
        user="mentor",
        fields={
            "section": ["feed", "caldav", "choose", "sync", "remove", "x"],
            "pk": NUMBERS,
            "busy": ["https://caldav.example.com/work/", ""],
            "write": ["https://caldav.example.com/work/", ""],
            **form_fields(FeedForm, prefix="feed"),
            **form_fields(CalDAVForm, prefix="caldav"),
        },
        valid=lambda w: {
            "section": "feed",
            "feed-name": "Work",
            "feed-url": "webcal://calendar.example.com/work.ics",
        },
        watched=("profile",),
        whole=only("calendars_calendarconnection"),
    ),
    # Off to Google and back (the round trip itself: tests/calendars/test_google.py).
    "calendars:google": Route(
        get=codes(owner=302, other_mentor=302),
        side="mentor",
        user="mentor",
        settings={"GOOGLE_CLIENT_ID": "client.apps.googleusercontent.com", "GOOGLE_CLIENT_SECRET": "secret"},
        get_params={"reconnect": NUMBERS},
    ),
    "calendars:google_done": Route(
        get=codes(owner=302, other_mentor=302),
        side="mentor",
        user="mentor",
        get_params={
            "code": ["4/abc", "", HUGE],
            "state": ["forged", "", NUL],
            "error": ["access_denied", ""],
        },
    ),
    # Webhooks: the mentor's endpoints, their log, a test event, "send again".
    "webhooks:list": Route(get=MENTORS, side="mentor", user="mentor", reads_headers=()),
    "webhooks:new": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: WebhookEndpoint.objects.count(),
        user="mentor",
        fields=form_fields(EndpointForm),
        valid=lambda w: {"url": "http://127.0.0.1:9/new", "events": "booking.created", "description": "CRM"},
        whole=saved_one(WebhookEndpoint),
    ),
    "webhooks:edit": Route(
        get=codes(owner=200),
        post=codes(owner=400),
        kwargs=webhook,
        side="mentor",
        watch=webhook_state,
        user="mentor",
        fields=form_fields(EndpointForm),
        valid=lambda w: {"url": "http://127.0.0.1:9/edited", "events": "booking.cancelled"},
        watched=("webhook_endpoint",),
    ),
    "webhooks:endpoint": Route(
        get=codes(owner=200),
        post=codes(owner=302),
        kwargs=webhook,
        side="mentor",
        watch=webhook_state,
        user="mentor",
        fields={
            "section": ["ping", "roll", "resend", "delete", "x", ""],
            "delivery": ["5b1f0c7e-2f5a-4c1e-9d3b-0a8f5e6d7c21", "", "12"],
        },
        valid=lambda w: {"section": "resend", "delivery": str(w.webhook_delivery.pk)},
        watched=("webhook_endpoint", "webhook_delivery"),
        whole=webhook_acted,
        reads_headers=(),
    ),
    "mentors:offerings": Route(get=MENTORS, side="mentor", user="mentor"),
    "mentors:offering_new": Route(
        get=MENTORS,
        side="mentor",
        user="mentor",
        fields=form_fields(OfferingForm),
        valid=lambda w: {
            "title": "A new one",
            "outcome": "A plan",
            "duration_minutes": "45",
            "currency": "USD",
            "price": "20",
            "cancellation_window_hours": "24",
            "prework_prompts_text": "What?\nWhy?",
        },
        watched=("offering",),
        whole=offering_saved,
    ),
    "mentors:offering_edit": Route(
        get=codes(owner=200),
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=offering_state,
        user="mentor",
        fields=form_fields(OfferingForm),
        valid=lambda w: {
            "title": "Renamed",
            "outcome": "A decision",
            "duration_minutes": "30",
            "currency": "EUR",
            "price": "45.50",
            "cancellation_window_hours": "12",
        },
        whole=offering_saved,
    ),
    "mentors:offering_publish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=offering_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields={"published": ["0", "1", "", "yes"]},
        valid=lambda w: {"published": "0"},
        whole=only("mentoring_historicaloffering"),
    ),
    "subscriptions:mentor_plans": Route(get=MENTORS, side="mentor", user="mentor"),
    "subscriptions:plan_new": Route(
        get=MENTORS,
        side="mentor",
        user="mentor",
        fields=form_fields(PlanForm),
        valid=lambda w: {
            "name": "Two a month",
            "currency": "USD",
            "price": "99",
            "credits_per_period": "2",
            "max_session_minutes": "60",
            "includes_qa": "on",
        },
        watched=("plan",),
        whole=plan_saved,
    ),
    "subscriptions:plan_edit": Route(
        get=codes(owner=200),
        post=codes(owner=400),
        kwargs=plan,
        side="mentor",
        watch=plan_state,
        user="mentor",
        fields=form_fields(PlanForm),
        valid=lambda w: {
            "name": "Renamed plan",
            "currency": "USD",
            "price": "120",
            "credits_per_period": "3",
            "max_session_minutes": "45",
            "max_subscribers": "5",
        },
        whole=plan_saved,
    ),
    "subscriptions:plan_publish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=plan,
        side="mentor",
        watch=plan_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields={"published": ["0", "1", ""]},
        valid=lambda w: {"published": "0"},
        whole=only("subscriptions_historicalplan"),
    ),
    # Session packs: the mentor sets them up on their paid offerings.
    "mentors:mentor_requests": Route(get=MENTORS, side="mentor", user="mentor"),
    "packs:mentor_packs": Route(get=MENTORS, side="mentor", user="mentor"),
    "packs:pack_new": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: Pack.objects.count(),
        user="mentor",
        fields=form_fields(PackForm),
        valid=lambda w: {
            "offering": str(w.unpacked.pk),
            "sessions": "4",
            "discount_percent": "20",
            "valid_months": "3",
        },
        whole=pack_saved,
    ),
    "packs:pack_edit": Route(
        get=codes(owner=200),
        post=codes(owner=400),
        kwargs=pack,
        side="mentor",
        watch=pack_state,
        user="mentor",
        fields=form_fields(PackForm),
        valid=lambda w: {
            "offering": str(w.offering.pk),
            "sessions": "5",
            "discount_percent": "10",
            "valid_months": "12",
        },
        watched=("pack",),
        whole=pack_saved,
    ),
    "packs:pack_publish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=pack,
        side="mentor",
        watch=pack_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields={"published": ["0", "1", "", "yes"]},
        valid=lambda w: {"published": "0"},
        whole=only("packs_historicalpack"),
    ),
    # Group sessions: the mentor creates, publishes and cancels theirs (everyone refunded).
    "groups:mentor_groups": Route(get=MENTORS, side="mentor", user="mentor"),
    "groups:new": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: GroupSession.objects.count(),
        user="mentor",
        fields=form_fields(GroupSessionForm),
        valid=_group_form_body,
        whole=only("groups_groupsession", "groups_historicalgroupsession"),
        reads_headers=(),
    ),
    "groups:publish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=group_draft,
        side="mentor",
        watch=group_session_state,
        may_change=OWNER_ONLY,
        user="mentor",
        whole=only("groups_historicalgroupsession"),
    ),
    "groups:cancel": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=group,
        side="mentor",
        watch=group_session_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields={"reason": ["I am ill", "", NUL, HUGE]},
        valid=lambda w: {"reason": "I am ill"},
        watched=("group_session",),
        whole=GROUP_SESSION_CANCELLED,
    ),
    "billing:payouts": Route(get=MENTORS, side="mentor", user="mentor"),
    "billing:payouts_return": Route(get=codes(owner=302, other_mentor=302), side="mentor", user="mentor"),
    "billing:payouts_refresh": Route(get=codes(owner=302, other_mentor=302), side="mentor", user="mentor"),
    "billing:earnings": Route(get=MENTORS, side="mentor", user="mentor"),
    # Promotion codes: each mentor makes their own and switches off only theirs.
    "billing:codes": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: PromotionCode.objects.count(),
        user="mentor",
        fields=form_fields(PromotionCodeForm),
        valid=lambda w: {
            "code": "SPRING15",
            "off": "percent",
            "value": "15",
            "currency": "USD",
            "applies_to": "",
            "expires_on": "",
            "max_uses": "20",
        },
        whole=saved_one(PromotionCode, "billing_historicalpromotioncode"),
    ),
    "billing:code_deactivate": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"code_id": w.promo_code.pk},
        side="mentor",
        watch=lambda w: fresh(w.promo_code, "is_active"),
        may_change=OWNER_ONLY,
        user="mentor",
        whole=only("billing_historicalpromotioncode"),
    ),
    "cohorts:manage_list": Route(get=MENTORS, side="mentor", user="mentor"),
    "cohorts:create": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: Cohort.objects.count(),
        user="mentor",
        fields=form_fields(CohortForm),
        valid=_cohort_form_body,
        whole=cohort_saved,
    ),
    # Bookings: the mentee, the mentor and staff read; an anonymous visitor gets the same 404.
    "sessions:booking": Route(get=PARTIES_AND_STAFF, kwargs=booking, user="mentee", reads_headers=()),
    "sessions:booking_ics": Route(get=PARTIES_AND_STAFF, kwargs=booking, user="mentee"),
    "sessions:booking_cancel": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=booking_state,
        may_change=frozenset({"owner", "counterpart"}),
        user="mentee",
        fields=form_fields(CancelForm),
        valid=lambda w: {"reason": "Something came up"},
        watched=("booking", "payment"),
        whole=state_moved_with_event("booking"),
    ),
    # Cancelling a weekly series from this occurrence on: the two people of the booking.
    "sessions:series_cancel": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=booking_state,
        may_change=frozenset({"owner", "counterpart"}),
        user="mentee",
        fields={"reason": ["Something came up", HUGE, NUL]},
        valid=lambda w: {"reason": "Something came up"},
        watched=("booking", "payment"),
        whole=state_moved_with_event("booking"),
    ),
    "sessions:booking_reschedule": Route(
        get=PARTIES_AND_STAFF,
        post=PARTIES_AND_STAFF,
        kwargs=booking,
        watch=booking_state,
        user="mentee",
        fields=form_fields(RescheduleForm),
        valid=lambda w: {"starts_at": w.slot},
        watched=("booking",),
        whole=state_moved_with_event("booking"),
        get_params={"day": DATES + DATETIMES, "slot": DATETIMES},
    ),
    "sessions:booking_prework": Route(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=booking_state,
        user="mentee",
        fields={
            "outcome": [],
            "context_notes": [],
            "links": [],
            "prework_0": [],
            "prework_1": [],
        },
        valid=lambda w: {"outcome": "A plan", "prework_0": "Two offers"},
        watched=("booking",),
        whole=only(),
    ),
    "sessions:booking_close": Route(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=lambda w: ActionItem.objects.count(),
        user="mentor",
        fuzz_kwargs=lambda w: {"booking_id": w.ended.pk},
        fields=form_fields(CloseForm),
        valid=lambda w: {"action_item": "Write it", "due_date": _future(7)},
        watched=("ended",),
        whole=only(
            "mentoring_actionitem",
            "mentoring_bookingevent",
            "mentoring_historicalbooking",
            "notifications_notification",
        ),
    ),
    "sessions:report_no_show": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=booking_state,
        user="mentee",
        fuzz_kwargs=lambda w: {"booking_id": w.ended.pk},
        watched=("ended",),
        whole=state_moved_with_event("ended"),
    ),
    # Request to book: the mentor answers, the mentee may withdraw (sessions/request_views.py).
    "sessions:request_accept": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=requested,
        side="mentor",
        watch=requested_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields=form_fields(RequestAnswerForm),
        valid=lambda w: {"message": "See you then"},
        watched=("requested",),
        whole=state_moved_with_event("requested"),
    ),
    "sessions:request_decline": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=requested,
        side="mentor",
        watch=requested_state,
        may_change=OWNER_ONLY,
        user="mentor",
        fields=form_fields(RequestAnswerForm),
        valid=lambda w: {"message": "Fully booked"},
        watched=("requested",),
        whole=state_moved_with_event("requested"),
    ),
    "sessions:request_withdraw": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=requested,
        watch=requested_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("requested",),
        whole=state_moved_with_event("requested"),
    ),
    "sessions:contest_no_show": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=booking,
        watch=lambda w: (booking_state(w), NoShowDispute.objects.count()),
        user="mentee",
        fields=form_fields(NoShowContestForm),
        valid=lambda w: {"note": "I was there"},
        watched=("booking",),
        whole=saved_one(NoShowDispute),
    ),
    "sessions:action_item_done": Route(
        get=POST_ONLY,
        post=codes(owner=302, counterpart=302, moderator=302, superuser=302),
        kwargs=done,
        watch=done_state,
        may_change=OWNER_ONLY,
        user="mentee",
        fields={"done": ["1", "0", "", "2"]},
        valid=lambda w: {"done": "1"},
        watched=("done",),
    ),
    "sessions:review": Route(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=done,
        watch=done_state,
        user="mentee",
        fuzz_kwargs=lambda w: {"booking_id": w.unreviewed.pk},
        fields=form_fields(ReviewForm),
        valid=lambda w: {"rating": "5", "text": "Good"},
        whole=saved_one(Review),
    ),
    "sessions:review_reply": Route(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=done,
        watch=done_state,
        user="mentor",
        fields=form_fields(ReplyForm),
        valid=lambda w: {"reply": "Thank you"},
        watched=("done",),
        whole=only(),
    ),
    # The booking form's "Apply": what a code takes off (400 with the reason when it cannot).
    "sessions:offering_code": Route(
        get=codes(400),
        kwargs=lambda w: {"slug": w.offering.slug},
        user="other_mentee",
        get_params={"code": ["WORLD10", "world10", "", "NOPE", HUGE, NUL]},
    ),
    "sessions:book": Route(
        get=POST_ONLY,
        post=codes(400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=lambda w: Booking.objects.count(),
        fuzz_settings=DEMO,
        user="other_mentee",
        # "weeks" is the weekly repeat's (sessions:series_preview, its own button): ignored here.
        fields={**form_fields(BookingForm), "prework_0": [], "prework_1": [], "prework_2": [], "weeks": []},
        valid=lambda w: {"starts_at": w.slot, "outcome": "A decision", **PREWORK},
        watched=("offering",),
        whole=booking_made,
        reads_headers=("X-Forwarded-For",),
    ),
    # Weekly series: the preview of the dates changes nothing; booking them is all or nothing.
    "sessions:series_preview": Route(
        get=POST_ONLY,
        post=codes(400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=lambda w: Booking.objects.count(),
        user="other_mentee",
        fields={**form_fields(SeriesForm), "prework_0": [], "prework_1": [], "prework_2": []},
        valid=lambda w: {"starts_at": w.slot, "outcome": "A decision", "weeks": "2", **PREWORK},
        watched=("offering",),
        whole=only(),
        reads_headers=("X-Forwarded-For",),
    ),
    "sessions:series_book": Route(
        get=POST_ONLY,
        post=codes(400),
        kwargs=lambda w: {"slug": w.offering.slug},
        side="mentor",
        watch=lambda w: Booking.objects.count(),
        fuzz_settings=DEMO,
        user="other_mentee",
        fields={**form_fields(SeriesForm), "dates": DATETIMES, "prework_0": [], "prework_1": []},
        valid=lambda w: {
            "starts_at": w.slot,
            "outcome": "A decision",
            "weeks": "2",
            "dates": w.slot,
            **PREWORK,
        },
        watched=("offering",),
        whole=booking_made,
        reads_headers=("X-Forwarded-For",),
    ),
    # Messages: the two participants write, staff read (an empty message is refused with 400).
    "qa:booking_thread": Route(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=booking,
        watch=lambda w: Message.objects.count(),
        user="mentee",
        fields=form_fields(QAMessageForm),
        valid=lambda w: {"body": "A question"},
        watched=("thread",),
        whole=saved_one(Message),
        get_params={"part": ["messages", "thread", NUL, HUGE]},
        reads_headers=("X-Forwarded-For",),
    ),
    "qa:subscription_thread": Route(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=subscription,
        watch=lambda w: Message.objects.count(),
        user="mentee",
        fields=form_fields(QAMessageForm),
        valid=lambda w: {"body": "A question"},
        whole=saved_one(Message),
        get_params={"part": ["messages", "thread", NUL]},
    ),
    # Questions from a mentor's profile: any signed-in person asks; the question's mentee, its
    # mentor (once it is asked) and staff read; only the mentor answers, once.
    "qa:ask": Route(
        get=SIGNED_IN,
        post=codes(400),
        kwargs=lambda w: {"slug": w.profile.slug},
        watch=lambda w: Question.objects.count(),
        user="other_mentee",
        fields=form_fields(QuestionForm),
        valid=lambda w: {"kind": "free", "body": "Is a PhD worth it for ML roles?"},
        whole=question_asked,
    ),
    "qa:question": Route(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=lambda w: {"question_id": w.question.pk},
        watch=lambda w: (Message.objects.count(), fresh(w.question, "state")),
        user="mentor",
        fields=form_fields(AnswerForm),
        valid=lambda w: {"body": "Not for most product roles."},
        watched=("question",),
        whole=question_answered,
        get_params={"paid": ["1", NUL], "part": ["status", NUL, HUGE]},
        reads_headers=(),
    ),
    # Declining instead of answering: only its mentor; the mentee and staff are refused on the page.
    "qa:question_decline": Route(
        get=POST_ONLY,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=lambda w: {"question_id": w.question.pk},
        watch=lambda w: (Message.objects.count(), fresh(w.question, "state")),
        user="mentor",
        fields=form_fields(DeclineForm),
        valid=lambda w: {"reason": "This needs a session, not a written answer."},
        watched=("question",),
        whole=question_declined,
    ),
    # Paying for a held question: only its mentee (its mentor cannot see it before it is paid).
    "qa:question_pay": Route(
        get=POST_ONLY,
        post=codes(other_mentee=302),
        kwargs=lambda w: {"question_id": w.paid_question.pk},
        watch=lambda w: (fresh(w.paid_question, "state"), Payment.objects.count()),
        fuzz_settings=DEMO,
        user="other_mentee",
        whole=only("billing_payment", "billing_historicalpayment"),  # its checkout opened
    ),
    "qa:mentor_questions": Route(
        get=MENTORS,
        post=codes(owner=400, other_mentor=400),
        side="mentor",
        watch=lambda w: list(QuestionOffer.objects.values_list("mentor", "is_active", "price_amount")),
        user="mentor",
        fields=form_fields(QuestionOfferForm),
        valid=lambda w: {"is_active": "on", "price": "25", "currency": "USD", "answer_days": "3"},
        whole=only("qa_questionoffer"),
    ),
    "moderation:report": Route(
        get=PARTIES_AND_STAFF,
        post=codes(owner=400, counterpart=400, moderator=400, superuser=400),
        kwargs=lambda w: {"kind": Report.Kind.MESSAGE, "object_id": w.message.pk},
        watch=lambda w: Report.objects.count(),
        user="mentor",
        fields=form_fields(ReportForm),
        valid=lambda w: {"reason": "spam", "note": "", "next": "/"},
        whole=saved_one(Report),
    ),
    # Checkout pages of a booking: its mentee only.
    "billing:checkout_start": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=booking,
        watch=lambda w: (booking_state(w), Payment.objects.count()),
        fuzz_settings=DEMO,
        user="mentee",
        watched=("booking",),
    ),
    # The return from checkout: the held booking's page polls; a confirmed one's moves to its
    # confirmation (tests/billing/test_demo_and_payouts.py).
    "billing:checkout_success": Route(get=OWNER, kwargs=lambda w: {"booking_id": w.held.pk}, user="mentee"),
    # Back from checkout without paying: a plain GET asks first; the POST lets the time go.
    # The world's held booking: releasing it writes its event and a past version.
    "billing:checkout_cancel": Route(
        get=OWNER,
        post=codes(owner=302),
        kwargs=lambda w: {"booking_id": w.held.pk},
        watch=lambda w: fresh(w.held, "state"),
        may_change=OWNER_ONLY,
        user="mentee",
        whole=only("mentoring_bookingevent", "mentoring_historicalbooking"),
    ),
    "billing:demo_checkout": Route(
        get=OWNER,
        post=codes(owner=200),
        kwargs=lambda w: {"payment_id": w.payment.pk},
        watch=lambda w: (fresh(w.payment, "state"), booking_state(w)),
        settings=DEMO,
        user="mentee",
        fields={"action": ["pay", "decline", "abandon", "", "PAY"]},
        valid=lambda w: {"action": "decline"},
        whole=only("billing_webhookevent"),
    ),
    # Webhooks: no signature, no entry, whoever sends it.
    "billing:stripe_webhook": Route(
        get=codes(405, anonymous=405),
        post=codes(400, anonymous=400),
        settings=WEBHOOK_SECRETS,
        user=None,
        reads_headers=("Stripe-Signature",),
    ),
    "billing:connect_webhook": Route(
        get=codes(405, anonymous=405),
        post=codes(400, anonymous=400),
        settings=WEBHOOK_SECRETS,
        user=None,
        reads_headers=("Stripe-Signature",),
    ),
    # Subscriptions: the subscriber, the mentor and staff read; only the subscriber manages.
    "subscriptions:subscribe": Route(
        get=POST_ONLY,
        post=codes(302),
        kwargs=plan,
        watch=subscription_state,
        fuzz_settings=DEMO,
        user="other_mentee",
        fields=form_fields(SubscribeForm),
        whole=subscription_started,
    ),
    "subscriptions:detail": Route(get=PARTIES_AND_STAFF, kwargs=subscription, user="mentee"),
    # Packs: anyone signed in may buy one (a checkout; nothing to spend until it is paid); the
    # mentee, the mentor and staff read a bought pack; only its mentee has the unused refunded.
    "packs:buy": Route(
        get=POST_ONLY,
        post=codes(302),
        kwargs=pack,
        watch=lambda w: PackPurchase.objects.count(),
        fuzz_settings=DEMO,
        user="other_mentee",
        fields=form_fields(PackBuyForm),
        whole=pack_bought,
    ),
    "packs:detail": Route(get=PARTIES_AND_STAFF, kwargs=pack_purchase, user="mentee"),
    # Group sessions: anyone reads a published one (only attendees and the mentor see its join
    # link: tests/groups/test_pages.py); anyone signed in may book a seat (a checkout); only the
    # seat's mentee cancels it.
    "groups:detail": Route(get=EVERYONE, kwargs=group, user="mentee", reads_headers=()),
    "groups:book": Route(
        get=POST_ONLY,
        post=codes(302),
        kwargs=group,
        watch=lambda w: GroupSeat.objects.count(),
        fuzz_settings=DEMO,
        user="other_mentee",
        whole=group_seat_booked,
    ),
    "groups:cancel_seat": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=group,
        watch=group_seat_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("group_seat",),
        whole=GROUP_SEAT_CANCELLED,
    ),
    "packs:refund": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=pack_purchase,
        watch=pack_purchase_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("pack_purchase",),
        whole=PACK_REFUNDED,
    ),
    "subscriptions:welcome": Route(get=OWNER, kwargs=subscription, user="mentee"),
    "subscriptions:checkout_cancel": Route(
        get=codes(owner=302),
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        user="mentee",
    ),
    "subscriptions:cancel": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("subscription",),
        whole=SUBSCRIPTION_CHANGED,
    ),
    "subscriptions:resume": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("subscription",),
        whole=SUBSCRIPTION_CHANGED,
    ),
    "subscriptions:switch": Route(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=subscription,
        watch=subscription_state,
        user="mentee",
        fields=form_fields(SwitchPlanForm),
        valid=lambda w: {"plan": str(w.other_plan.pk)},
        watched=("subscription",),
        whole=SUBSCRIPTION_CHANGED,
    ),
    "subscriptions:portal": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=subscription,
        watch=subscription_state,
        fuzz_settings=DEMO,
        user="mentee",
    ),
    "subscriptions:demo_checkout": Route(
        get=OWNER,
        post=codes(owner=200),
        kwargs=subscription,
        watch=subscription_state,
        settings=DEMO,
        user="mentee",
        fields={"action": ["pay", "decline", "abandon", ""]},
        valid=lambda w: {"action": "decline"},
        whole=only("billing_webhookevent"),
    ),
    "subscriptions:demo_portal": Route(get=OWNER, kwargs=subscription, settings=DEMO, user="mentee"),
    # Cohort places: only one's own.
    "cohorts:enroll": Route(
        get=POST_ONLY,
        post=codes(400),
        kwargs=cohort,
        watch=lambda w: Enrollment.objects.count(),
        user="other_mentee",
        fuzz_kwargs=lambda w: {"slug": w.open_cohort.slug},
        fields=form_fields(EnrollForm),
        valid=lambda w: {"accept_norms": "on"},
        whole=saved_one(Enrollment, "cohorts_historicalenrollment"),
    ),
    "cohorts:claim": Route(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=cohort,
        watch=cohort_state,
        user="offered",
        fuzz_kwargs=lambda w: {"slug": w.open_cohort.slug},
        fields=form_fields(EnrollForm),
        valid=lambda w: {"accept_norms": "on"},
        whole=only("cohorts_historicalenrollment"),
    ),
    "cohorts:leave": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=cohort,
        watch=cohort_state,
        may_change=OWNER_ONLY,
        user="mentee",
        watched=("enrollment",),
        whole=only("cohorts_historicalenrollment"),
    ),
    "cohorts:pay": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=cohort,
        watch=cohort_state,
        fuzz_settings=DEMO,
        user="mentee",
    ),
    "cohorts:checkout_success": Route(get=OWNER, kwargs=cohort, user="mentee"),
    "cohorts:checkout_cancel": Route(
        get=codes(302), post=codes(302), kwargs=cohort, watch=cohort_state, user="mentee"
    ),
    # The member space: members, the facilitator and staff.
    "cohorts:space": Route(get=PARTIES_AND_STAFF, kwargs=cohort, user="mentee"),
    "cohorts:members": Route(get=PARTIES_AND_STAFF, kwargs=cohort, user="mentee"),
    "cohorts:module": Route(
        get=PARTIES_AND_STAFF, kwargs=lambda w: {"slug": w.cohort.slug, "week": 1}, user="mentee"
    ),
    "cohorts:submit": Route(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "week": 1},
        watch=lambda w: list(Submission.objects.values_list("pk", "text", "links")),
        user="mentee",
        fields=form_fields(SubmissionForm),
        valid=lambda w: {"text": "My plan", "links": "https://example.com/plan"},
        whole=saved_one(Submission),
    ),
    "cohorts:peer_review": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "review_id": w.peer_review.pk},
        watch=lambda w: fresh(w.peer_review, "what_works", "suggestion", "question", "submitted_at"),
        user="mentee",
        fields=form_fields(PeerReviewForm),
        valid=lambda w: {"what_works": "Clear", "suggestion": "Shorter", "question": "Why?"},
        watched=("peer_review",),
        whole=only(),
    ),
    # The private calendar feed: the unguessable token is the key, for whoever holds it.
    "cohorts:calendar_feed": Route(
        get=codes(200, anonymous=200), kwargs=lambda w: {"token": w.feed.token}, user=None
    ),
    "cohorts:calendar_regenerate": Route(
        get=POST_ONLY,
        post=codes(302),
        watch=lambda w: fresh(w.feed, "token"),
        may_change=OWNER_ONLY,
        user="mentee",
        fields={"cohort": []},
        valid=lambda w: {"cohort": w.cohort.slug},
        whole=only(),
    ),
    # The facilitator's pages: the cohort's mentor only; staff use the admin.
    "cohorts:manage": Route(get=OWNER, kwargs=cohort, side="mentor", user="mentor"),
    "cohorts:roster": Route(get=OWNER, kwargs=cohort, side="mentor", user="mentor"),
    "cohorts:edit": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(CohortForm),
        valid=_cohort_form_body,
        watched=("cohort",),
        whole=cohort_saved,
    ),
    "cohorts:publish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        watched=("cohort",),
    ),
    "cohorts:cancel": Route(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(CancelCohortForm),
        valid=lambda w: {"reason": "Too few people"},
        watched=("cohort",),
        whole=cohort_cancelled,
    ),
    "cohorts:finish": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
        user="mentor",
        watched=("cohort",),
        whole=only("cohorts_historicalcohort"),
    ),
    "cohorts:module_create": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(ModuleForm),
        valid=lambda w: {"week": "2", "title": "Week two", "release_at": f"{_future(30)}T09:00"},
        whole=saved_one(Module, "notifications_notification"),  # members' reminders for it
    ),
    "cohorts:module_edit": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "module_id": w.module.pk},
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields={**form_fields(ModuleForm), "delete": ["1", ""]},
        valid=lambda w: {"week": "1", "title": "Week one", "release_at": f"{_future(-3)}T09:00"},
        watched=("module",),
        whole=only(
            "cohorts_module", "cohorts_submission", "cohorts_peerreview", "notifications_notification"
        ),
    ),
    "cohorts:critique_open": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "module_id": w.module.pk},
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
        user="mentor",
        watched=("module",),
    ),
    "cohorts:event_create": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(EventSeriesForm),
        valid=lambda w: {
            "kind": "module_session",
            "first_day": _future(20),
            "at": "18:00",
            "duration_minutes": "60",
            "weeks": "3",
        },
        whole=events_made,
    ),
    "cohorts:event_edit": Route(
        get=OWNER,
        post=codes(owner=400),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(EventForm),
        valid=lambda w: {
            "kind": "module_session",
            "day": _future(21),
            "at": "19:00",
            "duration_minutes": "90",
        },
        watched=("event",),
        whole=only("notifications_notification"),
    ),
    "cohorts:event_cancel": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
        may_change=OWNER_ONLY,
        user="mentor",
        watched=("event",),
        whole=only("notifications_notification"),
    ),
    "cohorts:roster_member": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "enrollment_id": w.enrollment.pk},
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields={"action": ["notes", "complete", "", "delete"], **form_fields(NotesForm, CompletionForm)},
        valid=lambda w: {"action": "notes", "notes": "Doing well"},
        watched=("enrollment",),
        whole=only(),
    ),
    "cohorts:attendance": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"slug": w.cohort.slug, "event_id": w.event.pk},
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(AttendanceForm),
        valid=lambda w: {"enrollment": str(w.enrollment.pk), "present": "1"},
        whole=saved_one(Attendance),
    ),
    "cohorts:message": Route(
        get=POST_ONLY,
        post=codes(owner=400),
        kwargs=cohort,
        side="mentor",
        watch=cohort_state,
        user="mentor",
        fields=form_fields(MessageForm),
        valid=lambda w: {"subject": "Hello", "body": "Welcome"},
        whole=saved_one(CohortMessage),
        reads_headers=("X-Forwarded-For",),
    ),
    # Check-in links from the e-mail: the signed token is the key (a forged one: see the matrix).
    "notifications:checkin_done": Route(
        get=codes(200, anonymous=200),
        kwargs=lambda w: {"token": w.checkin_token},
        user=None,
        watched=("item",),
    ),
    "notifications:checkin_not_yet": Route(
        get=codes(200, anonymous=200),
        kwargs=lambda w: {"token": w.checkin_token},
        user=None,
        watched=("item",),
    ),
    # Two-factor and signed-in devices: allauth's own views (allauth.mfa, allauth.usersessions).
    # Adding or removing a factor asks for the password again first (302 to reauthenticate); the
    # world's staff have an authenticator app, so only they reach its removal and the code prompt.
    "mfa_index": Route(get=SIGNED_IN, post=codes(405), user="mentee"),
    "mfa_authenticate": Route(get=codes(302), post=codes(302), user="mentee"),  # no sign-in pending
    "mfa_reauthenticate": Route(
        get=codes(302, moderator=200, superuser=200),
        post=codes(302, moderator=200, superuser=200),
        user="moderator",
        fields=form_fields(AuthenticateForm),
        valid=lambda w: {"code": "123456"},
        # A code computed from the clock can be refused at a 30-second boundary: the bypass code.
        fuzz_settings={"DEBUG": True, "MFA_TOTP_INSECURE_BYPASS_CODE": "123456"},
    ),
    "mfa_activate_totp": Route(
        get=codes(302),
        post=codes(302),
        user="mentee",
        fields=form_fields(ActivateTOTPForm),
        valid=lambda w: {"code": "123456"},
        # The fuzz has no authenticator app: allauth's bypass code stands in for one (DEBUG only).
        fuzz_settings={"DEBUG": True, "MFA_TOTP_INSECURE_BYPASS_CODE": "123456"},
        whole=only(Authenticator._meta.db_table),
    ),
    "mfa_deactivate_totp": Route(
        get=codes(404, moderator=302, superuser=302),
        post=codes(404, moderator=302, superuser=302),
        user="moderator",
        whole=only(Authenticator._meta.db_table),
    ),
    "mfa_view_recovery_codes": Route(get=codes(404), post=codes(405), user="mentee"),
    "mfa_generate_recovery_codes": Route(
        get=codes(302), post=codes(302), user="moderator", whole=only(Authenticator._meta.db_table)
    ),
    "mfa_download_recovery_codes": Route(get=codes(404), post=codes(404), user="mentee"),
    "mfa_list_webauthn": Route(get=SIGNED_IN, post=codes(405), user="mentee"),
    "mfa_add_webauthn": Route(
        get=codes(302),
        post=codes(302),
        user="mentee",
        fields=form_fields(AddWebAuthnForm),
        no_accepted_body="only a real authenticator signs the credential it takes",
    ),
    "mfa_reauthenticate_webauthn": Route(get=codes(302), post=codes(302), user="mentee"),
    "mfa_login_webauthn": Route(get=codes(302), post=codes(302), user=None),
    # Another person's key: after the password prompt, 404 like any other object.
    "mfa_remove_webauthn": Route(
        get=codes(302), post=codes(302), kwargs=lambda w: {"pk": w.staff_authenticator}, user="mentee"
    ),
    "mfa_edit_webauthn": Route(
        get=codes(302), post=codes(302), kwargs=lambda w: {"pk": w.staff_authenticator}, user="mentee"
    ),
    # "Sign out everywhere else" ends the person's own other sessions only.
    "usersessions_list": Route(get=SIGNED_IN, post=codes(302), user="mentee"),
    # Sign in with Google and LinkedIn (allauth.socialaccount; tests/accounts/test_social_login.py
    # signs in at the HTTP boundary). Both configured; LinkedIn's discovery document is on a port
    # where nothing listens, so no request leaves the machine and an unreachable provider is a
    # failed sign-in (401), never a 500. Starting a sign-in is a POST that sends the browser to the
    # provider (302); a GET shows the "Continue" page. Nothing is written until a provider answers.
    "google_login": Route(
        get=codes(200, anonymous=200),
        post=codes(302, anonymous=302),
        user=None,
        settings=SIGN_IN_SERVICES,
        fields={"process": ["login", "connect", "redirect", "x", NUL], "next": ["/", "//evil.example", ""]},
        valid=lambda w: {"process": "login", "next": "/"},
        reads_headers=(),
    ),
    "google_callback": Route(
        get=codes(401, anonymous=401),
        post=codes(401, anonymous=401),
        user=None,
        settings=SIGN_IN_SERVICES,
        get_params={"code": ["4/x", "", NUL, HUGE], "state": ["forged", "", NUL], "error": ["access_denied"]},
    ),
    # Google's One Tap endpoint: not offered (accounts/sign_in_views.py).
    "google_login_by_token": Route(get=codes(404, anonymous=404), post=codes(404, anonymous=404), user=None),
    "openid_connect_login": Route(
        get=codes(200, anonymous=200),
        post=codes(401, anonymous=401),
        kwargs=lambda w: {"provider_id": "linkedin"},
        user=None,
        settings=SIGN_IN_SERVICES,
        # Accepted only with LinkedIn reachable: its fields are fuzzed on google_login's.
        valid=lambda w: {"process": "login", "next": "/"},
    ),
    "openid_connect_callback": Route(
        get=codes(401, anonymous=401),
        post=codes(401, anonymous=401),
        kwargs=lambda w: {"provider_id": "linkedin"},
        user=None,
        settings=SIGN_IN_SERVICES,
        get_params={
            "code": ["AQx", "", NUL, HUGE],
            "state": ["forged", "", NUL],
            "error": ["user_cancelled_login"],
        },
    ),
    "socialaccount_login_cancelled": Route(get=codes(200, anonymous=200), user=None),
    "socialaccount_login_error": Route(get=codes(401, anonymous=401), user=None),  # the error page
    # Finishing a sign-up allauth could not finish alone: without one pending, back to log in.
    "socialaccount_signup": Route(
        get=codes(LOGIN, anonymous=LOGIN), post=codes(LOGIN, anonymous=LOGIN), user=None
    ),
    # Connect and remove services: each person their own; someone else's connection is not a choice.
    "socialaccount_connections": Route(
        get=SIGNED_IN,
        post=SIGNED_IN,
        user="mentee",
        settings=SIGN_IN_SERVICES,
        watch=lambda w: SocialAccount.objects.count(),
        may_change=OWNER_ONLY,
        fields={"account": [*NUMBERS, "", NUL]},
        valid=lambda w: {"account": str(w.connection.pk)},
        whole=only("socialaccount_socialaccount"),
    ),
    # Personal API tokens, in the settings: each person their own; another's token is not found.
    "accounts:api_tokens": Route(
        get=SIGNED_IN,
        user="mentee",
        fields=form_fields(TokenForm),
        valid=lambda w: {"name": "My calendar script", "scope": "read"},
        whole=only(ApiToken._meta.db_table),
    ),
    "accounts:api_token_revoke": Route(
        get=POST_ONLY,
        post=codes(owner=302),
        kwargs=lambda w: {"token_id": w.api_token.pk},
        watch=lambda w: fresh(w.api_token, "revoked_at"),
        may_change=OWNER_ONLY,
        user="mentee",
    ),
    # The open API (/api/v1/, tests/api/): JSON, with a personal token in a header, never the
    # session's cookie, so every role gets what a visitor gets. Public reads answer everyone; the
    # bookings answer 401 without a token (a POST too: nothing is changed); a method a path does not
    # take is 405, any other address under /api/ 404, all in the API's one error shape. Its inputs
    # are fuzzed by Schemathesis against its OpenAPI document (tests/api/test_schema.py).
    "api:api-root": Route(get=codes(404, anonymous=404), post=codes(404, anonymous=404), user=None),
    "api:openapi-json": Route(get=EVERYONE, post=codes(405, anonymous=405), user=None),
    "api:openapi-view": Route(get=EVERYONE, post=codes(405, anonymous=405), user=None),
    "api:mentors": Route(get=EVERYONE, post=codes(405, anonymous=405), user=None),
    "api:mentor": Route(
        get=EVERYONE, post=codes(405, anonymous=405), kwargs=lambda w: {"slug": w.profile.slug}, user=None
    ),
    "api:offerings": Route(get=EVERYONE, post=codes(405, anonymous=405), user=None),
    "api:offering": Route(
        get=EVERYONE, post=codes(405, anonymous=405), kwargs=lambda w: {"slug": w.offering.slug}, user=None
    ),
    "api:offering_slots": Route(
        get=EVERYONE, post=codes(405, anonymous=405), kwargs=lambda w: {"slug": w.offering.slug}, user=None
    ),
    "api:cohorts": Route(get=EVERYONE, post=codes(405, anonymous=405), user=None),
    "api:cohort": Route(
        get=EVERYONE, post=codes(405, anonymous=405), kwargs=lambda w: {"slug": w.open_cohort.slug}, user=None
    ),
    "api:bookings": Route(
        get=codes(401, anonymous=401),
        post=codes(401, anonymous=401),
        watch=lambda w: Booking.objects.count(),
        user=None,
    ),
    "api:book": Route(  # the same path as api:bookings (ninja names both of its operations)
        get=codes(401, anonymous=401),
        post=codes(401, anonymous=401),
        watch=lambda w: Booking.objects.count(),
        user=None,
    ),
    "api:booking": Route(
        get=codes(401, anonymous=401), post=codes(405, anonymous=405), kwargs=booking, user=None
    ),
    "api:booking_cancel": Route(
        get=codes(405, anonymous=405),
        post=codes(401, anonymous=401),
        kwargs=booking,
        watch=booking_state,
        user=None,
    ),
    "api:booking_reschedule": Route(
        get=codes(405, anonymous=405),
        post=codes(401, anonymous=401),
        kwargs=booking,
        watch=booking_state,
        user=None,
    ),
    "api_not_found": Route(
        get=codes(404, anonymous=404),
        post=codes(404, anonymous=404),
        kwargs=lambda w: {"rest": "v1/nothing-here"},
        user=None,
    ),
}
