"""The mentee's dashboard: their sessions with working links, in a fixed number of queries
however many sessions they have (no query runs from inside the template)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import ActionItem, Booking
from tests.factories import BookingFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

# The session and the user (every signed-in page), then the page's own: which panels have anything
# (messages, upgrade credits, subscriptions, an intake, a mentor profile, which the navigation asks
# about too), upcoming, open action items, past, the ranking and its layout. A panel with something
# adds its one query.
DASHBOARD_QUERIES = 8


def sessions_of(mentee, *, upcoming: int, past: int) -> list[Booking]:
    offering = OfferingFactory(title="Salary negotiation")
    now = timezone.now().replace(microsecond=0)
    made = []
    for day in range(1, upcoming + 1):
        made.append(BookingFactory(offering=offering, mentee=mentee, starts_at=now + timedelta(days=day)))
    for day in range(1, past + 1):
        booking = BookingFactory(
            offering=offering,
            mentee=mentee,
            starts_at=now - timedelta(days=day),
            state=Booking.State.COMPLETED,
        )
        ActionItem.objects.create(
            booking=booking, text=f"Send the counter-offer {day}", due_date=(now + timedelta(days=day)).date()
        )
        made.append(booking)
    return made


def test_the_dashboard_reads_as_many_queries_for_twenty_sessions_as_for_two(
    client, django_assert_num_queries
):
    few, many = UserFactory(), UserFactory()
    sessions_of(few, upcoming=1, past=1)
    sessions_of(many, upcoming=5, past=20)
    for mentee in (few, many):
        client.force_login(mentee)
        client.get("/dashboard/")
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert client.get("/dashboard/").status_code == 200


def test_each_session_links_to_its_page_and_its_calendar_file(client):
    mentee = UserFactory()
    upcoming, past = sessions_of(mentee, upcoming=1, past=1)
    client.force_login(mentee)
    html = client.get("/dashboard/").content.decode()
    assert f'<a href="{reverse("sessions:booking", args=[upcoming.pk])}">Salary negotiation</a>' in html
    assert f'<a href="{reverse("sessions:booking_ics", args=[upcoming.pk])}">.ics</a>' in html
    assert f'<a href="{reverse("sessions:booking", args=[past.pk])}">Salary negotiation</a>' in html
    assert "Send the counter-offer 1" in html
    assert f'from <a href="{reverse("sessions:booking", args=[past.pk])}">Salary negotiation</a>' in html
