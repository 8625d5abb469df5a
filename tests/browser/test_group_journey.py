"""Group sessions in a real browser with the demo payment provider: a mentor creates a paid
workshop for three and publishes it; two seats are taken; a mentee finds it on the profile, pays
for the last seat through the test checkout and sees it booked with the join link; the session
then shows "Full" to everyone else.

Celery runs eagerly, so the demo's events are processed when the test's request commits, as a
worker would moments later.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from groups import services
from groups.models import GroupSeat, GroupSession
from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in
from tests.factories import MentorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMARA = "amara.groups@example.com"
LENA = "lena.mentor@example.com"
OTHER = "jo.late@example.com"
JOIN = "https://meet.example.com/negotiation-workshop"


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_create_a_workshop_book_the_last_seat_see_the_join_link_and_it_shows_full(
    page: Page, live_server, check, screen
):
    mentor = MentorFactory(user__display_name="Lena Okafor", user__email=LENA)
    UserFactory(email=AMARA, display_name="Amara Diallo", timezone="America/New_York")
    UserFactory(email=OTHER, display_name="Jo Late")
    base = live_server.url
    starts = (
        (timezone.now() + timedelta(days=9))
        .astimezone(mentor.zone)
        .replace(hour=18, minute=0, second=0, microsecond=0)
    )

    # The mentor creates the workshop in their own zone and publishes it.
    log_in(page, base, LENA)
    page.goto(f"{base}/mentor/groups/")
    page.get_by_role("link", name="Create your first group session").click()
    page.get_by_label("Title").fill("Negotiation workshop")
    page.get_by_label("What attendees get").fill("A script for your next offer, rehearsed in pairs.")
    page.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Seats").fill("3")
    page.get_by_label("Minimum to run").fill("2")
    page.get_by_label("Price per seat").fill("25")
    page.get_by_label("Join link").fill(JOIN)
    check(page, "group-form")
    page.get_by_role("button", name="Save as draft").click()
    row = page.locator("tbody tr", has_text="Negotiation workshop")
    expect(row).to_contain_text("Draft")
    row.get_by_role("button", name="Publish").click()
    expect(page.locator("tbody tr", has_text="Negotiation workshop")).to_contain_text("Published")
    check(page, "mentor-groups")
    group_session = GroupSession.objects.get()
    assert group_session.starts_at == starts and group_session.price_amount == 2500

    # Two seats are taken already.
    for _ in range(2):
        seat = services.seat_book(group_session=group_session, mentee=UserFactory())
        services.seat_confirm(seat=seat)

    # The mentee finds it on the profile and pays for the last seat in the test checkout.
    page.context.clear_cookies()
    log_in(page, base, AMARA)
    page.goto(f"{base}{mentor.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Group sessions")).to_be_visible()
    page.get_by_role("heading", name="Group sessions").scroll_into_view_if_needed()
    check(page, "profile-with-group-session")
    page.get_by_role("link", name="See the group session").click()
    expect(page.locator("#seats-left")).to_contain_text("1 of 3 seats left")
    expect(page.get_by_text(JOIN)).to_have_count(0)
    check(page, "group-session")
    page.get_by_role("button", name="Book a seat — $25").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    page.get_by_role("button", name="Pay $25").click()
    expect(page.locator("#group-seat")).to_contain_text("Your seat is booked")
    expect(page.locator("#join-link")).to_contain_text(JOIN)
    expect(page.locator("#seats-left")).to_contain_text("Full")
    check(page, "group-seat-booked")
    seat = GroupSeat.objects.get(mentee__email=AMARA)
    assert seat.state == GroupSeat.State.CONFIRMED
    confirmations = [m for m in mail.outbox if m.to == [AMARA] and m.subject.startswith("Your seat")]
    assert len(confirmations) == 1 and JOIN in confirmations[0].body and confirmations[0].attachments
    # The dashboard lists the seat with the join link.
    page.goto(f"{base}/dashboard/")
    expect(page.locator(f"#group-seat-{seat.pk}")).to_contain_text("Join link")
    check(page, "dashboard-with-group-seat")

    # Anyone else now finds it full, without the join link.
    page.context.clear_cookies()
    log_in(page, base, OTHER)
    page.goto(f"{base}{group_session.get_absolute_url()}")
    expect(page.locator("#group-seat")).to_contain_text("Full")
    expect(page.get_by_role("button", name="Book a seat — $25")).to_have_count(0)
    expect(page.get_by_text(JOIN)).to_have_count(0)
    check(page, "group-session-full")
