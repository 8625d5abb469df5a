"""Where a session's join link comes from: the offering's own room, else the mentor's meeting link,
else a generated room."""

import pytest
from django.urls import reverse

from sessions.services import BookingRequest, booking_create
from tests.factories import OfferingFactory, UserFactory
from tests.sessions.test_services import TUESDAY_10_BERLIN

pytestmark = pytest.mark.django_db
ZOOM = "https://zoom.us/my/greta.hoffmann"


def book(offering):
    request = BookingRequest(starts_at=TUESDAY_10_BERLIN, outcome="A decision", prework_answers=["a", "b"])
    return booking_create(offering=offering, mentee=UserFactory(), request=request)


@pytest.fixture(autouse=True)
def _on_a_monday(time_machine):
    from tests.sessions.test_services import NOW

    time_machine.move_to(NOW, tick=False)


def test_an_offering_without_a_room_uses_the_mentors_meeting_link():
    offering = OfferingFactory(join_url="", mentor__meeting_url=ZOOM)
    assert book(offering).join_url == ZOOM


def test_the_offerings_own_room_comes_first():
    offering = OfferingFactory(join_url="https://meet.google.com/abc-defg-hij", mentor__meeting_url=ZOOM)
    assert book(offering).join_url == "https://meet.google.com/abc-defg-hij"


def test_with_neither_each_session_gets_a_generated_room():
    first, second = book(OfferingFactory(join_url="")), book(OfferingFactory(join_url=""))
    assert first.join_url.startswith("https://meet.jit.si/TheMentors-") and first.join_url != second.join_url


def test_the_mentor_sets_the_link_on_the_availability_page(client):
    offering = OfferingFactory()
    mentor = offering.mentor
    client.force_login(mentor.user)
    body = {
        "section": "rules",
        "rules-timezone": "Europe/Berlin",
        "rules-buffer_before": "0",
        "rules-buffer_after": "0",
        "rules-minimum_notice": "60",
        "rules-horizon_days": "60",
        "rules-max_sessions_per_day": "6",
    }
    refused = client.post(reverse("mentors:availability"), {**body, "rules-meeting_url": "zoom me"})
    assert refused.status_code == 400 and "Enter a valid URL" in refused.content.decode()
    client.post(reverse("mentors:availability"), {**body, "rules-meeting_url": ZOOM})
    mentor.refresh_from_db()
    assert mentor.meeting_url == ZOOM
