"""Rate limits: booking and messages (core/ratelimit.py), and allauth's own on logging in. Over a
limit, the form says so with HTTP 429 (the htmx partial too) and nothing is created.

Each test has its own cache (tests/conftest.py), so counters never leak between tests; the same
limits across two gunicorn workers sharing Redis: test_rate_limits_workers.py."""

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from cohorts.models import CohortMessage
from core.ratelimit import TOO_MANY, client_ip
from qa.models import Message
from sessions.models import Booking
from tests.cohorts.factories import CohortFactory
from tests.factories import BookingFactory, UserFactory
from tests.qa.helpers import thread_url
from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db

travel = time_machine.travel(NOW, tick=False)


@travel
def test_the_eleventh_booking_attempt_in_a_minute_is_refused_and_books_nothing(client, offering, mentee):
    client.force_login(mentee)
    url = reverse("sessions:book", args=[offering.slug])
    for _ in range(10):  # ten attempts the form refuses (no outcome) still count
        assert client.post(url, form_data(outcome="")).status_code == 400

    response = client.post(url, form_data())  # a booking that would go through

    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert not Booking.objects.exists()

    partial = client.post(url, form_data(), HTTP_HX_REQUEST="true")
    assert partial.status_code == 429
    html = partial.content.decode()
    assert "<html" not in html and TOO_MANY in html and 'name="starts_at"' in html
    assert not Booking.objects.exists()


@travel
def test_booking_attempts_from_one_address_are_limited_across_accounts(client, offering):
    url = reverse("sessions:book", args=[offering.slug])
    for _ in range(3):  # three accounts, ten attempts each: the address's thirty
        client.force_login(UserFactory())
        for _ in range(10):
            assert client.post(url, form_data(outcome="")).status_code == 400

    client.force_login(UserFactory())  # a fresh account, from the same address
    response = client.post(url, form_data())

    assert response.status_code == 429 and TOO_MANY in response.content.decode()
    assert not Booking.objects.exists()
    # Another address is not held back by it.
    assert client.post(url, form_data(), REMOTE_ADDR="198.51.100.7").status_code == 302


@travel
def test_the_twenty_first_qa_message_in_a_minute_is_refused(client):
    booking = BookingFactory()
    client.force_login(booking.mentee)
    url = thread_url(booking)
    for i in range(20):
        assert client.post(url, {"body": f"Question {i}"}).status_code == 302

    response = client.post(url, {"body": "One more"})
    partial = client.post(url, {"body": "And another"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 429 and TOO_MANY in response.content.decode()
    assert partial.status_code == 429
    assert "<html" not in partial.content.decode() and TOO_MANY in partial.content.decode()
    assert Message.objects.count() == 20
    assert not Message.objects.filter(body__in=["One more", "And another"]).exists()


@travel
def test_reading_a_thread_is_never_limited(client):
    booking = BookingFactory()
    client.force_login(booking.mentee)
    for _ in range(30):
        assert client.get(thread_url(booking)).status_code == 200


@travel
def test_the_twenty_first_message_to_a_cohort_in_a_minute_is_refused(client):
    cohort = CohortFactory()
    client.force_login(cohort.facilitator.user)
    url = reverse("cohorts:message", args=[cohort.slug])
    for i in range(20):
        assert client.post(url, {"subject": f"Week {i}", "body": "Notes"}).status_code == 302

    response = client.post(url, {"subject": "One more", "body": "Notes"})

    assert response.status_code == 429 and TOO_MANY in response.content.decode()
    assert CohortMessage.objects.filter(cohort=cohort).count() == 20


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0  # anyone can send X-Forwarded-For: ignored
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1  # our proxy appended the address it saw; the rest is the client's
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: not from our proxies
    assert client_ip(request) == "10.0.0.5"


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(client, settings, offering):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("sessions:book", args=[offering.slug])
    for n in range(31):  # one account each, all through the same proxy (REMOTE_ADDR)
        client.force_login(UserFactory())
        response = client.post(url, form_data(outcome=""), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 400


def test_allauth_refuses_a_sixth_failed_login_with_a_clear_message(client, settings):
    user = UserFactory(email="maya@example.com", password="the-right-password-42")
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": user.email, "password": "wrong"})
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    response = client.post(url, {"login": user.email, "password": "the-right-password-42"})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session
