"""The printed demo logins can walk every journey: the mentor login has the demo mentee's past
session to close, and the demo mentee has a paid session to rate that then brings an offer."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import UpgradeOffer
from demo.plan import MENTEE_LOGIN, MENTOR_LOGIN
from sessions.models import ActionItem, Booking, BookingSeries

pytestmark = pytest.mark.django_db
State = Booking.State


@pytest.fixture
def demo(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", stdout=StringIO())
    return User.objects.get(email=MENTEE_LOGIN), User.objects.get(email=MENTOR_LOGIN)


def test_the_mentor_login_can_close_the_demo_mentees_past_session(client, demo):
    mentee, mentor = demo
    booking = Booking.objects.get(
        mentee=mentee, mentor__user=mentor, state=State.CONFIRMED, ends_at__lt=timezone.now()
    )
    client.force_login(mentor)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert reverse("sessions:booking_close", args=[booking.pk]) in page
    due = (timezone.now() + timedelta(days=7)).date().isoformat()
    response = client.post(
        reverse("sessions:booking_close", args=[booking.pk]),
        {"action_item": "Write the loop's scorecard", "due_date": due},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.COMPLETED and ActionItem.objects.filter(booking=booking).exists()


def test_the_mentee_login_rates_a_paid_session_and_is_offered_to_keep_going(client, demo):
    mentee, _ = demo
    booking = Booking.objects.get(
        mentee=mentee, state=State.COMPLETED, review__isnull=True, price_amount__gt=0
    )
    client.force_login(mentee)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert reverse("sessions:review", args=[booking.pk]) in page
    response = client.post(reverse("sessions:review", args=[booking.pk]), {"rating": "5", "text": "Clear."})
    assert response.status_code == 302
    offer = UpgradeOffer.objects.get(booking=booking)
    assert offer.amount == booking.price_amount
    page = client.get(booking.get_absolute_url()).content.decode()
    assert f'id="upgrade-offer-{offer.pk}"' in page
    assert f'id="upgrade-offer-{offer.pk}"' in client.get(reverse("dashboard:home")).content.decode()


def test_the_demo_mentee_has_a_weekly_series_with_the_demo_mentor(client, demo):
    mentee, mentor = demo
    series = BookingSeries.objects.get(mentee=mentee, mentor__user=mentor)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert len(bookings) == 4 and {b.state for b in bookings} == {State.CONFIRMED}
    client.force_login(mentee)
    page = client.get(bookings[0].get_absolute_url()).content.decode()
    assert "Weekly series · 4 sessions" in page
    call_command("seed_demo", stdout=StringIO())
    assert BookingSeries.objects.filter(mentee=mentee).count() == 1
