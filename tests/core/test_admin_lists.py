"""Every admin list stays fast as its table grows: no query per row, and searching or filtering
never fails. The tests walk `admin.site._registry`, so a newly registered admin is covered (and
fails here until ROWS says how to make one of its rows)."""

from datetime import timedelta
from itertools import count

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import (
    BillingCustomer,
    CodeRedemption,
    ConnectedAccount,
    Payment,
    PromotionCode,
    Refund,
    Transfer,
    UpgradeOffer,
    WebhookEvent,
)
from calendars.models import CalendarConnection
from cohorts.models import (
    CalendarFeed,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    PeerReview,
    Submission,
)
from core.admin import HistoryAdmin
from core.models import ExchangeRate
from embed.models import Widget
from groups.models import GroupSeat, GroupSession
from matching.models import Impression, Intake, RankingModel, Recommendation
from mentors.models import Language, MentorProfile, Skill, Suspension
from moderation.models import AuditEntry, NoShowDispute, Report, Strike
from notifications.models import Notification
from packs.models import Pack, PackPurchase
from qa.models import Message, Question, QuestionOffer, Thread
from sessions.models import ActionItem, Booking, BookingApproval, BookingSeries, Offering, Review
from subscriptions.models import Plan, Subscription
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, LanguageFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

FEW = 2  # rows first; then three times as many
SEARCHES = [
    "a",
    "person1@example.com",
    "5b1f0c7e-2f5a-4c1e-9d3b-0a8f5e6d7c21",
    "42",
    "99999999999999999999",
    "cs_test_a1B2c3",
    '"two words"',
]
serial = count(1)


def paid_booking_payment() -> Payment:
    booking = BookingFactory(offering=OfferingFactory(price_amount=4500), price_amount=4500)
    return Payment.objects.create(
        booking=booking,
        provider="demo",
        amount=4500,
        currency="USD",
        platform_fee=675,
        state=Payment.State.PAID,
        checkout_session_id=f"cs_demo_{next(serial)}",
    )


def seat_payment() -> Payment:
    enrollment = EnrollmentFactory(
        cohort=CohortFactory(price_amount=30000, published=True), price_amount=30000
    )
    return Payment.objects.create(
        enrollment=enrollment, provider="demo", amount=30000, currency="USD", platform_fee=4500
    )


def payment() -> Payment:
    n = next(serial)
    return paid_booking_payment() if n % 2 else seat_payment() if n % 3 else pack_payment()


def group_session_row() -> GroupSession:
    starts = timezone.now() + timedelta(days=10 + next(serial))
    return GroupSession.objects.create(
        mentor=MentorFactory(),
        title="Workshop",
        description="Things.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="Europe/Berlin",
        seats=10,
        seats_min=2,
        price_amount=2500,
        currency="USD",
        join_url="https://meet.example.com/w",
        state=GroupSession.State.PUBLISHED,
    )


