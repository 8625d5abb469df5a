"""`manage.py send_due_reminders --ahead 48h`: the demo's fast-forward sends through the real outbox."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.models import Notification
from notifications.services import schedule_for_booking
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
State = Notification.State


def fast_forward(*args: str) -> str:
    out = StringIO()
    call_command("send_due_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def booking_in_30_hours():
    now = timezone.now()
    booking = BookingFactory(
        starts_at=now + timedelta(hours=30),
        prework_answers=[{"prompt": "What are the options?", "answer": ""}],  # pre-work not done
    )
    schedule_for_booking(booking, now=now)
    return booking


def test_reminders_due_within_48_hours_go_out_now_and_later_ones_wait(settings, booking_in_30_hours):
    settings.DEBUG = True
    output = fast_forward("--ahead", "48h")

    rows = {n.kind: n for n in Notification.objects.filter(booking=booking_in_30_hours)}
    sent = {kind for kind, row in rows.items() if row.state == State.SENT}
    assert sent == {
        Kind.PREWORK_REMINDER_24H,
        Kind.MENTOR_PREP_DIGEST,
        Kind.STARTING_SOON_MENTEE,
        Kind.STARTING_SOON_MENTOR,
        Kind.CLOSEOUT_NUDGE_2H,
    }
    assert rows[Kind.CLOSEOUT_NUDGE_24H].state == State.PENDING
    assert rows[Kind.CLOSEOUT_STAFF_48H].state == State.PENDING
    assert len(mail.outbox) == 5
    assert "Pre-work reminder, 24 h before" in output and "5 sent" in output

    # Running it again finds nothing left in the window.
    assert "nothing due" in fast_forward("--ahead", "48h")
    assert len(mail.outbox) == 5


def test_without_ahead_it_sends_only_what_is_due_already(settings, booking_in_30_hours):
    assert "nothing due" in fast_forward()
    assert mail.outbox == []
    assert not Notification.objects.exclude(state=State.PENDING).exists()


def test_sending_early_to_real_people_needs_debug_or_force(settings, booking_in_30_hours):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        fast_forward("--ahead", "48h")
    assert mail.outbox == []
    with pytest.raises(CommandError, match="duration"):
        fast_forward("--ahead", "soon")
