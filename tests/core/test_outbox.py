"""The task outbox: a task asked for by a write is saved with it and queued after commit, so a
broker outage at that moment delays it (the minute sweep queues it) but never loses it, and a
rolled-back write never sends one.

The tests run Celery eagerly: "queued" means the task ran, here, at once.
"""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.models import OutboxTask
from core.outbox import OUTBOX_GRACE, outbox_flush
from sessions import tasks
from sessions.models import Booking
from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db

CONFIRMATION = "sessions.tasks.send_booking_confirmed"


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def confirmations(booking) -> list[str]:
    """Who was sent the confirmation (the mentee and the mentor each get one)."""
    sent = [m for m in mail.outbox if m.subject == f"Booked: {booking.offering.title}"]
    return sorted(address for m in sent for address in m.to)


def both(booking) -> list[str]:
    return sorted([booking.mentee.email, booking.mentor.user.email])


@time_machine.travel(NOW, tick=False)
def test_a_booking_confirmed_while_the_broker_is_down_is_e_mailed_once_it_is_back(
    client, offering, mentee, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    client.force_login(mentee)
    with monkeypatch.context() as outage:
        outage.setattr(tasks.send_booking_confirmed, "delay", broker_down)
        with caplog.at_level(logging.ERROR, logger="core.outbox"):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.state == Booking.State.CONFIRMED
    assert confirmations(booking) == []
    waiting = OutboxTask.objects.get(task=CONFIRMATION)
    assert waiting.args == [str(booking.pk)]

    # The sweep leaves a fresh row to the process that wrote it…
    assert outbox_flush(now=timezone.now()) == 0
    # …and queues it once it is older than the grace period: the e-mail goes, once.
    assert outbox_flush(now=timezone.now() + OUTBOX_GRACE + timedelta(seconds=1)) == 1
    assert confirmations(booking) == both(booking)
    assert not OutboxTask.objects.filter(task=CONFIRMATION).exists()
    assert outbox_flush(now=timezone.now() + timedelta(hours=1)) == 0
    assert confirmations(booking) == both(booking)


@time_machine.travel(NOW, tick=False)
def test_with_the_broker_up_the_task_is_queued_after_commit_and_the_row_is_gone(
    client, offering, mentee, django_capture_on_commit_callbacks
):
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    booking = Booking.objects.get()
    assert confirmations(booking) == both(booking)
    assert not OutboxTask.objects.exists()


def test_a_write_rolled_back_sends_nothing(offering, mentee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                tasks.send_booking_confirmed.delay_on_commit("00000000-0000-0000-0000-000000000000")
                raise RuntimeError("the write fails after asking for its e-mail")
        except RuntimeError:
            pass
    assert not OutboxTask.objects.exists()
    assert mail.outbox == []


def test_a_sweep_while_the_broker_is_still_down_keeps_every_row_and_says_why(monkeypatch):
    for n in range(3):
        OutboxTask.objects.create(task=CONFIRMATION, args=[f"booking-{n}"])
    later = timezone.now() + OUTBOX_GRACE + timedelta(seconds=1)
    monkeypatch.setattr(tasks.send_booking_confirmed, "delay", broker_down)
    assert outbox_flush(now=later) == 0
    rows = list(OutboxTask.objects.values_list("attempts", "last_error"))
    assert len(rows) == 3
    assert all(attempts == 1 and "Connection refused" in error for attempts, error in rows)


def test_a_row_naming_a_task_that_no_longer_exists_is_dropped(caplog):
    OutboxTask.objects.create(task="gone.tasks.removed_in_a_deploy", args=[1])
    with caplog.at_level(logging.ERROR, logger="core.outbox"):
        assert outbox_flush(now=timezone.now() + OUTBOX_GRACE + timedelta(seconds=1)) == 0
    assert not OutboxTask.objects.exists()
    assert "gone.tasks.removed_in_a_deploy" in caplog.text
