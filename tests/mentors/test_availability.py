from datetime import time

import pytest

from mentors.models import DateOverride, WeeklyRule
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/mentor/availability/"


@pytest.fixture
def mentor(client):
    mentor = MentorFactory(weekdays=False)
    client.force_login(mentor.user)
    return mentor


def test_a_mentor_adds_and_removes_weekly_hours_with_htmx(client, mentor):
    response = client.post(
        URL,
        {
            "section": "rule",
            "rule-weekday": "2",
            "rule-start_time": "09:00",
            "rule-end_time": "12:30",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and "12:30" in response.content.decode()
    rule = WeeklyRule.objects.get(mentor=mentor)
    assert (rule.weekday, rule.start_time, rule.end_time) == (2, time(9), time(12, 30))
    client.post(URL, {"section": "delete-rule", "pk": rule.pk}, HTTP_HX_REQUEST="true")
    assert not WeeklyRule.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"rule-weekday": "2", "rule-start_time": "12:00", "rule-end_time": "09:00"},
            "The end must be after the start.",
        ),
        (
            {"rule-weekday": "2", "rule-start_time": "09:10", "rule-end_time": "12:00"},
            "Use quarter-hours",
        ),
        (
            {"rule-weekday": "9", "rule-start_time": "09:00", "rule-end_time": "12:00"},
            "Select a valid choice",
        ),
        (
            {"rule-weekday": "2", "rule-start_time": "25:00", "rule-end_time": "12:00"},
            "Enter a valid time",
        ),
    ],
)
def test_bad_hours_are_refused_with_a_message(client, mentor, data, message):
    response = client.post(URL, {"section": "rule", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WeeklyRule.objects.exists()


def test_overlapping_hours_are_refused(client, mentor):
    WeeklyRule.objects.create(mentor=mentor, weekday=1, start_time=time(9), end_time=time(12))
    response = client.post(
        URL,
        {
            "section": "rule",
            "rule-weekday": "1",
            "rule-start_time": "11:00",
            "rule-end_time": "13:00",
        },
    )
    assert "overlaps" in response.content.decode()
    assert WeeklyRule.objects.count() == 1


def test_date_overrides_day_off_and_extra_hours(client, mentor):
    client.post(URL, {"section": "override", "override-date": "2030-01-07", "override-kind": "off"})
    client.post(
        URL,
        {
            "section": "override",
            "override-date": "2030-01-08",
            "override-kind": "extra",
            "override-start_time": "18:00",
            "override-end_time": "20:00",
        },
    )
    assert list(DateOverride.objects.order_by("date").values_list("kind", flat=True)) == [
        "off",
        "extra",
    ]
    response = client.post(
        URL, {"section": "override", "override-date": "2030-01-09", "override-kind": "extra"}
    )
    assert "Give the extra hours a start and an end." in response.content.decode()
    response = client.post(
        URL, {"section": "override", "override-date": "2001-01-01", "override-kind": "off"}
    )
    assert "That date has passed." in response.content.decode()
    assert DateOverride.objects.count() == 2


def test_booking_rules_are_saved_and_validated(client, mentor):
    data = {
        "section": "rules",
        "rules-timezone": "Asia/Tokyo",
        "rules-buffer_before": "5",
        "rules-buffer_after": "10",
        "rules-minimum_notice": "240",
        "rules-horizon_days": "30",
        "rules-max_sessions_per_day": "3",
    }
    client.post(URL, data)
    mentor.refresh_from_db()
    assert (mentor.timezone, mentor.buffer_after, mentor.max_sessions_per_day) == (
        "Asia/Tokyo",
        10,
        3,
    )
    response = client.post(URL, {**data, "rules-horizon_days": "0", "rules-timezone": "Nowhere/City"})
    assert response.status_code == 400
    mentor.refresh_from_db()
    assert mentor.horizon_days == 30


def test_someone_elses_entries_cannot_be_removed(client, mentor):
    other = MentorFactory()
    rule = other.weekly_rules.first()
    client.post(URL, {"section": "delete-rule", "pk": rule.pk})
    assert WeeklyRule.objects.filter(pk=rule.pk).exists()


def test_only_mentors_have_an_availability_page(client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404
