"""No `next` or return address sends anyone off the site: login, logout, sign-up and the report
form each fall back to their own page for every kind of outside address."""

import pytest
from django.urls import reverse

from sessions.models import Booking, Review
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTSIDE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
]
PASSWORD = "correct horse battery"


def _stays_on_site(response) -> None:
    location = response.get("Location", "") or response.get("HX-Redirect", "")
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil" not in location


@pytest.mark.parametrize("outside", OUTSIDE)
def test_login_ignores_an_outside_next(client, outside):
    user = UserFactory()
    response = client.post(
        reverse("account_login") + f"?next={outside}", {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    _stays_on_site(response)


@pytest.mark.parametrize("outside", OUTSIDE)
def test_logout_ignores_an_outside_next(client, outside):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"), {"next": outside})
    assert response.status_code == 302
    _stays_on_site(response)


@pytest.mark.parametrize("outside", OUTSIDE)
def test_the_report_form_ignores_an_outside_next(client, outside):
    review = Review.objects.create(
        booking=BookingFactory(state=Booking.State.COMPLETED), rating=2, text="Meh"
    )
    client.force_login(UserFactory())
    url = reverse("moderation:report", args=["review", review.pk])
    response = client.post(url, {"reason": "spam", "next": outside})
    assert response.status_code == 302
    _stays_on_site(response)
    assert "evil.example" not in client.get(f"{url}?next={outside}").content.decode()
