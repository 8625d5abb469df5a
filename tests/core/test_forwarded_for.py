"""X-Forwarded-For is whatever reaches us: behind trusted proxies, a hop that is not an IP address
counts as REMOTE_ADDR (with a warning in the log), for our limits and for allauth's alike."""

import logging

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from core.ratelimit import TOO_MANY, client_ip
from qa.models import Message
from sessions.models import Booking
from tests.factories import BookingFactory, UserFactory
from tests.qa.helpers import thread_url
from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db

travel = time_machine.travel(NOW, tick=False)

REMOTE = "10.0.0.5"
NOT_ADDRESSES = [
    "not-an-ip",
    "999.1.1.1",
    "1.2.3",
    "010.1.1.1",
    "",
    " ",
    "unknown",
    "[2001:db8::1",
    "[2001:db8::1]x",
    "[2001:db8::1]:",
    "[2001:db8::1]:http",
    "1.2.3.4:",
    "1.2.3.4:٨٠",  # Arabic-Indic digits for a port
    "1.2.3.4:123456",
    "2001:db8::1::1",
    "203.0.113.9" + "0" * 5000,
    "x" * 10_000,
    "\u202e203.0.113.9",
    "%31.2.3.4",
]


def request_with(forwarded: str):
    return RequestFactory().get("/", REMOTE_ADDR=REMOTE, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.parametrize("hop", NOT_ADDRESSES)
def test_a_hop_that_is_not_an_address_counts_as_remote_addr_and_is_logged(settings, caplog, hop):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert client_ip(request_with(f"198.51.100.1, {hop}")) == REMOTE
    assert "X-Forwarded-For" in caplog.text


@pytest.mark.parametrize(
    ("hop", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),  # as some load balancers write it
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),  # one client, one counter
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_an_address_as_proxies_write_it_is_the_client(settings, hop, address):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(f"198.51.100.1, {hop}")) == address


def test_empty_hops_and_too_few_hops_count_as_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_with(",")) == REMOTE
    assert client_ip(request_with(", ,")) == REMOTE
    assert client_ip(request_with("203.0.113.9")) == REMOTE


@travel
@pytest.mark.parametrize("hop", ["not-an-ip", "999.1.1.1", "", "[::1]:x"])
def test_booking_with_a_forwarded_for_that_is_not_an_address_is_counted_by_remote_addr(
    client, settings, offering, hop
):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("sessions:book", args=[offering.slug])
    for _ in range(3):  # three accounts, ten attempts each: the socket address's thirty
        client.force_login(UserFactory())
        for _ in range(10):
            assert client.post(url, form_data(outcome=""), HTTP_X_FORWARDED_FOR=hop).status_code == 400

    client.force_login(UserFactory())
    response = client.post(url, form_data(), HTTP_X_FORWARDED_FOR=hop)

    assert response.status_code == 429 and TOO_MANY in response.content.decode()
    assert not Booking.objects.exists()


@travel
def test_a_qa_message_with_a_forwarded_for_that_is_not_an_address_is_sent(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    booking = BookingFactory()
    client.force_login(booking.mentee)
    response = client.post(thread_url(booking), {"body": "A question"}, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 302
    assert Message.objects.filter(body="A question").count() == 1


@pytest.mark.parametrize(
    ("proxies", "forwarded"), [(1, "not-an-ip"), (1, "999.1.1.1"), (2, "203.0.113.9"), (1, ",")]
)
def test_logging_in_with_a_forwarded_for_that_is_not_an_address_works(client, settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = proxies
    user = UserFactory(email="maya@example.com", password="the-right-password-42")
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "the-right-password-42"},
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_allauth_counts_failed_logins_by_the_same_address_as_our_limits(client, settings):
    """Five failures through the proxy from one client address; the sixth from another address
    behind the same proxy is not held back by them, the sixth from the first one is."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/m/ip"}
    url = reverse("account_login")
    wrong = {"login": "nobody@example.com", "password": "wrong"}
    for _ in range(5):
        client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.9")
    held_back = "Too many failed login attempts. Try again later."
    assert held_back in client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.9").content.decode()
    assert held_back not in client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.10").content.decode()
