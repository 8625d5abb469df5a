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