def group_seat_row() -> GroupSeat:
    return GroupSeat.objects.create(
        group_session=group_session_row(),
        mentee=UserFactory(),
        price_amount=2500,
        currency="USD",
        state=GroupSeat.State.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def pack_row() -> Pack:
    offering = OfferingFactory(price_amount=4500, slug=f"packed-{next(serial)}")
    return Pack.objects.create(offering=offering, sessions=3, discount_percent=15, is_published=True)


def pack_purchase() -> PackPurchase:
    pack = pack_row()
    now = timezone.now()
    purchase = PackPurchase.objects.create(
        pack=pack,
        offering=pack.offering,
        mentor=pack.offering.mentor,
        mentee=UserFactory(),
        sessions=3,
        valid_months=6,
        price_amount=pack.price_amount,
        currency="USD",
        state=PackPurchase.State.ACTIVE,
        paid_at=now,
        expires_at=now + timedelta(days=180),
    )
    for number in (1, 2, 3):
        purchase.pack_sessions.create(number=number)
    return purchase


def pack_payment() -> Payment:
    purchase = pack_purchase()
    return Payment.objects.create(
        pack_purchase=purchase,
        provider=Payment.Provider.DEMO,
        amount=purchase.price_amount,
        currency="USD",
        platform_fee=1721,
        state=Payment.State.PAID,
        paid_at=purchase.paid_at,
    )


def promotion_code() -> PromotionCode:
    n = next(serial)
    mentor = MentorFactory() if n % 2 else None
    return PromotionCode.objects.create(code=f"CODE{n}", mentor=mentor, percent_off=10 + n % 50)


def code_redemption() -> CodeRedemption:
    paid = paid_booking_payment()
    return CodeRedemption.objects.create(
        code=promotion_code(),
        buyer=paid.booking.mentee,
        kind="session",
        purchase_id=str(paid.booking_id),
        list_amount=5000,
        discount=500,
        currency="USD",
        state=CodeRedemption.State.REDEEMED,
    )


def refund() -> Refund:
    paid = payment()
    n = next(serial)
    return Refund.objects.create(
        payment=paid,
        key=f"refund-{n}",
        amount=1000,
        currency="USD",
        reason="Staff goodwill",
        requested_by=UserFactory(is_staff=True) if n % 2 else None,
    )


def subscription() -> Subscription:
    plan = plan_row()
    return Subscription.objects.create(
        plan=plan,
        mentor=plan.mentor,
        mentee=UserFactory(),
        provider="demo",
        status=Subscription.Status.ACTIVE,
    )


def plan_row() -> Plan:
    return Plan.objects.create(mentor=MentorFactory(), name=f"Monthly {next(serial)}", price_amount=9900)


def upgrade_offer() -> UpgradeOffer:
    booking = BookingFactory(state=Booking.State.COMPLETED)
    spent_on = {}
    if next(serial) % 2:
        spent_on = {"redeemed_at": timezone.now(), "enrollment": EnrollmentFactory()}
    else:
        spent_on = {"redeemed_at": timezone.now(), "subscription": subscription()}
    return UpgradeOffer.objects.create(
        booking=booking,
        mentee=booking.mentee,
        mentor=booking.mentor,
        amount=4500,
        currency="USD",
        expires_at=timezone.now() + timedelta(days=14),
        **spent_on,
    )


def exchange_rate() -> ExchangeRate:
    n = next(serial)
    code = "Z" + chr(65 + n // 26 % 26) + chr(65 + n % 26)
    return ExchangeRate.objects.create(currency=code, rate="1.5", as_of=timezone.now().date())


def notification() -> Notification:
    n = next(serial)
    if n % 2:
        return Notification.objects.create(
            booking=BookingFactory(), kind=Notification.Kind.STARTING_SOON_MENTEE, due_at=timezone.now()
        )
    event = CohortEventFactory()
    return Notification.objects.create(
        enrollment=EnrollmentFactory(cohort=event.cohort),
        cohort_event=event,
        kind=Notification.Kind.COHORT_EVENT_1H,
        due_at=timezone.now(),
    )


def submission() -> Submission:
    module = ModuleFactory()
    return Submission.objects.create(
        module=module, enrollment=EnrollmentFactory(cohort=module.cohort), text="My plan"
    )


def peer_review() -> PeerReview:
    work = submission()
    return PeerReview.objects.create(submission=work, reviewer=EnrollmentFactory(cohort=work.module.cohort))


def review() -> Review:
    return Review.objects.create(
        booking=BookingFactory(state=Booking.State.COMPLETED), rating=4, text="Great"
    )


def question() -> Question:
    mentor, mentee = MentorFactory(), UserFactory()
    if next(serial) % 2:
        return Question.objects.create(
            kind=Question.Kind.FREE, state=Question.State.OPEN, mentee=mentee, mentor=mentor, body="Why?"
        )
    return Question.objects.create(
        kind=Question.Kind.PAID,
        state=Question.State.HELD,
        mentee=mentee,
        mentor=mentor,
        body="Why?",
        price_amount=2500,
        currency="USD",
        answer_days=3,
    )


def thread() -> Thread:
    which = next(serial) % 3
    if which == 1:
        booking = BookingFactory()
        return Thread.objects.create(booking=booking, mentee=booking.mentee, mentor=booking.mentor)
    if which == 2:
        asked = question()
        return Thread.objects.create(question=asked, mentee=asked.mentee, mentor=asked.mentor)
    paying = subscription()
    return Thread.objects.create(subscription=paying, mentee=paying.mentee, mentor=paying.mentor)


def report() -> Report:
    reported = review()
    decided = next(serial) % 2
    return Report.objects.create(
        reporter=UserFactory(),
        kind=Report.Kind.REVIEW,
        content_type=ContentType.objects.get_for_model(Review),
        object_id=reported.pk,
        target_repr=str(reported),
        reason=Report.Reason.SPAM,
        status=Report.Status.UPHELD if decided else Report.Status.OPEN,
        decided_by=UserFactory(is_staff=True) if decided else None,
    )


def audit_entry() -> AuditEntry:
    hidden = review()
    return AuditEntry.objects.create(
        actor=UserFactory(is_staff=True),
        action="review.hide",
        target_content_type=ContentType.objects.get_for_model(Review),
        target_id=str(hidden.pk),
        target_repr=str(hidden),
        reason="Spam",
    )


# How to make one row of each registered model, with the relations its list shows.
ROWS = {
    Group: lambda: Group.objects.create(name=f"Group {next(serial)}"),
    Site: lambda: Site.objects.create(domain=f"site{next(serial)}.example.com", name="A site"),
    EmailAddress: lambda: UserFactory(),
    SocialAccount: lambda: SocialAccount.objects.create(
        user=UserFactory(), provider="google", uid=str(next(serial))
    ),
    User: lambda: UserFactory(),
    MentorProfile: lambda: MentorFactory(),
    Widget: lambda: Widget.objects.create(
        mentor=MentorFactory(), allowed_origins=["https://coach.example.com"]
    ),
    Skill: lambda: Skill.objects.create(name=f"Skill {next(serial)}", slug=f"skill-{next(serial)}"),
    Language: lambda: Language.objects.create(code=f"x{next(serial)}", name="A language"),
    Offering: lambda: OfferingFactory(),
    Booking: lambda: BookingFactory(),
    BookingSeries: lambda: BookingSeries.objects.create(
        offering=(booking := BookingFactory()).offering,
        mentor=booking.mentor,
        mentee=booking.mentee,
        weeks_asked=4,
    ),
    ActionItem: lambda: ActionItem.objects.create(
        booking=BookingFactory(state=Booking.State.COMPLETED), text="Send it", due_date=timezone.now().date()
    ),
    Review: review,
    Payment: payment,
    Refund: refund,
    Transfer: lambda: Transfer.objects.create(
        payment=payment(), amount=3000, currency="USD", destination=f"acct_demo_{next(serial)}"
    ),
    ConnectedAccount: lambda: ConnectedAccount.objects.create(
        mentor=MentorFactory(), stripe_account_id=f"acct_{next(serial)}"
    ),
    BillingCustomer: lambda: BillingCustomer.objects.create(
        user=UserFactory(), stripe_customer_id=f"cus_{next(serial)}"
    ),
    WebhookEvent: lambda: WebhookEvent.objects.create(
        stripe_event_id=f"evt_{next(serial)}",
        type="charge.refunded",
        endpoint=WebhookEvent.Endpoint.PLATFORM,
        payload={"data": {"object": {"id": "ch_1", "metadata": {"booking_id": "x"}}}},
    ),
    UpgradeOffer: upgrade_offer,
    PromotionCode: promotion_code,
    CodeRedemption: code_redemption,
    Notification: notification,
    Cohort: lambda: CohortFactory(),
    Enrollment: lambda: EnrollmentFactory(),
    CohortEvent: lambda: CohortEventFactory(),
    Submission: submission,
    PeerReview: peer_review,
    CohortMessage: lambda: CohortMessage.objects.create(
        cohort=CohortFactory(), author=UserFactory(), subject="Week 1", body="Welcome"
    ),
    CalendarFeed: lambda: CalendarFeed.objects.create(user=UserFactory()),
    Plan: plan_row,
    Subscription: subscription,
    Pack: pack_row,
    GroupSession: group_session_row,
    GroupSeat: group_seat_row,
    PackPurchase: pack_purchase,
    BookingApproval: lambda: BookingApproval.objects.create(
        booking=BookingFactory(state=Booking.State.REQUESTED), requested_at=timezone.now()
    ),
    ExchangeRate: lambda: exchange_rate(),
    Intake: lambda: Intake.objects.create(user=UserFactory(), language=LanguageFactory()),
    Recommendation: lambda: Recommendation.objects.create(
        user=UserFactory(),
        position=1,
        kind=Recommendation.Kind.OFFERING,
        object_id=1,
        mentor=MentorFactory(),
        title="A session",
        url="/offerings/a/",
        price_amount=4500,
        currency="USD",
        score=0.5,
        computed_at=timezone.now(),
    ),
    Impression: lambda: Impression.objects.create(
        user=UserFactory(),
        kind=Recommendation.Kind.OFFERING,
        object_id=next(serial),
        mentor=MentorFactory(),
        position=1,
        shown_on=timezone.now().date(),
    ),
    RankingModel: lambda: RankingModel.objects.create(
        weights={"bias": -4.0},
        examples=100,
        adopted=True,
        verdict="ranks better",
        note="adopted: ranks better",
        holdout_mentees=40,
        current_ndcg=0.41,
        candidate_ndcg=0.47,
        difference_low=0.01,
        difference_high=0.11,
        current_log_loss=0.52,
        holdout_log_loss=0.31,
    ),
    Report: report,
    AuditEntry: audit_entry,
    Thread: thread,
    Question: question,
    QuestionOffer: lambda: QuestionOffer.objects.create(
        mentor=MentorFactory(), price_amount=2500, is_active=True
    ),
    Message: lambda: Message.objects.create(thread=thread(), author=UserFactory(), body="A question"),
    Authenticator: lambda: TOTP.activate(UserFactory(), "JBSWY3DPEHPK3PXP").instance,
    UserSession: lambda: UserSession.objects.create(
        user=UserFactory(), ip="203.0.113.5", session_key=f"session-{next(serial)}", user_agent="Firefox"
    ),
    CalendarConnection: lambda: CalendarConnection.objects.create(
        mentor=MentorFactory(), name="Work", url="https://calendar.example.com/work.ics"
    ),
    Suspension: lambda: Suspension.objects.create(
        mentor=MentorFactory(), reason="Three no-shows", started_by=UserFactory(is_staff=True)
    ),
    NoShowDispute: lambda: NoShowDispute.objects.create(
        booking=BookingFactory(state=Booking.State.NO_SHOW_MENTOR),
        reported_state=Booking.State.NO_SHOW_MENTOR,
        contested_by=UserFactory(),
        note="I was there and waited",
    ),
    Strike: lambda: Strike.objects.create(
        mentor=(booking := BookingFactory(state=Booking.State.NO_SHOW_MENTOR)).mentor, booking=booking
    ),
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def make(model, n: int) -> None:
    assert model in ROWS, f"{model._meta.label} is registered in the admin: say in ROWS how to make one"
    for _ in range(n):
        ROWS[model]()


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_a_list_asks_the_same_number_of_queries_for_three_times_the_rows(admin_client, model):
    url = changelist_url(model)
    make(model, FEW)
    admin_client.get(url)  # warm caches (content types, the session)
    few = queries_for(admin_client, url)
    make(model, 2 * FEW)
    many = queries_for(admin_client, url)
    assert model._default_manager.count() >= 3 * FEW
    extra = "\n".join(many[len(few) :])
    assert len(many) == len(few), f"{len(few)} queries for {FEW} rows, {len(many)} for more:\n{extra}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_a_list_can_be_searched_and_filtered(admin_client, model):
    url = changelist_url(model)
    make(model, FEW)
    page = admin_client.get(url)
    assert page.status_code == 200
    changelist = page.context["cl"]
    if changelist.search_fields:
        for term in SEARCHES:
            assert admin_client.get(url, {"q": term}).status_code == 200, term
    for spec in changelist.filter_specs:
        choices = list(spec.choices(changelist))
        for choice in choices[1:2]:  # the first one after "All"
            assert admin_client.get(url + choice["query_string"]).status_code == 200, choice


def test_bookings_are_found_by_id_or_by_either_persons_address_without_joining_every_table(admin_client):
    first, second = BookingFactory(), BookingFactory()
    url = changelist_url(Booking)
    for term, found in [
        (str(first.pk), [first]),
        (first.mentee.email.upper(), [first]),
        (second.mentor.user.email, [second]),
        ("nobody@example.com", []),
        ("job offer", []),  # not a field bookings are searched by
    ]:
        with CaptureQueriesContext(connection) as captured:
            listing = admin_client.get(url, {"q": term})
        assert list(listing.context["cl"].result_list) == found, term
        # The people are found first; the bookings are then read alone (or not at all).
        for counting in [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"]]:
            assert 'FROM "mentoring_booking" WHERE' in counting, counting


HISTORY = [model for model in REGISTERED if isinstance(admin.site._registry[model], HistoryAdmin)]


@pytest.mark.parametrize("model", HISTORY, ids=lambda model: model._meta.label)
def test_every_history_page_shows_the_rows_versions(admin_client, model):
    row = ROWS[model]()
    opts = model._meta
    page = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk]))
    assert page.status_code == 200
    assert "Created" in page.content.decode() and "Revert" not in page.content.decode()
