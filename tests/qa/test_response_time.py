"""What a mentor promises about answering, and what they measurably do, on their profile."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from mentors.models import MentorProfile
from tests.qa.helpers import subscribe, thread_url

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def post(client, user, subject, body, at):
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        assert client.post(thread_url(subject), {"body": body}).status_code == 302


def answers_on_profile(client, mentor) -> str:
    page = client.get(mentor.get_absolute_url()).content.decode()
    start = page.find('<dd id="response-time">')
    return page[start : page.find("</dd>", start)] if start >= 0 else ""


def median(mentor) -> int | None:
    return MentorProfile.objects.get(pk=mentor.pk).median_response_minutes


def test_the_median_counts_from_the_first_unanswered_mentee_message_to_the_mentors_answer(
    client, cast, booking
):
    subscription = subscribe(mentor=booking.mentor, mentee=cast.mentee)
    mentor = booking.mentor

    post(client, cast.mentee, booking, "Question", T0)
    post(client, cast.mentee, booking, "Another detail", T0 + timedelta(minutes=10))
    assert median(mentor) is None  # nobody has answered yet
    post(client, cast.mentor, booking, "Answer", T0 + timedelta(minutes=60))
    assert median(mentor) == 60
    post(client, cast.mentor, booking, "And one more thing", T0 + timedelta(minutes=70))
    assert median(mentor) == 60  # a second answer in a row is not a response

    post(client, cast.mentee, subscription, "Plan question", T0 + timedelta(hours=2))
    post(client, cast.mentor, subscription, "Plan answer", T0 + timedelta(hours=2, minutes=20))
    assert median(mentor) == 40  # (60 + 20) / 2

    post(client, cast.mentee, booking, "Follow-up", T0 + timedelta(hours=5))
    post(client, cast.mentor, booking, "Reply", T0 + timedelta(hours=8))
    assert median(mentor) == 60  # of 20, 60 and 180
    assert "median reply time 1 hour" in answers_on_profile(client, mentor)


def test_only_the_last_90_days_count(client, cast, booking):
    post(client, cast.mentee, booking, "Old question", T0 - timedelta(days=100))
    post(client, cast.mentor, booking, "Old, slow answer", T0 - timedelta(days=97))
    assert median(booking.mentor) == 3 * 24 * 60
    assert "median reply time 3 days" in answers_on_profile(client, booking.mentor)

    post(client, cast.mentee, booking, "New question", T0)
    post(client, cast.mentor, booking, "Quick answer", T0 + timedelta(minutes=25))

    assert median(booking.mentor) == 25
    assert "median reply time 25 minutes" in answers_on_profile(client, booking.mentor)


def test_a_mentor_sets_the_expected_response_time_and_the_profile_shows_both(client, cast, booking):
    mentor = booking.mentor
    assert answers_on_profile(client, mentor) == ""  # nothing promised, nothing measured

    client.force_login(cast.mentor)
    response = client.post(
        "/mentor/availability/", {"section": "response", "response-expected_response_hours": "24"}
    )
    assert response.status_code == 200 and "Response time saved." in response.content.decode()
    assert "usually within 24 hours" in answers_on_profile(client, mentor)

    post(client, cast.mentee, booking, "Question", T0)
    post(client, cast.mentor, booking, "Answer", T0 + timedelta(hours=3))
    shown = answers_on_profile(client, mentor)
    assert "usually within 24 hours; median reply time 3 hours" in shown

    client.force_login(cast.mentee)
    page = client.get(thread_url(booking)).content.decode()
    assert "Omar Mentor usually answers within 24 hours." in page


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("169", "Ensure this value is less than or equal to 168."),
        ("soon", "Enter a whole number."),
    ],
)
def test_a_bad_expected_response_time_is_refused_next_to_the_field(client, cast, booking, value, error):
    client.force_login(cast.mentor)
    response = client.post(
        "/mentor/availability/", {"section": "response", "response-expected_response_hours": value}
    )
    assert response.status_code == 400 and error in response.content.decode()
    assert MentorProfile.objects.get(pk=booking.mentor.pk).expected_response_hours is None


def test_clearing_the_expected_response_time_removes_the_promise(client, cast, booking):
    MentorProfile.objects.filter(pk=booking.mentor.pk).update(expected_response_hours=12)
    client.force_login(cast.mentor)
    client.post("/mentor/availability/", {"section": "response", "response-expected_response_hours": ""})
    assert MentorProfile.objects.get(pk=booking.mentor.pk).expected_response_hours is None
