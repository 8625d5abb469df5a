"""The one small world every route is reached in, built once per test module.

A mentee and a mentor who share a paid booking, a booking waiting for payment, a completed
booking with its action item and review, a subscription with a Q&A thread, a cohort with a
submission and a peer review; strangers with things of their own; staff. Then what the fuzz needs
besides: a session that has ended (to close it or report a no-show), a completed one without a
review, a cohort open for enrolment with a seat offered from its waitlist, the mentor's second
plan, a user with nothing open (who may delete their account) and a free slot.

`world_built_once` builds it inside a transaction that is rolled back at the end of the module;
each test runs in a savepoint of its own (pytest-django's), so what one test changes the next
never sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_create
from billing.models import Payment, PromotionCode
from cohorts.models import CalendarFeed, Cohort, Enrollment, Module, PeerReview, Submission
from groups.models import GroupSeat, GroupSession
from matching.models import Intake, Recommendation
from moderation.models import Report
from moderation.services import moderators_group_sync, report_create
from notifications.tokens import checkin_token_make
from packs.models import Pack, PackPurchase, PackSession
from qa.models import Message, Question, QuestionOffer, Thread
from qa.questions import question_ask_paid
from qa.services import message_post, thread_for_booking
from sessions.models import ActionItem, Booking, BookingApproval, BookingSeries, Offering, Review
from sessions.selectors import offering_slots_for_day
from subscriptions.models import Plan, Subscription
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, LanguageFactory, MentorFactory, OfferingFactory, UserFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the staff's authenticator app
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py sets per test


@dataclass
class World:
    mentee: object
    mentor: object  # the mentor's User
    other_mentee: object
    other_mentor: object
    moderator: object
    superuser: object
    staff_authenticator: int  # the pk of the moderator's authenticator app
    profile: object  # the mentor's MentorProfile
    offering: Offering
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
    question: Question  # the mentee's free question to the mentor, open
    paid_question: Question  # the other mentee's paid question to the mentor, waiting for payment
    # What the fuzz needs besides.
    ended: Booking  # confirmed, started an hour ago
    unreviewed: Booking  # completed, without a review
    open_cohort: Cohort  # published, starting in four weeks: enrolment is open
    other_plan: Plan  # the mentor's second plan, to switch to
    leaver: object  # a user with nothing open, who may delete their account
    offered: object  # a user offered a seat of open_cohort from its waitlist, to claim
    connection: object  # the mentee's sign-in with Google, which they may remove (they have a password)
    api_token: ApiToken  # the mentee's personal API token (scope book), which they may revoke
    pack: Pack  # the mentor's published pack of the offering
    pack_purchase: PackPurchase  # the mentee's pack of it, paid, with its sessions
    unpacked: Offering  # the mentor's paid offering without a pack
    promo_code: object  # the mentor's promotion code, 10 % off
    group_session: GroupSession  # the mentor's published group session ($25), the mentee has a paid seat
    group_seat: GroupSeat  # that seat
    group_draft: GroupSession  # the mentor's draft group session, to publish
    requested: Booking  # the mentee's free request to book the mentor, waiting for the answer
    webhook_endpoint: WebhookEndpoint  # the mentor's, turned off (the world's changes send nothing)
    webhook_delivery: WebhookDelivery  # a failed delivery of it, to send again
    slot: str  # a free start of the offering, as the slot picker sends it
    day: str  # its day

    @property
    def picked(self) -> str:
        """The offering page's query string once the slot is picked: the booking form shows."""
        return "?" + urlencode({"day": self.day, "slot": self.slot})


