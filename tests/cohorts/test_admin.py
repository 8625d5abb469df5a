"""Staff moderate cohorts in the admin: every page answers, lists cost a fixed number of queries,
seats and money stay with the services, and cancelling a cohort refunds its paid members."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Payment, Refund
from cohorts.models import (
    CalendarFeed,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    PeerReview,
    Submission,
)
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory

pytestmark = pytest.mark.django_db

MODELS = ("cohort", "enrollment", "cohortevent", "submission", "peerreview", "cohortmessage", "calendarfeed")


def changelist(model: str) -> str:
    return reverse(f"admin:cohorts_{model}_changelist")


def change(obj) -> str:
    return reverse(f"admin:cohorts_{obj._meta.model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def paid_member(cohort: Cohort, **fields) -> Enrollment:
    """A member whose seat was paid through the demo provider."""
    enrollment = EnrollmentFactory(cohort=cohort, **fields)
    Payment.objects.create(
        enrollment=enrollment,
        provider=Payment.Provider.DEMO,
        checkout_session_id=f"cs_demo_{uuid.uuid4().hex}",
        amount=enrollment.price_amount,
        currency=enrollment.currency,
        platform_fee=enrollment.price_amount // 10,
        state=Payment.State.PAID,
        paid_at=timezone.now(),
    )
    return enrollment


def build_cohort(*, members: int = 2, waitlisted: int = 1, **fields) -> Cohort:
    """A published $200 cohort with paid members, a waitlist, a module with submissions and
    reviews (one written, one not), an event, a message and the members' calendar feeds."""
    cohort = CohortFactory(published=True, price_amount=20000, **fields)
    module = ModuleFactory(cohort=cohort)
    CohortEventFactory(cohort=cohort)
    enrollments = [paid_member(cohort) for _ in range(members)]
    now = timezone.now()
    for n in range(waitlisted):
        EnrollmentFactory(
            cohort=cohort, state=Enrollment.State.WAITLISTED, joined_at=None, waitlisted_at=now + timedelta(n)
        )
    submissions = [
        Submission.objects.create(module=module, enrollment=e, text="My plan") for e in enrollments
    ]
    for n, submission in enumerate(submissions):
        reviewer = enrollments[(n + 1) % len(enrollments)]
        PeerReview.objects.create(
            submission=submission,
            reviewer=reviewer,
            what_works="Clear" if n == 0 else "",
            submitted_at=now if n == 0 else None,
        )
    CohortMessage.objects.create(cohort=cohort, author=cohort.facilitator.user, subject="Welcome", body="Hi")
    for enrollment in enrollments:
        CalendarFeed.objects.create(user=enrollment.member)
    return cohort


@pytest.fixture
def cohort(db):
    return build_cohort(title="Speak like a leader")


def test_every_list_and_change_page_answers_for_staff(admin_client, cohort):
    CohortFactory(title="A draft still being written")
    for model in MODELS:
        response = admin_client.get(changelist(model))
        assert response.status_code == 200, model
        obj = response.context["cl"].result_list[0]
        assert admin_client.get(change(obj)).status_code == 200, model
    for filters in ("?place=waitlist", "?place=seat", "?place=gone", "?state=active"):
        assert admin_client.get(changelist("enrollment") + filters).status_code == 200
    for filters in ("?done=yes", "?done=no"):
        assert admin_client.get(changelist("peerreview") + filters).status_code == 200


def test_the_cohort_list_shows_seats_taken_of_max_and_the_waitlist(admin_client, cohort):
    page = admin_client.get(changelist("cohort")).content.decode()
    assert "Speak like a leader" in page and cohort.facilitator.user.name in page
    assert "2 / 12" in page
    waitlist_url = changelist("enrollment") + f"?cohort__id__exact={cohort.pk}&amp;place=waitlist"
    assert f'<a href="{waitlist_url}">1</a>' in page


@pytest.mark.parametrize(
    ("model", "query", "found"),
    [
        ("cohort", "leader", True),
        ("cohort", "nothing-like-this", False),
        ("enrollment", "waitlisted-person", True),
        ("peerreview", "reviewer-person", True),
        ("calendarfeed", "reviewer-person", True),
    ],
)
def test_search_finds_by_title_email_and_name(admin_client, cohort, model, query, found):
    member = Enrollment.objects.filter(cohort=cohort, state=Enrollment.State.ACTIVE).first()
    waitlisted = Enrollment.objects.get(cohort=cohort, state=Enrollment.State.WAITLISTED)
    User.objects.filter(pk=member.member_id).update(email="reviewer-person@example.com")
    User.objects.filter(pk=waitlisted.member_id).update(email="waitlisted-person@example.com")
    response = admin_client.get(changelist(model), {"q": query})
    assert response.status_code == 200
    assert (response.context["cl"].result_count > 0) is found


def test_the_cohort_search_finds_the_facilitator_by_name_and_email(admin_client, cohort):
    CohortFactory(title="Someone else's cohort")
    user = cohort.facilitator.user
    for query in (user.email, user.display_name, cohort.slug):
        results = admin_client.get(changelist("cohort"), {"q": query}).context["cl"].result_list
        assert [c.pk for c in results] == [cohort.pk], query


