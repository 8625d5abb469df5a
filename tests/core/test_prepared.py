"""A read compiled once (core/prepared.py) answers what the same queryset answers when it is
built and run anew, for every person and moment; a query whose values do not stay parameters is
refused when it is prepared."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from core.prepared import PreparedRead
from dashboard.selectors import PANELS, _panels_query, mentee_panels
from matching.models import Intake
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_dashboards_panels_read_as_the_queryset_does_for_each_person_and_moment():
    now = timezone.now()
    plain = UserFactory()
    mentor = MentorFactory().user
    seeker = UserFactory()
    Intake.objects.create(user=seeker, need="A first manager role")
    for person in (plain, mentor, seeker):
        for moment in (now, now - timedelta(days=400)):
            anew = {
                key.removeprefix("has_"): bool(v)
                for key, v in _panels_query(person_id=person.pk, now=moment).get().items()
            }
            assert mentee_panels(person, now=moment) == anew, person
    assert mentee_panels(mentor, now=now)["mentor_profile"] and mentee_panels(seeker, now=now)["intake"]
    assert not any(mentee_panels(plain, now=now).values())


def test_the_dashboards_panels_are_prepared_and_a_query_whose_sql_depends_on_its_values_is_not():
    assert PANELS.is_prepared()
    # `moment` is not used at all, and a value computed from `person_id` is not a parameter of
    # its own: both are built and run anew each time, and still answer right.
    unused = PreparedRead(
        lambda *, person_id, moment: User.objects.filter(pk=person_id).values("pk"),
        person_id=int,
        moment=datetime,
    )
    derived = PreparedRead(
        lambda *, person_id: User.objects.filter(pk__in=[person_id, person_id + 1]).values("pk"),
        person_id=int,
    )
    person = UserFactory()
    for read in (unused, derived):
        assert not read.is_prepared()
    assert list(unused.first(person_id=person.pk, moment=timezone.now()).values()) == [person.pk]
    assert derived.rows(person_id=person.pk) == [(person.pk,)]


def test_a_mentors_busy_time_reads_as_the_queryset_does(django_capture_on_commit_callbacks):
    """The slot engine's busy time (sessions.selectors.BUSY): bookings a day either side, and the
    time busy elsewhere, prepared once and the same as the union built anew."""
    from sessions.selectors import BUSY, DAY, _busy_query
    from tests.factories import BookingFactory

    now = timezone.now()
    booking = BookingFactory(starts_at=now + timedelta(days=2))
    mentor_id = booking.mentor_id
    assert BUSY.is_prepared()
    for start, end in ((now, now + timedelta(days=7)), (now + timedelta(days=3), now + timedelta(days=9))):
        prepared = BUSY.rows(
            mentor_id=mentor_id, start=start, end=end, now=now, wide_from=start - DAY, wide_until=end + DAY
        )
        anew = list(_busy_query(mentor_id=mentor_id, start=start, end=end, now=now))
        assert sorted(prepared) == sorted(anew)
    assert (
        len(
            BUSY.rows(
                mentor_id=mentor_id,
                start=now,
                end=now + timedelta(days=7),
                now=now,
                wide_from=now - DAY,
                wide_until=now + timedelta(days=8),
            )
        )
        == 1
    )
