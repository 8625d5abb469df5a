"""Reminders are written in each recipient's own language: a real Celery worker on the real Redis
broker sends a Spanish-speaking mentee's reminder in Spanish and an English-speaking one's in
English, dates and .ics included."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.services import schedule_for_booking
from tests.factories import BookingFactory, UserFactory
from tests.support import needs_redis, wait_for

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def test_each_mentee_gets_the_starting_soon_reminder_in_their_own_language(real_worker):
    now = timezone.now()
    spanish = UserFactory(display_name="Lucía", language="es", timezone="Europe/Madrid")
    english = UserFactory(display_name="Sam", language="", timezone="Europe/London")
    for mentee in (spanish, english):
        booking = BookingFactory(mentee=mentee, starts_at=now + timedelta(minutes=14), outcome="Un plan")
        schedule_for_booking(booking, now=now - timedelta(hours=1))

    tasks.dispatch_due.delay()

    assert wait_for(lambda: len(mail.outbox) >= 4)
    by_address = {message.to[0]: message for message in mail.outbox}
    es, en = by_address[spanish.email], by_address[english.email]
    assert es.subject.startswith("Empieza en 15 minutos: «")
    assert "Hola, Lucía:" in es.body and "Hello" not in es.body
    assert "Unirse:" in es.body
    html_es = es.alternatives[0][0]
    assert "Unirse a la sesión" in html_es and "Join the session" not in html_es
    assert en.subject.startswith("Starting in 15 minutes: “")
    assert "Hello Sam," in en.body and "Join:" in en.body
    # The date is written as each language writes it.
    weekday_es = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
    assert any(day in es.body for day in weekday_es)
    assert " de " in es.body.split("\n")[2]