@contextmanager
def world_built_once(django_db_blocker) -> Iterator[World]:
    """The world, inside a transaction rolled back when the block ends (a module's fixture)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def build_world() -> World:
    now = timezone.now().replace(microsecond=0)
    mentee = UserFactory(display_name="Maya Mentee")
    profile = MentorFactory(user__display_name="Omar Mentor")
    offering = OfferingFactory(mentor=profile, price_amount=4500)
    booking = BookingFactory(offering=offering, mentee=mentee, starts_at=now + timedelta(days=3))
    # An occurrence of a weekly series (of one left), so "cancel onwards" has something to do.
    series = BookingSeries.objects.create(offering=offering, mentor=profile, mentee=mentee, weeks_asked=2)
    Booking.objects.filter(pk=booking.pk).update(series=series)
    booking.series = series
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
    superuser = UserFactory(is_staff=True, is_superuser=True)
    # Staff have a second factor (the admin needs one).
    staff_authenticator = TOTP.activate(moderator, STAFF_TOTP_SECRET).instance.pk
    TOTP.activate(superuser, STAFF_TOTP_SECRET)
    feed = CalendarFeed.objects.create(user=mentee)
    checkin_token = checkin_token_make(action_item_id=item.pk, user_id=mentee.pk)
    report = report_create(reporter=other_mentee, target=review, reason=Report.Reason.SPAM)
    question = Question.objects.create(
        kind=Question.Kind.FREE,
        state=Question.State.OPEN,
        mentee=mentee,
        mentor=profile,
        body="Is a PhD worth it?",
        asked_at=now,
    )
    Message.objects.create(
        thread=Thread.objects.create(question=question, mentee=mentee, mentor=profile, last_message_at=now),
        author=mentee,
        body=question.body,
    )
    QuestionOffer.objects.create(mentor=profile, is_active=True, price_amount=2500, answer_days=3)
    paid_question = question_ask_paid(mentee=other_mentee, mentor=profile, body="Staff or manager?")

    # What the fuzz needs besides.
    ended = BookingFactory(offering=offering, mentee=mentee, starts_at=now - timedelta(hours=1))
    unreviewed = BookingFactory(
        offering=offering,
        mentee=mentee,
        starts_at=now - timedelta(days=5),
        state=Booking.State.COMPLETED,
    )
    ActionItem.objects.create(booking=unreviewed, text="Send the e-mail", due_date=now.date())
    open_cohort = CohortFactory(published=True, facilitator=profile, seats_min=1)
    other_plan = Plan.objects.create(
        mentor=profile,
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
    connection = SocialAccount.objects.create(
        user=mentee, provider="google", uid="104857600000000000001", extra_data={"email": mentee.email}
    )
    api_token, _ = api_token_create(user=mentee, name="The mentee's script", scope=ApiToken.Scope.BOOK)
    pack = Pack.objects.create(offering=offering, sessions=3, discount_percent=15, is_published=True)
    pack_purchase = PackPurchase.objects.create(
        pack=pack,
        offering=offering,
        mentor=profile,
        mentee=mentee,
        sessions=3,
        valid_months=6,
        price_amount=pack.price_amount,
        currency="USD",
        state=PackPurchase.State.ACTIVE,
        paid_at=now,
        expires_at=now + timedelta(days=180),
    )
    PackSession.objects.bulk_create(PackSession(purchase=pack_purchase, number=n) for n in (1, 2, 3))
    Payment.objects.create(
        pack_purchase=pack_purchase,
        provider=Payment.Provider.DEMO,
        amount=pack.price_amount,
        currency="USD",
        platform_fee=1721,
        state=Payment.State.PAID,
        paid_at=now,
    )
    unpacked = OfferingFactory(mentor=profile, price_amount=3000, slug="world-unpacked", is_published=False)
    promo_code = PromotionCode.objects.create(code="WORLD10", mentor=profile, percent_off=10)
    group_starts = now + timedelta(days=12)
    group_session = GroupSession.objects.create(
        mentor=profile,
        title="Salary negotiation workshop",
        description="Your number, your script.",
        starts_at=group_starts,
        ends_at=group_starts + timedelta(hours=1),
        timezone=profile.timezone,
        seats=10,
        seats_min=2,
        price_amount=2500,
        currency="USD",
        join_url="https://meet.example.com/world-group",
        state=GroupSession.State.PUBLISHED,
    )
    group_seat = GroupSeat.objects.create(
        group_session=group_session,
        mentee=mentee,
        price_amount=2500,
        currency="USD",
        state=GroupSeat.State.CONFIRMED,
        confirmed_at=now,
    )
    Payment.objects.create(
        group_seat=group_seat,
        provider=Payment.Provider.DEMO,
        amount=2500,
        currency="USD",
        platform_fee=375,
        state=Payment.State.PAID,
        paid_at=now,
    )
    group_draft = GroupSession.objects.create(
        mentor=profile,
        title="Office hours",
        description="Bring a question.",
        starts_at=group_starts + timedelta(days=1),
        ends_at=group_starts + timedelta(days=1, hours=1),
        timezone=profile.timezone,
        seats=20,
        seats_min=1,
        join_url="https://meet.example.com/world-hours",
    )
    webhook_endpoint = WebhookEndpoint.objects.create(
        mentor=profile,
        url="http://127.0.0.1:9/hooks",
        events=["booking.created", "cohort.enrolled"],
        secret="whsec_world",
        is_active=False,
    )
    webhook_delivery = WebhookDelivery.objects.create(
        endpoint=webhook_endpoint,
        event_type="booking.created",
        event_id="evt_world",
        payload={"id": "evt_world", "type": "booking.created", "data": {}},
        state=WebhookDelivery.State.FAILED,
        attempts=3,
        give_up_at=now - timedelta(days=1),
        last_response_code=500,
    )
    requested = BookingFactory(
        offering=OfferingFactory(mentor=profile, requires_approval=True),
        mentee=mentee,
        starts_at=now + timedelta(days=2, hours=1),
        state=Booking.State.REQUESTED,
    )
    BookingApproval.objects.create(booking=requested, requested_at=now, answer_by=now + timedelta(days=2))
    slot, day = _free_slot(offering, mentee.zone)
    return World(
        mentee=mentee,
        mentor=profile.user,
        other_mentee=other_mentee,
        other_mentor=other_profile.user,
        moderator=moderator,
        superuser=superuser,
        staff_authenticator=staff_authenticator,
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
        feed=feed,
        checkin_token=checkin_token,
        report=report,
        question=question,
        paid_question=paid_question,
        ended=ended,
        unreviewed=unreviewed,
        open_cohort=open_cohort,
        other_plan=other_plan,
        leaver=leaver,
        offered=offered,
        connection=connection,
        api_token=api_token,
        pack=pack,
        pack_purchase=pack_purchase,
        unpacked=unpacked,
        promo_code=promo_code,
        group_session=group_session,
        group_seat=group_seat,
        group_draft=group_draft,
        requested=requested,
        webhook_endpoint=webhook_endpoint,
        webhook_delivery=webhook_delivery,
        slot=slot,
        day=day,
    )


def _free_slot(offering: Offering, zone) -> tuple[str, str]:
    today = timezone.now().astimezone(zone).date()
    for ahead in range(4, 30):
        day = today + timedelta(days=ahead)
        slots = offering_slots_for_day(offering=offering, day=day, zone=zone)
        if slots:
            return slots[0].isoformat(), day.isoformat()
    raise AssertionError("the world's mentor has no free slot in four weeks")
