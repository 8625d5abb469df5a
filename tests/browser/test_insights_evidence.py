"""The staff insight page's evidence in a real browser, at both widths: intervals as whiskers, the
trend report's dashed line, "too few" months, cohort against solo in words — and axe passes."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from cohorts.models import Enrollment
from sessions.models import ActionItem, Booking
from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in_to_admin
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_marketplace() -> None:
    """Three mentors, each with a cohort from 1 April 2025 and 14 mentees whose first sessions fall
    in January–April; about half book again and most do their action items (members a bit more)."""
    rng = random.Random(25)
    for m in range(3):
        offering = OfferingFactory(mentor=MentorFactory())
        mentees = UserFactory.create_batch(14)
        cohort = CohortFactory(facilitator=offering.mentor, published=True, start_date=date(2025, 4, 1))
        for n, mentee in enumerate(mentees):
            member = n % 3 == 0
            if member:
                EnrollmentFactory(cohort=cohort, member=mentee, state=Enrollment.State.ACTIVE)
            start = datetime(2025, 1 + n % 4, 2 + n, 8 + m, tzinfo=UTC)
            for k in range(1 + (rng.random() < 0.55) + (rng.random() < 0.3)):
                booking = BookingFactory(
                    offering=offering,
                    mentee=mentee,
                    starts_at=start + timedelta(days=rng.choice([10, 25, 50, 80]) * k),
                    state=Booking.State.COMPLETED,
                )
                done = rng.random() < (0.75 if member and k else 0.6)
                ActionItem.objects.create(
                    booking=booking,
                    text="Send the counter-offer",
                    due_date=booking.starts_at.date() + timedelta(days=7),
                    done_at=booking.ends_at + timedelta(days=2) if done else None,
                )


@SCREENS
def test_staff_read_the_evidence_with_intervals_and_the_trend_reports_line(
    page: Page, live_server, check, screen
):
    staff = UserFactory(email="analyst@example.com", is_staff=True)
    a_marketplace()

    log_in_to_admin(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/dashboard/insights/")
    expect(page.get_by_role("heading", level=1, name="Insights")).to_be_visible()
    expect(page.locator("#repeat-booking text", has_text="trend report: 62 %")).to_have_count(1)
    expect(page.locator("#retention h3")).to_have_count(3)
    page.locator("#repeat-booking").evaluate("section => section.scrollIntoView()")
    check(page, "insights", doc=True)

    section = page.locator("#cohort-vs-solo")
    section.scroll_into_view_if_needed()
    expect(section.get_by_text("What this supports")).to_be_visible()
    expect(section.locator("li").first).to_contain_text("Everyone:")
    check(page, "insights-cohorts", doc=True)
