"""Right after booking, the mentee lands on the booking's confirmation: what, with whom, when in
their zone and the mentor's, the join link and when it opens, add-to-calendar, the pre-work still
to do, and what happens next."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.urls import reverse

from sessions import services
from sessions.models import Booking
from tests.factories import MentorFactory, OfferingFactory
from tests.sessions.helpers import NOW, SLOT, form_data

pytestmark = pytest.mark.django_db


def _book(client, offering, mentee, **overrides):
    client.force_login(mentee)
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data(**overrides))
    return Booking.objects.get(), response


def _section(html: str) -> str:
    start = html.index('id="confirmation"')
    return html[start : html.index("</section>", start)]


@time_machine.travel(NOW, tick=False)
def test_booking_lands_on_the_confirmation(client, offering, mentee):
    booking, response = _book(client, offering, mentee, prework_1="")

    assert response.status_code == 302 and response.url == f"/bookings/{booking.pk}/?confirmed=1"
    url = urlparse(response.url)
    page = client.get(url.path, {"confirmed": "1"}).content.decode()
    confirmation = _section(page)
    assert '<h2 id="confirmation-title">You\'re booked</h2>' in confirmation
    assert "We've e-mailed you the details and a calendar file." in confirmation
    # What, and with whom (with their face).
    assert "Should I take this job offer?" in confirmation and "30 minutes" in confirmation
    assert 'class="avatar avatar-c' in confirmation and offering.mentor.user.name in confirmation
    # When: the mentee's New York morning, and the mentor's Berlin time beside it.
    assert "Tuesday 2 June 2026, 04:00–04:30" in confirmation and "America/New_York" in confirmation
    assert f"Tuesday 2 June, 10:00 for {offering.mentor.user.name} (Europe/Berlin)" in confirmation
    # The join link, and when it opens: the starting-soon reminder's 15 minutes before.
    assert 'href="https://meet.example.com/room"' in confirmation
    assert "Opens 15 minutes before the start, at Tue 2 Jun, 03:45" in confirmation
    assert "Join now" not in confirmation
    # Add to calendar: Google, Outlook and the .ics.
    assert "https://calendar.google.com/calendar/render?" in confirmation
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in confirmation
    assert reverse("sessions:booking_ics", args=[booking.pk]) in confirmation
    # The pre-work left empty, with the way to write it.
    assert "Pre-work still to do:" in confirmation and "<li>What matters most to you?</li>" in confirmation
    assert "<li>What are the options?</li>" not in confirmation
    assert 'href="#prework">Finish your pre-work</a>' in confirmation and 'id="prework"' in page
    # What happens next: the reminders still to come, the action item, the free cancellation.
    assert "We e-mail you a last pre-work reminder, if it is not done by then." in confirmation
    assert "We e-mail you a reminder with the join link." in confirmation
    assert "closes it with one action item for you" in confirmation
    assert "You can reschedule once or cancel until Mon 1 Jun, 04:00" in confirmation
    assert "Nothing: this session is free" in confirmation
    # Said once: the page's own facts card and reminder list make way for it.
    assert page.count("Add to your calendar:") == 1 and page.count("What happens next") == 1


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_is_in_the_viewers_clock(client, offering, mentee):
    booking, _ = _book(client, offering, mentee)
    url = booking.get_absolute_url()

    us = _section(client.get(url, {"confirmed": "1"}, headers={"Accept-Language": "en-US"}).content.decode())
    assert "Tuesday 2 June 2026, 4:00 am–4:30 am" in us and "Tuesday 2 June, 10:00 am for" in us
    de = _section(client.get(url, {"confirmed": "1"}, headers={"Accept-Language": "de-DE"}).content.decode())
    assert "Dienstag, 2. Juni 2026, 04:00–04:30" in de  # a German browser reads the page in German


@time_machine.travel(NOW, tick=False)
def test_a_mentor_in_the_same_zone_gets_no_second_time(client, mentee):
    offering = OfferingFactory(mentor=MentorFactory(timezone="America/New_York"))
    booking, _ = _book(client, offering, mentee, starts_at=(SLOT + timedelta(hours=6)).isoformat())
    confirmation = _section(client.get(booking.get_absolute_url(), {"confirmed": "1"}).content.decode())
    assert " for " + offering.mentor.user.name + " (" not in confirmation
    assert "Your pre-work is done" in confirmation
    assert "pre-work reminder" not in confirmation  # none is sent while it is done


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_is_only_the_mentees_and_only_while_confirmed(client, offering, mentee):
    booking, _ = _book(client, offering, mentee)
    url = booking.get_absolute_url()
    assert 'id="confirmation"' not in client.get(url).content.decode()  # the page itself, later

    client.force_login(offering.mentor.user)
    assert 'id="confirmation"' not in client.get(url, {"confirmed": "1"}).content.decode()

    services.booking_cancel(booking=booking, by=mentee)
    client.force_login(mentee)
    page = client.get(url, {"confirmed": "1"}).content.decode()
    assert 'id="confirmation"' not in page and "Cancelled" in page


def test_join_now_appears_when_the_join_link_opens(client, offering, mentee):
    with time_machine.travel(NOW, tick=False):
        booking, _ = _book(client, offering, mentee)
    url = booking.get_absolute_url()
    with time_machine.travel(booking.starts_at - timedelta(minutes=16), tick=False):
        assert "Join now" not in client.get(url).content.decode()
    with time_machine.travel(booking.starts_at - timedelta(minutes=15), tick=False):
        page = client.get(url).content.decode()
        assert '<a class="btn small" href="https://meet.example.com/room" rel="noopener">Join now</a>' in page
        assert "Join now" in _section(client.get(url, {"confirmed": "1"}).content.decode())
    with time_machine.travel(booking.ends_at, tick=False):
        assert "Join now" not in client.get(url).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_booking_page_and_dashboards_follow_the_viewers_clock(client, offering, mentee):
    booking, _ = _book(client, offering, mentee)
    for language, day, short_day, wall in (
        ("en-US,en;q=0.9", "Tuesday 2 June 2026", "Tue 2 Jun", "4:00 am"),
        ("en-GB", "Tuesday 2 June 2026", "Tue 2 Jun", "04:00"),
        ("de", "Dienstag, 2. Juni 2026", "Di., 2. Juni", "04:00"),  # the page in German, too
    ):
        headers = {"Accept-Language": language}
        page = client.get(booking.get_absolute_url(), headers=headers).content.decode()
        assert f"{day}, {wall}–" in page
        assert (
            f"{short_day}, {wall}" in client.get(reverse("dashboard:home"), headers=headers).content.decode()
        )
    client.force_login(offering.mentor.user)
    us = client.get(reverse("dashboard:home"), headers={"Accept-Language": "en-US"}).content.decode()
    assert "<strong>Tue 2 Jun, 10:00 am</strong>" in us
    gb = client.get(reverse("dashboard:home"), headers={"Accept-Language": "en-GB"}).content.decode()
    assert "<strong>Tue 2 Jun, 10:00</strong>" in gb
