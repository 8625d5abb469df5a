"""Seats are never oversold: 50 real parallel connections on PostgreSQL enrol into 10 seats."""

import pytest
from django.db import connection

from accounts.models import User
from cohorts import services
from cohorts.models import Cohort, Enrollment
from notifications.models import Notification
from tests.cohorts.factories import CohortFactory, ModuleFactory
from tests.factories import UserFactory
from tests.support import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

State = Enrollment.State
PEOPLE = 50
SEATS = 10


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def test_fifty_people_enrolling_at_once_into_ten_seats_make_ten_places_and_forty_waitlisted():
    cohort = CohortFactory(published=True, price_amount=30000, seats_min=2, seats_max=SEATS)
    ModuleFactory(cohort=cohort)
    people = [UserFactory().pk for _ in range(PEOPLE)]

    def enroll(user_id):
        return services.cohort_enroll(
            cohort=Cohort.objects.get(pk=cohort.pk), member=User.objects.get(pk=user_id), accept_norms=True
        )

    results = all_at_once(enroll, people)
    assert [r for r in results if isinstance(r, Exception)] == []
    states = [r.state for r in results]
    assert states.count(State.HELD) == SEATS
    assert states.count(State.WAITLISTED) == PEOPLE - SEATS
    assert Enrollment.objects.filter(state=State.HELD).count() == SEATS
    # The waitlist order is the order the lock granted places: no two share a moment.
    waitlisted = Enrollment.objects.filter(state=State.WAITLISTED).order_by("waitlisted_at")
    assert len({e.waitlisted_at for e in waitlisted}) == PEOPLE - SEATS


def test_seats_freed_at_once_are_offered_exactly_once_each():
    """Five members leave at the same moment as two sweeps run: five offers, one e-mail row each."""
    cohort = CohortFactory(published=True, price_amount=0, seats_min=2, seats_max=SEATS)
    ModuleFactory(cohort=cohort)
    enrolled = [
        services.cohort_enroll(cohort=cohort, member=UserFactory(), accept_norms=True)
        for _ in range(SEATS + 8)
    ]
    members = [e for e in enrolled if e.state == State.ACTIVE][:5]
    assert len(members) == 5

    def leave_or_sweep(item):
        if item == "sweep":
            return services.cohorts_sweep()
        enrollment = Enrollment.objects.select_related("member").get(pk=item)
        return services.enrollment_leave(enrollment=enrollment, by=enrollment.member)

    results = all_at_once(leave_or_sweep, [m.pk for m in members] + ["sweep", "sweep"])
    assert [r for r in results if isinstance(r, Exception)] == []
    offered = Enrollment.objects.filter(cohort=cohort, state=State.OFFERED)
    assert offered.count() == 5
    # The first five of the waitlist, in order.
    waitlist = sorted((e for e in enrolled if e.state == State.WAITLISTED), key=lambda e: e.waitlisted_at)
    assert set(offered.values_list("pk", flat=True)) == {e.pk for e in waitlist[:5]}
    rows = Notification.objects.filter(kind=Notification.Kind.SEAT_OFFERED)
    assert rows.count() == 5
    assert set(rows.values_list("enrollment_id", flat=True)) == {e.pk for e in waitlist[:5]}
