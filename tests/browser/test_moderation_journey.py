"""Moderation in a real browser: a moderator (not a superuser) opens the moderation queue, approves a
mentor application, and upholds a report of a review, which hides it from the mentor's page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from mentors.models import MentorProfile
from moderation.models import AuditEntry, Report
from moderation.services import moderators_group_sync, report_create
from sessions.models import Booking, Review
from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in_to_admin
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW_TEXT = "Visit cheap-watches.example for the best deals"


@SCREENS
def test_a_moderator_approves_an_application_and_hides_a_flagged_review(
    page: Page, live_server, check, screen
):
    moderator = UserFactory(email="mo@example.com", is_staff=True)
    moderator.groups.add(moderators_group_sync())
    applicant = MentorFactory(
        status=MentorProfile.Status.PENDING,
        user__display_name="Priya Raman",
        headline="Engineering manager, 9 years",
    )
    booking = BookingFactory(state=Booking.State.COMPLETED)
    review = Review.objects.create(booking=booking, rating=1, text=REVIEW_TEXT)
    report_create(reporter=UserFactory(), target=review, reason="spam", note="An advert")
    profile_url = f"{live_server.url}{booking.mentor.get_absolute_url()}"
    base = live_server.url

    log_in_to_admin(page, base, moderator.email)
    page.get_by_role("link", name="Moderation queue").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    expect(page.get_by_role("link", name="Mentor applications (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Reported reviews (1)")).to_be_visible()
    check(page, "moderation-queue", doc=True)

    # The application: from the queue to the pending list, tick it, approve.
    page.get_by_role("link", name="Mentor applications (1)").click()
    check(page, "moderation-applications")
    page.get_by_role("row", name=re.compile("Priya Raman")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved 1")
    applicant.refresh_from_db()
    assert applicant.status == MentorProfile.Status.APPROVED
    assert [m.to for m in mail.outbox if "approved" in m.subject] == [[applicant.user.email]]

    # The review: from the queue to the open reports, uphold with a reason.
    page.goto(f"{base}/admin/moderation/report/queue/")
    page.get_by_role("link", name="Reported reviews (1)").click()
    check(page, "moderation-reports")
    page.get_by_role("row", name=re.compile("cheap-watches")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("uphold")
    page.get_by_role("textbox", name="Reason").fill("Advertising, not a review")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Upheld 1 report")
    check(page, "moderation-upheld")
    page.goto(f"{base}/dashboard/insights/")  # the platform's figures, for staff
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "insights")

    review.refresh_from_db()
    assert review.is_hidden and Report.objects.get().status == Report.Status.UPHELD
    assert set(AuditEntry.objects.filter(actor=moderator).values_list("action", flat=True)) >= {
        "report.uphold",
        "review.hide",
    }
    page.goto(profile_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(REVIEW_TEXT)).to_have_count(0)
    check(page, "profile-review-hidden")
