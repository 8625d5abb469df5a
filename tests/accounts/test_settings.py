"""The settings page: name, time zone, and which reminder e-mails to receive."""

import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LABELS = {
    "email_prework_reminders": "Pre-work reminders before a session",
    "email_mentor_prep_digest": "Prep digest 2 hours before a session (mentors)",
    "email_starting_soon": "“Starting in 15 minutes” reminders",
    "email_closeout_nudges": "Reminders to close out a session with its action item (mentors)",
    "email_action_item_checkins": "“Did you do it?” check-in on an action item&#x27;s due date",
}


@pytest.fixture
def user(client):
    user = UserFactory(display_name="Nia", timezone="America/New_York")
    client.force_login(user)
    return user


def test_every_reminder_can_be_turned_off_and_is_on_until_then(client, user):
    page = client.get("/settings/").content.decode()
    for flag, label in LABELS.items():
        assert label in page
        assert f'name="{flag}" id="id_{flag}" checked' in page
    assert (
        "E-mails about your account, bookings being confirmed or cancelled, and refunds always come" in page
    )


def test_unticking_a_box_saves_and_the_page_shows_it(client, user):
    data = {"display_name": "Nia", "timezone": "America/New_York"}
    data |= {
        flag: "on" for flag in LABELS if flag not in {"email_starting_soon", "email_action_item_checkins"}
    }

    response = client.post("/settings/", data)

    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.email_starting_soon, user.email_action_item_checkins) == (False, False)
    assert user.email_prework_reminders and user.email_mentor_prep_digest and user.email_closeout_nudges
    page = client.get("/settings/").content.decode()
    assert 'name="email_starting_soon" id="id_email_starting_soon">' in page
    assert 'name="email_prework_reminders" id="id_email_prework_reminders" checked' in page


def test_an_invalid_form_keeps_the_boxes_as_they_were(client, user):
    response = client.post("/settings/", {"display_name": "Nia", "timezone": "Atlantis/Capital"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).email_prework_reminders
