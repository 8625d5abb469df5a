"""The demo mentor runs one upcoming group session with some seats taken, written once."""

import pytest
from django.utils import timezone

from billing.models import Payment
from demo.groups import seed_group_sessions
from groups.models import GroupSeat, GroupSession
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_mentor_has_one_upcoming_group_session_with_three_paid_seats_however_often_seeded():
    mentor = MentorFactory()
    demo_mentee = UserFactory()
    mentees = [demo_mentee] + [UserFactory() for _ in range(4)]
    for _ in range(2):
        seed_group_sessions(now=timezone.now(), demo_mentor=mentor, mentees=mentees, demo_mentee=demo_mentee)
    group_session = GroupSession.objects.get()
    assert group_session.state == GroupSession.State.PUBLISHED and group_session.starts_at > timezone.now()
    seats = GroupSeat.objects.filter(state=GroupSeat.State.CONFIRMED)
    assert seats.count() == 3 and not seats.filter(mentee=demo_mentee).exists()
    assert Payment.objects.filter(group_seat__in=seats, state=Payment.State.PAID).count() == 3
