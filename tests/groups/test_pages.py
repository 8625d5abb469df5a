"""The pages of group sessions: who sees what, the mentor's form, the profile and the insight."""

import pytest
from django.urls import reverse

from groups import services
from groups.models import GroupSession
from tests.factories import MentorFactory, UserFactory
from tests.groups.helpers import group_of

pytestmark = pytest.mark.django_db
JOIN = "https://meet.example.com/salary-workshop"


def test_only_attendees_and_the_mentor_see_the_join_link(client):
    group_session = group_of()
    attendee, stranger = UserFactory(), UserFactory()
    services.seat_book(group_session=group_session, mentee=attendee)
    url = group_session.get_absolute_url()

    assert JOIN not in client.get(url).content.decode()  # signed out
    client.force_login(stranger)
    page = client.get(url).content.decode()
    assert JOIN not in page and "Book a free seat" in page and "4 of 5 seats left" in page
    client.force_login(attendee)
    page = client.get(url).content.decode()
    assert JOIN in page and "Your seat is booked" in page
    client.force_login(group_session.mentor.user)
    page = client.get(url).content.decode()
    assert JOIN in page and attendee.name in page


def test_a_full_session_says_full_and_offers_no_seat(client):
    group_session = group_of(seats=2, seats_min=1)
    for _ in range(2):
        services.seat_book(group_session=group_session, mentee=UserFactory())
    client.force_login(UserFactory())
    page = client.get(group_session.get_absolute_url()).content.decode()
    assert "Full" in page and "Book a" not in page
    response = client.post(reverse("groups:book", args=[group_session.pk]), follow=True)
    assert "This group session is full." in response.content.decode()


def test_a_draft_is_the_mentors_alone(client):
    draft = group_of(publish=False)
    client.force_login(UserFactory())
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(draft.mentor.user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_mentor_creates_a_draft_in_their_zone_and_a_bad_field_is_named_with_nothing_saved(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    body = {
        "title": "AMA",
        "description": "Ask me anything about hiring.",
        "starts_at": "2031-03-05T18:30",
        "duration_minutes": "45",
        "seats": "60",
        "seats_min": "2",
        "price": "0",
        "currency": "USD",
        "cancellation_hours": "24",
    }
    response = client.post(reverse("groups:new"), body)
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 50" in response.content.decode()
    assert not GroupSession.objects.exists()
    response = client.post(reverse("groups:new"), {**body, "seats": "20"})
    assert response.status_code == 302
    created = GroupSession.objects.get()
    assert created.state == GroupSession.State.DRAFT
    assert created.starts_at.astimezone(mentor.zone).strftime("%Y-%m-%d %H:%M") == "2031-03-05 18:30"
    assert created.timezone == mentor.timezone and created.duration_minutes == 45
    client.post(reverse("groups:publish", args=[created.pk]))
    created.refresh_from_db()
    assert created.state == GroupSession.State.PUBLISHED


def test_the_profile_lists_the_mentors_upcoming_group_sessions(client):
    group_session = group_of(title="Negotiation AMA")
    group_of(group_session.mentor, title="Still a draft", publish=False, starts_at=group_session.ends_at)
    page = client.get(group_session.mentor.get_absolute_url()).content.decode()
    assert "Negotiation AMA" in page and "Still a draft" not in page


def test_the_insight_page_shows_seats_filled_of_group_sessions_run(client):
    from datetime import timedelta

    from django.utils import timezone

    group_session = group_of(seats=4)
    services.seat_book(group_session=group_session, mentee=UserFactory())
    GroupSession.objects.filter(pk=group_session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("dashboard:insights")).content.decode()
    assert "Group sessions: seats filled of group sessions run" in page
    csv = client.get(reverse("dashboard:insight_csv", args=["group-fill"])).content.decode()
    # 1 of 4 seats, its Wilson interval: centre = (.25 + .480182) / 1.960365 = .372473, half =
    # 1.96 · √(.046875 + .060024) / 1.960365 = .326885: 4.6 % to 69.9 %; too few (4 < 10) to draw.
    assert csv.splitlines()[1].endswith(",1,0,4,1,25.0,4.6,69.9,True")
    client.force_login(group_session.mentor.user)
    page = client.get(reverse("groups:mentor_groups")).content.decode()
    assert "<strong>1</strong> group session, <strong>1</strong> of 4 seats filled" in page


def test_the_mentees_dashboard_lists_their_seats_ahead_with_the_join_link(client):
    group_session = group_of()
    mentee = UserFactory()
    services.seat_book(group_session=group_session, mentee=mentee)
    client.force_login(mentee)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Your group sessions" in page and group_session.title in page
    assert group_session.join_url in page

    client.force_login(UserFactory())  # someone without a seat sees no such list
    assert "Your group sessions" not in client.get(reverse("dashboard:home")).content.decode()
