"""A read compiled once (core/prepared.py) answers what the same queryset answers when it is
built and run anew, for every person and moment; a query whose values do not stay parameters is
refused when it is prepared."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from core.prepared import PreparedRead
from dashboard.selectors import _panels_query, mentee_panels
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
                key.removeprefix("has_"): bool(v) for key, v in _panels_query(person.pk, moment).get().items()
            }
            assert mentee_panels(person, now=moment) == anew, person
    assert mentee_panels(mentor, now=now)["mentor_profile"] and mentee_panels(seeker, now=now)["intake"]
    assert not any(mentee_panels(plain, now=now).values())


def test_a_query_whose_moment_is_not_a_parameter_is_refused():
    read = PreparedRead(lambda person_id, moment: User.objects.filter(pk=person_id).values("pk"))
    with pytest.raises(ValueError, match="sentinel"):
        read.first(person_id=1, moment=timezone.now())
