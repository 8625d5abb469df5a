"""The booking page offers the session to the person's calendar: Google, Outlook on the web, .ics."""

from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def links(page: str, host: str) -> dict:
    start = page.index(f'href="https://{host}')
    url = unescape(page[start + 6 : page.index('"', start + 6)])
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_google_and_outlook_get_the_session_in_utc_with_its_join_link(client):
    booking = BookingFactory(starts_at=datetime(2026, 12, 9, 9, 45, tzinfo=UTC))  # 30 minutes
    client.force_login(booking.mentee)
    page = client.get(booking.get_absolute_url()).content.decode()

    google = links(page, "calendar.google.com")
    assert google["action"] == "TEMPLATE"
    assert google["dates"] == "20261209T094500Z/20261209T101500Z"
    assert google["location"] == booking.join_url
    assert booking.offering.title in google["text"] and booking.outcome in google["details"]

    outlook = links(page, "outlook.live.com")
    assert (outlook["startdt"], outlook["enddt"]) == ("2026-12-09T09:45:00Z", "2026-12-09T10:15:00Z")
    assert outlook["rru"] == "addevent" and outlook["location"] == booking.join_url
    assert "Download .ics" in page
