"""Whatever a user sends, the answer is never a 500."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import BookingFactory, MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db

GARBAGE = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "abc",
    "2026-13-45",
    "9999-12-31T23:59:59+99:00",
    "<script>alert(1)</script>",
    "x" * 10000,
    "\u0000",
    "../../etc/passwd",
    "NaN",
    "[]",
    "{}",
]
FIELDS = [
    "starts_at",
    "outcome",
    "prework_0",
    "prework_1",
    "context_notes",
    "links",
    "action_item",
    "due_date",
    "notes",
    "resources",
    "rating",
    "text",
    "reply",
    "reason",
    "done",
    "published",
    "section",
    "pk",
    "rule-weekday",
    "rule-start_time",
    "rule-end_time",
    "override-date",
    "override-kind",
    "override-start_time",
    "override-end_time",
    "rules-timezone",
    "rules-buffer_before",
    "rules-horizon_days",
    "title",
    "price",
    "duration_minutes",
    "currency",
    "prework_prompts_text",
    "join_url",
    "headline",
    "bio",
    "skills",
    "years_experience",
    "timezone",
    "display_name",
    "languages",
]


def payloads():
    for value in [
        "",
        "-1",
        "99999999999999999999",
        "2026-13-45",
        "9999-12-31T23:59:59+99:00",
        "x" * 10000,
        "\u0000",
    ]:
        yield {field: value for field in FIELDS}
    for section in ["rule", "override", "rules", "delete-rule", "delete-override", "nonsense"]:
        yield {"section": section, "pk": "abc"}


def test_no_post_anywhere_causes_a_server_error(client):
    start = datetime(2030, 1, 7, 9, 0, tzinfo=ZoneInfo("UTC"))
    booking = BookingFactory(starts_at=start, ends_at=start + timedelta(minutes=30))
    offering = booking.offering
    post_urls = [
        reverse("sessions:book", args=[offering.slug]),
        reverse("sessions:booking_cancel", args=[booking.pk]),
        reverse("sessions:booking_reschedule", args=[booking.pk]),
        reverse("sessions:booking_prework", args=[booking.pk]),
        reverse("sessions:booking_close", args=[booking.pk]),
        reverse("sessions:action_item_done", args=[booking.pk]),
        reverse("sessions:review", args=[booking.pk]),
        reverse("sessions:review_reply", args=[booking.pk]),
        reverse("sessions:report_no_show", args=[booking.pk]),
        reverse("mentors:availability"),
        reverse("mentors:offering_new"),
        reverse("mentors:offering_edit", args=[offering.slug]),
        reverse("mentors:offering_publish", args=[offering.slug]),
        reverse("mentors:apply"),
        reverse("accounts:settings"),
    ]
    for user in [booking.mentee, booking.mentor.user]:
        client.force_login(user)
        for url in post_urls:
            for data in payloads():
                response = client.post(url, data)
                assert response.status_code < 500, (url, data.get("starts_at", "")[:40])


def test_no_query_string_causes_a_server_error(client):
    offering = OfferingFactory()
    MentorFactory()
    for value in GARBAGE:
        params = {
            k: value
            for k in [
                "q",
                "skill",
                "min_price",
                "max_price",
                "duration",
                "language",
                "available",
                "sort",
                "page",
                "day",
                "slot",
            ]
        }
        for url in [
            "/",
            "/mentors/",
            offering.get_absolute_url(),
            offering.mentor.get_absolute_url(),
        ]:
            assert client.get(url, params).status_code < 500, (url, value[:40])
            assert client.get(url, params, HTTP_HX_REQUEST="true").status_code < 500, (
                url,
                value[:40],
            )
