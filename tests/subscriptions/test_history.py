"""Credits and seats changed in bulk still leave their change history (core/history.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Enrollment
from subscriptions.models import Credit, Subscription
from subscriptions.services import credits_grant
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.factories import MentorFactory, UserFactory
from tests.subscriptions.helpers import make_plan

pytestmark = pytest.mark.django_db


def test_granting_a_period_and_starting_the_next_are_in_each_credits_history():
    mentor = MentorFactory()
    subscription = Subscription.objects.create(
        plan=make_plan(mentor=mentor), mentor=mentor, mentee=UserFactory(), provider="demo", status="active"
    )
    first = timezone.now() - timedelta(days=40)
    second, late = first + timedelta(days=30), first + timedelta(days=32)

    def grant(start, end):
        return credits_grant(subscription=subscription, period_start=start, period_end=end, count=2)

    grant(first, late)
    assert grant(first, late) == 0  # a replayed invoice
    grant(second, second + timedelta(days=30))

    old = Credit.objects.filter(period_start=first).first()
    versions = old.history.order_by("history_id")
    assert [(h.history_type, h.expires_at, h.history_change_reason) for h in versions] == [
        ("+", late, "granted for a paid period"),
        ("~", second, "unspent at the start of a new period"),
    ]
    assert Credit.history.filter(history_type="+").count() == 4  # the replay granted nothing


def test_seats_lapsing_when_a_cohort_finishes_are_in_each_seats_history():
    cohort = CohortFactory(published=True, start_date=(timezone.now() - timedelta(weeks=5)).date())
    waiting = EnrollmentFactory(cohort=cohort, state=Enrollment.State.WAITLISTED, joined_at=None)
    member = EnrollmentFactory(cohort=cohort)

    cohort_services.cohort_finish(cohort=cohort)

    latest = waiting.history.latest()
    assert (latest.state, latest.history_change_reason) == (Enrollment.State.EXPIRED, "the cohort finished")
    assert member.history.count() == 1  # members stay members
