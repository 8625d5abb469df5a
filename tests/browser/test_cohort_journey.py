"""The cohort journey in a real browser (demo payment provider; see test_paid_journey.py for why
switching DEBUG on for the demo provider is honest).

A facilitator creates a cohort with two modules and a weekly event series and publishes it; two
mentees enrol and pay; one submits the week-1 assignment; the facilitator opens the peer-critique
round; the other member writes the review; the author reads it; the private ICS feed parses with
icalendar and carries the events in UTC.
"""

from datetime import UTC, datetime, time, timedelta

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cohorts.models import Cohort, CohortEvent, Enrollment
from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in
from tests.factories import MentorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Ship a portfolio in two weeks"


def _log_out(page: Page, base: str) -> None:
    page.context.clear_cookies()


@SCREENS
def test_facilitator_builds_a_cohort_two_members_pay_review_and_subscribe(
    page: Page,
    live_server,
    demo_provider,
    check,
    screen,
):
    base = live_server.url
    mentor = MentorFactory(timezone="Europe/Berlin", user__email="fran.facilitator@example.com")
    ada = UserFactory(email="ada.member@example.com", display_name="Ada", timezone="America/New_York")
    ben = UserFactory(email="ben.member@example.com", display_name="Ben", timezone="America/New_York")
    zone = mentor.zone
    start = (timezone.now().astimezone(zone) + timedelta(days=10)).date()
    today = timezone.now().astimezone(zone).date()

    # The facilitator creates the cohort.
    log_in(page, base, mentor.user.email)
    page.goto(f"{base}/dashboard/cohorts/new/")
    page.get_by_label("Title").evaluate("el => { el.form.noValidate = true }")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    check(page, "cohort-new-errors")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("The outcome it leads to").fill("A portfolio you can send")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Weeks").fill("2")
    page.get_by_label("Minimum seats to run").fill("2")
    page.get_by_label("Maximum seats").fill("5")
    page.get_by_label("Price per seat").fill("120")
    page.get_by_label("Enrollment deadline").fill(f"{start - timedelta(days=1)}T12:00")
    page.get_by_label("Norms").fill("Cameras on. Specific, kind feedback.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    check(page, "cohort-manage-draft")
    cohort = Cohort.objects.get(title=TITLE)
    manage = page.url

    # Two modules: week 1 released today, week 2 next week.
    for week, title, release in (
        (1, "Pick your three best projects", today),
        (2, "Write the case studies", start),
    ):
        page.goto(f"{base}/dashboard/cohorts/{cohort.slug}/modules/new/")
        page.get_by_label("Week").fill(str(week))
        page.get_by_label("Title").fill(title)
        page.get_by_label("Content").fill("Read the **brief**.")
        page.get_by_label("Assignment", exact=True).fill("Post links to three projects and why.")
        page.get_by_label("Released on").fill(f"{release}T00:00")
        page.get_by_label("Assignment due").fill(f"{start + timedelta(days=7 * (week - 1) + 3)}T18:00")
        if week == 1:
            check(page, "cohort-module-form")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".errorlist")).to_have_count(0)

    # A weekly series: module sessions at 18:00 Berlin for two weeks.
    page.goto(f"{base}/dashboard/cohorts/{cohort.slug}/events/new/")
    page.get_by_label("Kind", exact=True).select_option("module_session")
    page.get_by_label("Date", exact=True).fill(start.isoformat())
    page.get_by_label("Time", exact=True).fill("18:00")
    page.get_by_label("Repeat weekly for (weeks)").fill("2")
    check(page, "cohort-event-form")
    page.get_by_role("button", name="Add").click()
    assert CohortEvent.objects.filter(cohort=cohort).count() == 2

    page.goto(manage)
    check(page, "cohort-manage")
    page.get_by_role("button", name="Publish and open enrollment").click()
    check(page, "cohort-published")
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.PUBLISHED

    # Two mentees enrol and pay on the test checkout.
    for person in (ada, ben):
        _log_out(page, base)
        log_in(page, base, person.email)
        page.goto(f"{base}/cohorts/{cohort.slug}/")
        expect(page.locator("#seats")).to_contain_text("left")
        if person == ben:
            check(page, "cohort", doc=True)
        page.get_by_label("I have read the cohort's norms and agree to them").check()
        page.get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Test checkout")
        page.get_by_role("button", name="Pay").click()
        expect(page.locator("#payment-status")).to_contain_text("you're a member")
        if person == ben:
            check(page, "cohort-enrolled")
    assert Enrollment.objects.filter(cohort=cohort, state="active").count() == 2

    # Ben submits the week-1 assignment.
    page.goto(f"{base}/cohorts/{cohort.slug}/space/")
    page.get_by_role("link", name="Week 1: Pick your three best projects").click()
    check(page, "cohort-module")
    page.get_by_label("Your submission").fill("Project A shows range; B depth; C shipping.")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("body")).to_contain_text("Your submission is saved")
    check(page, "cohort-submitted")

    # The facilitator opens the critique round; Ada is assigned Ben's work.
    _log_out(page, base)
    log_in(page, base, mentor.user.email)
    page.goto(manage)
    page.get_by_role("button", name="Open peer-critique round").first.click()
    check(page, "cohort-critique-open")
    page.goto(f"{base}/dashboard/cohorts/{cohort.slug}/roster/")
    expect(page.locator("main")).to_contain_text("Ada")
    check(page, "cohort-roster")
    _log_out(page, base)
    log_in(page, base, ada.email)
    page.goto(f"{base}/cohorts/{cohort.slug}/space/")
    page.locator("#reviews-to-write").get_by_role("link").first.click()
    check(page, "cohort-review-form")
    page.get_by_label("What works").fill("The range is clear.")
    page.get_by_label("One suggestion").fill("Lead with C.")
    page.get_by_label("One question").fill("Who is the audience?")
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.locator("#reviews-to-write")).to_contain_text("done")

    # Ada subscribes to her private calendar feed: it parses, with both events in UTC.
    page.get_by_role("button", name="Get my private calendar feed (.ics)").click()
    feed_url = page.locator("#feed-url").input_value()
    check(page, "cohort-space-feed")
    calendar = icalendar.Calendar.from_ical(page.request.get(feed_url).body())
    starts = sorted(e.decoded("dtstart") for e in calendar.walk("VEVENT"))
    expected = [
        datetime.combine(start + timedelta(weeks=n), time(18), tzinfo=zone).astimezone(UTC) for n in range(2)
    ]
    assert starts == expected
    assert all(s.utcoffset() == timedelta(0) for s in starts)

    # Ben, the author, reads the feedback.
    _log_out(page, base)
    log_in(page, base, ben.email)
    page.goto(f"{base}/cohorts/{cohort.slug}/space/")
    expect(page.locator("#feedback")).to_contain_text("Lead with C.")
    page.goto(f"{base}/cohorts/{cohort.slug}/members/")
    expect(page.locator("main")).to_contain_text("Ada")
    check(page, "cohort-members")
    page.goto(f"{base}/cohorts/{cohort.slug}/space/")
    check(page, "cohort-space", doc=True)
