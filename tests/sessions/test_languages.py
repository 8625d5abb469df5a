"""The sessions' words in Spanish and German (issue 24): the activity's sentences, the e-mails and
the booking page come from the catalogues, whole sentences with their values in place, and no
English is left in them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from sessions import emails, request_emails
from sessions.activity import booking_activity
from sessions.models import Booking, BookingApproval, BookingEvent
from sessions.policy import late_booking_notice
from tests.factories import BookingFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db
State = Booking.State
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.fixture
def booking():
    offering = OfferingFactory(title="Career chat", price_amount=4500, currency="USD")
    mentee = UserFactory(display_name="Maya", timezone="Europe/Madrid")
    booking = BookingFactory(
        offering=offering, mentee=mentee, starts_at=NOW + timedelta(days=5), price_amount=4500
    )
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        BookingEvent.objects.create(booking=booking, actor=mentee, from_state="", to_state=State.HELD)
    return booking


@pytest.mark.parametrize(
    ("language", "yours", "theirs"),
    [
        ("es", "Reservaste esta sesión; esperando el pago", "Maya reservó esta sesión; esperando el pago"),
        (
            "de",
            "Du hast diese Session gebucht; wartet auf die Zahlung",
            "Maya hat diese Session gebucht; wartet auf die Zahlung",
        ),
    ],
)
def test_the_activity_reads_in_the_viewers_language_with_the_right_grammar(booking, language, yours, theirs):
    with translation.override(language):
        assert [a.text for a in booking_activity(booking, viewer=booking.mentee)] == [yours]
        assert [a.text for a in booking_activity(booking, viewer=booking.mentor.user)] == [theirs]


def test_a_count_takes_its_plural_form():
    starts = NOW + timedelta(hours=3, minutes=5)
    with translation.override("de"):
        assert late_booking_notice(starts, window_hours=24, now=NOW) == (
            "Beginnt in 3 Stunden: Bei Stornierung gibt es keine Erstattung"
        )
    with translation.override("es"):
        assert late_booking_notice(NOW + timedelta(minutes=61), window_hours=24, now=NOW) == (
            "Empieza en 1 hora: si cancelas no se reembolsa"
        )


def test_the_confirmation_email_is_written_in_the_recipients_language(booking, mailoutbox):
    Booking.objects.filter(pk=booking.pk).update(state=State.CONFIRMED)
    booking.mentee.language = "de"
    booking.mentee.save(update_fields=["language"])
    emails.send_booking_confirmed(booking_id=booking.pk)
    message = mail.outbox[0]
    assert message.subject == "Gebucht: Career chat"
    assert "Hallo Maya," in message.body
    assert "Du bist bei" in message.body and "„Career chat“" in message.body
    assert "Die Kalenderdatei ist angehängt." in message.body
    assert "Hello" not in message.body and "When:" not in message.body


def test_a_request_email_keeps_its_values_in_the_translated_sentence(booking, mailoutbox):
    Booking.objects.filter(pk=booking.pk).update(state=State.REQUESTED)
    BookingApproval.objects.create(booking=booking, answer_by=NOW + timedelta(days=2))
    booking.mentor.user.language = "es"
    booking.mentor.user.save(update_fields=["language"])
    request_emails.send_request_received(booking_id=booking.pk)
    message = mail.outbox[0]
    assert message.subject == "Nueva solicitud de reserva: Career chat"
    assert "Maya quiere reservar «Career chat»" in message.body
    assert "su tarjeta autorizada por 45\xa0US$" in message.body


def test_the_booking_page_is_translated(booking, client):
    booking.mentee.language = "es"
    booking.mentee.save(update_fields=["language"])
    client.force_login(booking.mentee)
    html = client.get(booking.get_absolute_url()).content.decode()
    assert "Resultado y trabajo previo" in html
    assert "Añadir a tu calendario:" in html
    assert "Outcome and pre-work" not in html


def test_every_session_email_template_renders_in_spanish_and_german(booking):
    BookingApproval.objects.create(booking=booking, answer_by=NOW + timedelta(days=2), decision="declined")
    context = {
        "booking": booking,
        "approval": booking.approval,
        "recipient": booking.mentee,
        "role": "mentee",
        "zone": "Europe/Madrid",
        "site_url": "https://example.com",
        "reason": "a reason",
        "series": None,
        "bookings": [booking],
        "first": booking,
        "request": RequestFactory().get("/"),
    }
    names = ["cancelled", "confirmed", "request_answered", "request_lapsed", "request_received"]
    for language, hello in (("es", "Hola, Maya:"), ("de", "Hallo Maya,")):
        with translation.override(language):
            for name in names:
                for kind in ("txt", "html"):
                    text = render_to_string(f"sessions/email/{name}.{kind}", context)
                    assert hello in text, (language, name, kind)
                    assert "Hello" not in text
