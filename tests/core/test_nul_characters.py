"""A NUL character never reaches PostgreSQL, which cannot store or even compare it: a raw value a
view passed to a query used to answer 500 (found by tests/core/test_fuzz.py). In a path or a
query string it is refused before any view; in a form, the form says so next to the field."""

import pytest
from django.urls import reverse

from cohorts.models import CalendarFeed
from core.middleware import NUL_REFUSED
from tests.cohorts.factories import CohortFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_a_nul_in_a_raw_form_value_a_view_reads_is_not_a_server_error(client, member):
    CohortFactory(slug="launch", published=True)
    for body in ({"cohort": "launch\x00"}, {"cohort\x00": "launch"}):
        response = client.post(reverse("cohorts:calendar_regenerate"), body)
        assert response.status_code == 302 and response.url == reverse("dashboard:home")


def test_a_nul_in_a_url_path_is_a_400_not_a_server_error(client):
    response = client.get("/calendar/%00.ics")
    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSED


def test_a_nul_in_a_query_string_is_refused_even_on_an_htmx_request(client):
    response = client.get(reverse("mentors:directory"), {"q": "python\x00"}, headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_text_without_nul_still_reaches_the_view(client, member):
    cohort = CohortFactory(published=True)
    response = client.post(
        reverse("cohorts:calendar_regenerate"), {"cohort": cohort.slug, "note": "🙂\u202e"}
    )
    assert response.status_code == 302
    assert CalendarFeed.objects.filter(user=member).exists()


def test_a_webhook_still_reads_its_own_raw_body_whatever_its_content_type(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    response = client.post(reverse("billing:stripe_webhook"), {"a": "b"})  # multipart, unsigned
    assert response.status_code == 400
    assert response.content == b"Bad signature or payload."


KEY = "k" * 31  # long enough to be looked up: Django ignores a session key under 8 characters


@pytest.mark.parametrize(
    "cookie_header",
    [
        f'sessionid="{KEY}\\000"',  # the quoted form a browser can send: Django unquotes it to a NUL
        f"sessionid={KEY}\x00",  # a raw NUL byte in the header
    ],
    ids=["quoted", "raw"],
)
def test_a_nul_in_the_session_cookie_is_a_signed_out_visit_and_the_cookie_is_cleared(client, cookie_header):
    """PostgreSQL refuses the NUL when the session is looked up (SQLite would just find none): the
    visitor is treated as signed out, not shown a 500, and told to forget the broken cookie."""
    home = client.get("/", HTTP_COOKIE=cookie_header)
    assert home.status_code == 200
    assert reverse("account_login") in home.content.decode()
    assert home.cookies["sessionid"].value == "" and home.cookies["sessionid"]["max-age"] == 0

    dashboard = client.get(reverse("dashboard:home"), HTTP_COOKIE=cookie_header)
    assert dashboard.status_code == 302 and dashboard.url.startswith(reverse("account_login"))


def test_a_nul_in_the_session_cookie_of_a_signed_in_member_signs_nobody_in(client, member):
    client.cookies["sessionid"] = KEY + "\x00"  # the test client quotes it, as a browser would
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_nul_in_other_cookies_is_no_server_error_and_a_sign_in_still_works(client):
    user = UserFactory(email="nul@example.com")
    user.set_password("a long passphrase 42")
    user.save()
    client.cookies["tz"] = "Europe/Berlin\x00"
    client.cookies["csrftoken"] = "\x00" * 32
    client.cookies["messages"] = "x\x00y"
    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "nul@example.com", "password": "a long passphrase 42"}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200
