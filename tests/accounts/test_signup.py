import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "new.mentee@example.com",
        "display_name": "New Mentee",
        "timezone": "Asia/Tokyo",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_signup_keeps_name_and_time_zone_and_asks_to_verify_the_email(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new.mentee@example.com")
    assert (user.display_name, user.timezone) == ("New Mentee", "Asia/Tokyo")
    assert not user.emailaddress_set.get().verified
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    client.post(path)
    assert user.emailaddress_set.get().verified


def test_signup_rejects_an_unknown_time_zone_next_to_the_field(client):
    response = signup(client, timezone="Atlantis/Capital")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.exists()


def test_email_is_the_login(client):
    signup(client)
    user = User.objects.get()
    user.emailaddress_set.update(verified=True)
    response = client.post(
        "/accounts/login/",
        {"login": "new.mentee@example.com", "password": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_the_viewer_time_zone_comes_from_the_account_or_the_browser_cookie(client):
    from tests.factories import UserFactory

    client.cookies["tz"] = "Asia/Kolkata"
    assert "Asia/Kolkata" in client.get("/").content.decode()
    client.cookies["tz"] = "Not/AZone"
    assert client.get("/").status_code == 200
    client.force_login(UserFactory(timezone="Europe/Lisbon"))
    assert "Europe/Lisbon" in client.get("/").content.decode()


def test_settings_change_the_time_zone(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    client.post("/settings/", {"display_name": "Renamed", "timezone": "Pacific/Auckland"})
    user.refresh_from_db()
    assert (user.display_name, user.timezone) == ("Renamed", "Pacific/Auckland")
    response = client.post("/settings/", {"display_name": "x" * 81, "timezone": "Pacific/Auckland"})
    assert "at most 80 characters" in response.content.decode()
