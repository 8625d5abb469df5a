"""The Q&A e-mail is a setting like the reminders: on until turned off."""

import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_message_emails_are_on_by_default_and_can_be_turned_off(client):
    user = UserFactory(display_name="Nia", timezone="America/New_York")
    client.force_login(user)

    page = client.get("/settings/").content.decode()
    assert "New messages in my Q&amp;A threads" in page
    assert 'name="email_messages" id="id_email_messages" checked' in page

    flags = {flag: "on" for flag in User.EMAIL_PREFERENCES if flag != "email_messages"}
    response = client.post("/settings/", {"display_name": "Nia", "timezone": "America/New_York", **flags})

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).email_messages is False
