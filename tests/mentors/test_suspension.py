"""Suspending a mentor takes them off the marketplace at once: what they sold is unpublished,
their future sessions are cancelled and refunded, everyone affected is told why; reinstating
puts back exactly what the suspension took down."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import Refund
from cohorts.models import Cohort
from cohorts.services import CohortError, cohort_publish, cohorts_sweep
from matching.selectors import catalogue
from mentors.models import MentorProfile, Suspension
from mentors.services import MentorError
from moderation.models import AuditEntry
from moderation.standing import mentor_reinstate, mentor_review, mentor_suspend
from sessions import services as booking_services
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from subscriptions.selectors import credits_left
from subscriptions.services import (
    SubscriptionError,
    subscription_start_checkout,
    subscriptions_stop_renewing,
)
from tests.billing.helpers import book, next_weekday_at, pay
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, OfferingFactory, UserFactory
from tests.subscriptions.helpers import make_plan, subscribe

pytestmark = pytest.mark.django_db

State = Booking.State


@pytest.fixture
def market(stripe_http, paid_offering, post_event):
    """A mentor with a paid, a credit, a free and a held future session, past sessions, offerings,
    plans and cohorts — some published by the mentor, some not."""
    mentor = paid_offering.mentor
    free_offering = OfferingFactory(mentor=mentor, price_amount=0)
    own_draft = OfferingFactory(mentor=mentor, is_published=False)
    paid = book(paid_offering, starts_at=next_weekday_at(10))
    pay(paid, post_event)
    subscriber = UserFactory()
    subscription = subscribe(subscriber, paid_offering)
    credit = booking_services.booking_create(
        offering=paid_offering,
        mentee=subscriber,
        request=booking_services.BookingRequest(
            starts_at=next_weekday_at(12), outcome="A plan", prework_answers=["a", "b"]
        ),
        use_credit=True,
    )
    free = book(free_offering, starts_at=next_weekday_at(14))
    held = book(paid_offering, starts_at=next_weekday_at(16))
    past = BookingFactory(
        offering=paid_offering, starts_at=timezone.now() - timedelta(days=2), state=State.COMPLETED
    )
    draft_plan = make_plan(mentor=mentor, name="Not yet", is_published=False)
    upcoming = CohortFactory(facilitator=mentor, published=True)
    ModuleFactory(cohort=upcoming)
    member = EnrollmentFactory(cohort=upcoming).member
    running = CohortFactory(
        facilitator=mentor, published=True, start_date=(timezone.now() - timedelta(days=7)).date()
    )
    mail.outbox.clear()
    return {
        "mentor": mentor,
        "offerings": [paid_offering, free_offering],
        "own_draft": own_draft,
        "paid": paid,
        "credit": credit,
        "free": free,
        "held": held,
        "past": past,
        "subscription": subscription,
        "plan": subscription.plan,
        "draft_plan": draft_plan,
        "upcoming": upcoming,
        "member": member,
        "running": running,
    }


def refreshed(*objects):
    for obj in objects:
        obj.refresh_from_db()
    return objects


def suspend(mentor, by, capture, reason="Repeated complaints about no-shows"):
    with capture(execute=True):
        return mentor_suspend(mentor=mentor, by=by, reason=reason)


def test_suspending_unpublishes_cancels_refunds_and_tells_everyone(
    market, admin_user, stripe_http, django_capture_on_commit_callbacks
):
    mentor = market["mentor"]
    suspension = suspend(mentor, admin_user, django_capture_on_commit_callbacks)

    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.SUSPENDED
    assert mentor.min_published_price is None
    for offering in [*market["offerings"], market["own_draft"]]:
        offering.refresh_from_db()
        assert not offering.is_published
    plan, draft_plan, upcoming, running = refreshed(
        market["plan"], market["draft_plan"], market["upcoming"], market["running"]
    )
    assert not plan.is_published and not draft_plan.is_published
    assert upcoming.status == Cohort.Status.DRAFT
    assert running.status == Cohort.Status.PUBLISHED  # begun: its members carry on
    assert suspension.offering_ids == sorted(o.pk for o in market["offerings"])
    assert suspension.plan_ids == [plan.pk]
    assert suspension.cohort_ids == [upcoming.pk]

    paid, credit, free, held, past = refreshed(
        market["paid"], market["credit"], market["free"], market["held"], market["past"]
    )
    assert {b.state for b in (paid, credit, free, held)} == {State.CANCELLED_BY_MENTOR}
    assert past.state == State.COMPLETED
    event = paid.events.last()
    assert event.actor == admin_user and "cancelled by staff" in event.note
    refund = Refund.objects.get()
    assert (refund.payment.booking_id, refund.amount) == (paid.pk, 4500)
    assert stripe_http.count("post", "/v1/refunds") == 1
    assert credits_left(subscription=market["subscription"]) == 2
    # The subscription stops renewing: no further charge for a mentor who takes no bookings.
    subscription = market["subscription"]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.status == "active"
    [renewal] = [m for m in mail.outbox if "will not renew" in m.subject]
    assert renewal.to == [subscription.mentee.email]
    assert "you will not be charged again" in renewal.body
    assert subscriptions_stop_renewing(mentor_id=mentor.pk) == 0  # the task run again: nothing more
    assert len([m for m in mail.outbox if "will not renew" in m.subject]) == 1

    cancelled = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Cancelled:")}
    assert set(cancelled) == {b.mentee.email for b in (paid, credit, free, held)}
    assert "no longer available" in cancelled[paid.mentee.email].body
    assert any(m.subject.startswith("Refund:") and m.to == [paid.mentee.email] for m in mail.outbox)
    [notice] = [m for m in mail.outbox if m.to == [mentor.user.email]]
    assert "suspended" in notice.subject
    assert "Repeated complaints about no-shows" in notice.body and "reviewable" in notice.body

    entry = AuditEntry.objects.get(action="mentor.suspend")
    assert (entry.actor, entry.target_id, entry.reason) == (
        admin_user,
        str(mentor.pk),
        "Repeated complaints about no-shows",
    )


def test_a_suspended_mentor_is_nowhere_on_the_marketplace(
    market, admin_user, client, django_capture_on_commit_callbacks
):
    mentor = market["mentor"]
    offering = market["offerings"][0]
    assert mentor.user.name in client.get("/mentors/").content.decode()
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)

    assert mentor.user.name not in client.get("/mentors/").content.decode()
    assert client.get(mentor.get_absolute_url()).status_code == 404
    assert client.get(offering.get_absolute_url()).status_code == 404
    mentee = UserFactory()
    client.force_login(mentee)
    response = client.post(
        reverse("sessions:book", args=[offering.slug]),
        {"starts_at": next_weekday_at(11).isoformat(), "outcome": "x", "prework_0": "a", "prework_1": "b"},
    )
    assert response.status_code == 404
    with pytest.raises(booking_services.BookingError, match="not open for booking"):
        booking_services.booking_create(
            offering=offering,
            mentee=mentee,
            request=booking_services.BookingRequest(
                starts_at=next_weekday_at(11), outcome="x", prework_answers=["a", "b"]
            ),
        )
    assert not Booking.objects.filter(mentee=mentee).exists()
    # Members of the cohort taken back to draft still reach it.
    client.force_login(market["member"])
    assert client.get(market["upcoming"].get_absolute_url()).status_code == 200


def test_reinstating_republishes_exactly_what_the_suspension_took_down(
    market, admin_user, django_capture_on_commit_callbacks
):
    mentor = market["mentor"]
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        suspension = mentor_reinstate(mentor=mentor, by=admin_user, reason="Explained; first warning")

    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.APPROVED
    assert mentor.min_published_price == 0
    for offering in market["offerings"]:
        offering.refresh_from_db()
        assert offering.is_published
    own_draft, plan, draft_plan, upcoming, paid = refreshed(
        market["own_draft"], market["plan"], market["draft_plan"], market["upcoming"], market["paid"]
    )
    assert not own_draft.is_published and not draft_plan.is_published
    assert plan.is_published and upcoming.status == Cohort.Status.PUBLISHED
    assert paid.state == State.CANCELLED_BY_MENTOR  # cancelled sessions stay cancelled
    suspension.refresh_from_db()
    assert (suspension.ended_by, suspension.end_reason) == (admin_user, "Explained; first warning")
    [notice] = mail.outbox
    assert notice.to == [mentor.user.email] and "active again" in notice.subject
    assert AuditEntry.objects.filter(action="mentor.reinstate", reason="Explained; first warning").exists()


def test_reinstating_leaves_a_cohort_that_began_meanwhile_in_draft(
    market, admin_user, django_capture_on_commit_callbacks
):
    mentor = market["mentor"]
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)
    Cohort.objects.filter(pk=market["upcoming"].pk).update(
        start_date=(timezone.now() - timedelta(days=1)).date()
    )
    mentor_reinstate(mentor=mentor, by=admin_user, reason="Reviewed")
    (upcoming,) = refreshed(market["upcoming"])
    assert upcoming.status == Cohort.Status.DRAFT


def test_a_cohort_the_suspension_left_in_draft_is_cancelled_at_its_start_and_its_members_told(
    market, admin_user, django_capture_on_commit_callbacks
):
    mentor, upcoming, member = market["mentor"], market["upcoming"], market["member"]
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)
    upcoming.refresh_from_db()
    mail.outbox.clear()
    cohorts_sweep(now=upcoming.starts_at - timedelta(minutes=1))
    upcoming.refresh_from_db()
    assert upcoming.status == Cohort.Status.DRAFT  # until its start, reinstating may bring it back

    with django_capture_on_commit_callbacks(execute=True):
        cohorts_sweep(now=upcoming.starts_at + timedelta(minutes=1))
    upcoming.refresh_from_db()
    assert upcoming.status == Cohort.Status.CANCELLED
    assert upcoming.cancel_reason == "The facilitator is no longer available on TheMentors."
    assert upcoming.enrollments.get(member=member).state == "cancelled"
    assert any(member.email in m.to for m in mail.outbox)


def test_refusals_change_nothing(market, admin_user, django_capture_on_commit_callbacks):
    mentor = market["mentor"]
    with pytest.raises(MentorError, match="reason"):
        mentor_suspend(mentor=mentor, by=admin_user, reason="  ")
    with pytest.raises(MentorError, match="not suspended"):
        mentor_reinstate(mentor=mentor, by=admin_user, reason="Fine")
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.APPROVED and not Suspension.objects.exists()

    suspend(mentor, admin_user, django_capture_on_commit_callbacks)
    with pytest.raises(MentorError, match="already suspended"):
        mentor_suspend(mentor=mentor, by=admin_user, reason="Again")
    with pytest.raises(MentorError, match="reason"):
        mentor_reinstate(mentor=mentor, by=admin_user, reason="")
    with pytest.raises(MentorError, match="reinstate them instead"):
        mentor_review(mentor=mentor, approve=True, by=admin_user)
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.SUSPENDED
    assert Suspension.objects.count() == 1
    assert AuditEntry.objects.filter(action="mentor.suspend").count() == 1


def test_a_suspended_mentor_cannot_publish_again(market, admin_user, django_capture_on_commit_callbacks):
    mentor = market["mentor"]
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)
    with pytest.raises(booking_services.BookingError):
        booking_services.offering_set_published(
            offering=market["offerings"][0], by=mentor.user, published=True
        )
    with pytest.raises(CohortError):
        cohort_publish(cohort=market["upcoming"], by=mentor.user)


def test_application_decisions_are_in_the_audit_log(mentor_factory, admin_user):
    applicant = mentor_factory(status=MentorProfile.Status.PENDING)
    other = mentor_factory(status=MentorProfile.Status.PENDING)
    mentor_review(mentor=applicant, approve=True, by=admin_user)
    mentor_review(mentor=other, approve=False, reason="Not enough experience yet", by=admin_user)
    assert AuditEntry.objects.filter(action="mentor.approve", target_id=str(applicant.pk)).exists()
    assert AuditEntry.objects.get(action="mentor.reject").reason == "Not enough experience yet"


def admin_action(client, action: str, mentors, note: str):
    return client.post(
        reverse("admin:mentors_mentorprofile_changelist"),
        {"action": action, "_selected_action": [m.pk for m in mentors], "note": note},
        follow=True,
    )


def test_the_admin_suspends_and_reinstates_with_a_reason(
    market, admin_client, admin_user, django_capture_on_commit_callbacks
):
    mentor = market["mentor"]
    response = admin_action(admin_client, "suspend", [mentor], "")
    assert response.status_code == 200
    assert "Give a reason; it is kept in the audit log." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.APPROVED

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(admin_client, "suspend", [mentor], "Fake credentials")
    assert "Suspended 1 mentor(s)" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.SUSPENDED
    assert Suspension.objects.get().started_by == admin_user

    response = admin_action(admin_client, "suspend", [mentor], "Twice")
    assert "is already suspended" in response.content.decode()
    response = admin_action(admin_client, "approve", [mentor], "")
    assert "reinstate them instead" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(admin_client, "reinstate", [mentor], "Credentials checked")
    assert "Reinstated 1 mentor(s)" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.is_approved
    page = admin_client.get(
        reverse("admin:mentors_suspension_changelist") + f"?mentor__id__exact={mentor.pk}"
    )
    assert page.status_code == 200 and "Fake credentials" in page.content.decode()
    change = admin_client.get(reverse("admin:mentors_mentorprofile_change", args=[mentor.pk]))
    assert "1 suspension(s)" in change.content.decode()


def test_a_suspended_mentor_is_not_matched_has_no_free_slots_and_sells_no_plan(
    market, admin_user, django_capture_on_commit_callbacks, settings
):
    mentor = market["mentor"]
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    mentor.refresh_from_db()
    assert mentor.upcoming_slots and mentor.pk in catalogue().profiles
    suspend(mentor, admin_user, django_capture_on_commit_callbacks)

    mentor.refresh_from_db()
    assert mentor.upcoming_slots == [] and mentor.next_free_slot_at is None
    assert mentor.pk not in catalogue().profiles
    settings.BILLING_PROVIDER = "demo"
    with pytest.raises(SubscriptionError, match="not open for subscriptions"):
        subscription_start_checkout(plan=market["plan"], mentee=UserFactory(), base_url="http://testserver")