def test_list_pages_cost_the_same_queries_for_one_cohort_or_three(admin_client, cohort):
    def queries(model: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(changelist(model)).status_code == 200
        return len(captured)

    before = {model: queries(model) for model in MODELS}
    build_cohort(members=3, waitlisted=2)
    build_cohort(members=4, waitlisted=0)
    assert {model: queries(model) for model in MODELS} == before


def test_the_waitlist_filter_lists_the_waitlist_in_offer_order(admin_client, cohort):
    first = Enrollment.objects.get(cohort=cohort, state=Enrollment.State.WAITLISTED)
    later = EnrollmentFactory(
        cohort=cohort,
        state=Enrollment.State.WAITLISTED,
        joined_at=None,
        waitlisted_at=first.waitlisted_at + timedelta(hours=1),
    )
    earlier = EnrollmentFactory(
        cohort=cohort,
        state=Enrollment.State.WAITLISTED,
        joined_at=None,
        waitlisted_at=first.waitlisted_at - timedelta(hours=1),
    )
    response = admin_client.get(
        changelist("enrollment"), {"place": "waitlist", "cohort__id__exact": cohort.pk}
    )
    assert [e.pk for e in response.context["cl"].result_list] == [earlier.pk, first.pk, later.pk]


def test_price_and_seats_are_read_only_once_published(admin_client, cohort):
    published = admin_client.get(change(cohort)).content.decode()
    assert 'name="price_amount"' not in published and 'name="currency"' not in published
    assert 'name="seats_max"' not in published and 'name="title"' in published
    draft = CohortFactory(title="A draft")
    page = admin_client.get(change(draft)).content.decode()
    assert 'name="price_amount"' in page and 'name="currency"' in page


def test_staff_can_fix_a_cohorts_wording_but_not_its_price(admin_client, cohort):
    page = admin_client.get(change(cohort))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(title="Speak like a leader (2026)", skills=[], price_amount=1)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for n, inline_form in enumerate(formset.forms):
            for field in inline_form.fields:
                value = inline_form[field].value()
                if value is not None:
                    data[f"{formset.prefix}-{n}-{field}"] = value
    response = admin_client.post(change(cohort), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    cohort.refresh_from_db()
    assert cohort.title == "Speak like a leader (2026)" and cohort.price_amount == 20000


def test_the_calendar_feed_token_is_never_listed(admin_client, cohort):
    feed = CalendarFeed.objects.first()
    assert feed.token not in admin_client.get(changelist("calendarfeed")).content.decode()
    assert feed.token in admin_client.get(change(feed)).content.decode()


def test_regenerating_a_calendar_feed_kills_the_old_address(admin_client, cohort):
    feed = CalendarFeed.objects.first()
    response = admin_client.post(
        changelist("calendarfeed"), {"action": "regenerate", "_selected_action": [feed.pk]}
    )
    assert response.status_code == 302
    old = feed.token
    feed.refresh_from_db()
    assert feed.token != old


def cancel(admin_client, capture, *cohorts):
    with capture(execute=True):
        return admin_client.post(
            changelist("cohort"),
            {"action": "cancel_and_refund", "_selected_action": [c.pk for c in cohorts]},
        )


def test_cancelling_from_the_admin_refunds_every_paid_member(
    admin_client, admin_user, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    payments = list(Payment.objects.filter(enrollment__cohort=cohort))
    response = cancel(admin_client, django_capture_on_commit_callbacks, cohort)

    assert response.status_code == 302
    assert any("Speak like a leader: cancelled" in m for m in messages_of(response))
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED and cohort.cancel_reason == "Cancelled by staff"
    assert set(cohort.enrollments.values_list("state", flat=True)) == {Enrollment.State.CANCELLED}
    refunds = Refund.objects.filter(payment__in=payments)
    assert sorted(refunds.values_list("payment_id", "amount")) == sorted((p.pk, 20000) for p in payments)
    assert all(r.state == Refund.State.SUCCEEDED for r in refunds)
    # Everyone who had a place (members and the waitlist) is told.
    told = {to for m in mailoutbox for to in m.to if "Cancelled" in m.subject}
    assert told == set(cohort.enrollments.values_list("member__email", flat=True))

    # Cancelling again changes nothing and refunds nobody twice.
    again = cancel(admin_client, django_capture_on_commit_callbacks, cohort)
    assert any("already cancelled" in m for m in messages_of(again))
    assert Refund.objects.count() == len(payments)


def test_a_finished_cohort_cannot_be_cancelled_and_staff_are_told_why(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    finished = CohortFactory(
        title="Done already",
        status=Cohort.Status.FINISHED,
        start_date=timezone.now().date() - timedelta(weeks=8),
    )
    response = cancel(admin_client, django_capture_on_commit_callbacks, finished, cohort)
    texts = messages_of(response)
    assert any("Done already: A finished cohort cannot be cancelled." in m for m in texts)
    assert any("Speak like a leader: cancelled" in m for m in texts)
    finished.refresh_from_db()
    assert finished.status == Cohort.Status.FINISHED


def test_events_are_read_only_for_staff(admin_client, cohort):
    event = CohortEvent.objects.get(cohort=cohort)
    page = admin_client.get(change(event)).content.decode()
    assert 'name="starts_at' not in page
    assert admin_client.post(change(event), {"title": "Moved"}).status_code == 403
