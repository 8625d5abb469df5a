"""Two weeks before a pack with unused sessions ends, its mentee is told once, in their zone; a
pack whose sessions are all booked, one ending later, or one refunded is left alone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from packs.models import PackPurchase
from packs.tasks import remind_packs_ending
from tests.billing.helpers import next_weekday_at
from tests.factories import UserFactory
from tests.packs.helpers import book_with_pack, pack_of
from tests.packs.test_booking_with_pack import active_pack

pytestmark = pytest.mark.django_db


def reminders():
    return [m for m in mail.outbox if "ends on" in m.subject]


def test_the_mentee_is_told_once_how_many_sessions_are_left_before_the_pack_ends(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mentee = UserFactory(timezone="Pacific/Auckland")
    purchase = active_pack(pack_of(), mentee, expires_in=timedelta(days=10))
    book_with_pack(purchase.offering, mentee, starts_at=next_weekday_at(10, days_ahead=1))

    assert remind_packs_ending() == 1
    assert remind_packs_ending() == 0  # beat again: nothing more

    [message] = reminders()
    ends = timezone.localtime(purchase.expires_at, mentee.zone)
    mentor = purchase.offering.mentor.user.name
    assert message.to == [mentee.email]
    assert message.subject == f"Your pack with {mentor} ends on {ends:%-d %B}: 2 sessions left"
    assert f"ends on {ends:%-d %B %Y}" in message.body
    assert "2 of its 3 sessions are not booked" in message.body
    assert purchase.get_absolute_url() in message.body
    purchase.refresh_from_db()
    assert purchase.ending_reminder_sent_at is not None


def test_packs_fully_booked_ending_later_or_closed_are_not_reminded(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pack = pack_of()
    later = active_pack(pack, UserFactory(), expires_in=timedelta(days=20))
    closed = active_pack(pack, UserFactory(), expires_in=timedelta(days=5))
    PackPurchase.objects.filter(pk=closed.pk).update(state=PackPurchase.State.CLOSED)
    booked = UserFactory()
    used = active_pack(pack, booked, sessions=1, expires_in=timedelta(days=5))
    book_with_pack(used.offering, booked, starts_at=next_weekday_at(11, days_ahead=1))

    assert remind_packs_ending() == 0
    assert reminders() == []
    assert not PackPurchase.objects.filter(pk=later.pk, ending_reminder_sent_at__isnull=False).exists()
