"""A mentor's Impact page in a real browser, at both widths, with axe: figures with their
intervals, one withheld for too few mentees, the month-by-month charts and their tables."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cohorts.models import Cohort, Enrollment
from dashboard.impact import window_months
from mentors.models import MentorProfile
from sessions.models import Review
from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.dashboard.helpers import upgrade_offer
from tests.dashboard.test_impact import item, session, waits
from tests.factories import MentorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_mentor():
    """Greta, with months of sessions (one month too quiet to show), a finished cohort and
    replies; Nora beside her for the platform medians."""
    greta = MentorFactory(user__display_name="Greta Hoffmann", user__email="greta@example.com")
    nora = MentorFactory(user__display_name="Nora Berg")
    now = timezone.now()
    regulars = UserFactory.create_batch(3)
    for index, month in enumerate(window_months(now)):
        when = datetime.combine(month, datetime.min.time(), tzinfo=UTC) + timedelta(days=2, hours=10)
        if when > now - timedelta(hours=2):
            continue
        count = 3 if index == 2 else 5 + index
        mentees = regulars[: min(count, 3)] + UserFactory.create_batch(max(count - 3, 0))
        for position, mentee in enumerate(mentees):
            booking = session(greta, mentee, when + timedelta(hours=position))
            item(booking, done=position % 3 != 2)
            Review.objects.create(booking=booking, rating=5 if position % 2 == 0 else 4)
            upgrade_offer(booking, redeemed=position % 4 == 0)
            waits(booking, 20 + 35 * position + 15 * index)
        for mentee in UserFactory.create_batch(6):
            session(nora, mentee, when)
    ended = CohortFactory(
        facilitator=greta,
        start_date=(now - timedelta(weeks=7)).date(),
        weeks=4,
        status=Cohort.Status.FINISHED,
    )
    for state in (Enrollment.State.COMPLETED,) * 5 + (Enrollment.State.LEFT,) * 2:
        EnrollmentFactory(cohort=ended, state=state)
    MentorProfile.objects.filter(pk=greta.pk).update(median_response_minutes=95)
    MentorProfile.objects.filter(pk=nora.pk).update(median_response_minutes=240)
    return greta


@SCREENS
def test_a_mentor_reads_their_impact(live_server, page: Page, check, screen):
    greta = busy_mentor()
    log_in(page, live_server.url, greta.user.email)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Impact", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your impact")
    for title in ("Repeat-booking rate", "Action items done", "Ladder-up rate", "Cohort completion"):
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.get_by_role("img", name="Repeat-booking rate, month by month")).to_be_visible()
    expect(page.get_by_text("too few").first).to_be_visible()
    check(page, "impact", doc=True)
    page.locator("#repeat-booking details summary").click()
    expect(page.locator("#repeat-booking table")).to_be_visible()
    check(page, "impact-table")
