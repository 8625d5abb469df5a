"""Questions in a real browser with the demo payment provider: a mentee asks a mentor their free
question from the profile and reads the answer; buys a paid question through the test checkout,
the mentor answers it (and is paid), the mentee reads it; a paid question nobody answered is
refunded when its deadline passes; and one the mentor declines, with a reason, is refunded at once.

Celery runs eagerly, so the demo's events are processed when the test's request commits, as a
worker would moments later (test_paid_journey.py says why that is honest).
"""

from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from billing.models import Payment, Refund, Transfer
from qa.models import Question, QuestionOffer
from qa.questions import questions_expire_overdue
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import log_in
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAYA = "maya.asks@example.com"
OMAR = "omar.answers@example.com"


def cast():
    mentor = MentorFactory(user__display_name="Omar Haddad", user__email=OMAR)
    OfferingFactory(mentor=mentor, title="Career strategy call", price_amount=6000)
    QuestionOffer.objects.create(
        mentor=mentor, is_active=True, price_amount=2500, currency="USD", answer_days=3
    )
    UserFactory(email=MAYA, display_name="Maya Chen", timezone="America/New_York")
    return mentor


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_ask_the_free_question_then_a_paid_one_and_read_both_answers(page: Page, live_server, check, screen):
    mentor = cast()
    base = live_server.url

    # The free question, from the profile.
    log_in(page, base, MAYA)
    page.goto(f"{base}{mentor.get_absolute_url()}")
    expect(page.locator("#paid-question-offer")).to_contain_text("Paid question, $25")
    check(page, "profile-with-questions")
    page.get_by_role("link", name="Ask a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Omar Haddad a question")
    check(page, "ask")
    page.get_by_label("Your question").fill("Is a **PhD** worth it for ML engineering roles?")
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator("#question-state")).to_have_text("Waiting for the answer")
    check(page, "question-asked")
    free = Question.objects.get(mentee__email=MAYA)
    assert mail.outbox[-1].to == [OMAR]

    # The mentor finds it on the dashboard and answers, once.
    page.context.clear_cookies()
    log_in(page, base, OMAR)
    page.goto(f"{base}/dashboard/")
    expect(page.locator("#questions-to-answer")).to_be_visible()
    check(page, "dashboard-questions-to-answer")
    page.get_by_role("link", name="Question from Maya Chen").click()
    page.get_by_label("Your answer").fill("For most product ML roles, no: ship two projects instead.")
    check(page, "question-to-answer")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#answer-closed")).to_have_text("You have answered this question.")
    assert mail.outbox[-1].to == [MAYA]

    # A paid question, through the test checkout.
    page.context.clear_cookies()
    log_in(page, base, MAYA)
    page.goto(f"{base}{free.get_absolute_url()}")
    expect(page.locator(".qa-answer")).to_contain_text("ship two projects instead")
    check(page, "question-answered")
    page.goto(f"{base}/mentors/{mentor.slug}/ask/")
    expect(page.locator("#free-refusal")).to_contain_text("free question already")
    page.get_by_label("Your question").fill("Staff engineer or manager: how would you decide in my place?")
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    page.get_by_role("button", name="Pay $25").click()
    expect(page.locator("#question-state")).to_have_text("Waiting for the answer")
    expect(page.locator("#question-due")).to_be_visible()
    check(page, "paid-question-open")
    paid = Question.objects.get(mentee__email=MAYA, kind="paid")
    assert paid.state == "open" and paid.payment.state == Payment.State.PAID

    # The mentor answers from their questions page, and is paid their share.
    page.context.clear_cookies()
    log_in(page, base, OMAR)
    page.goto(f"{base}/dashboard/")
    menu_link(page, "Questions").click()
    expect(page.locator("#figure-open")).to_contain_text("1")
    check(page, "mentor-questions")
    page.get_by_role("link", name="Paid question from Maya Chen").click()
    page.get_by_label("Your answer").fill("Manage for a trial of six months your director agrees to undo.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#question-state")).to_have_text("Answered")
    transfer = Transfer.objects.get(payment__question=paid)
    assert transfer.state == Transfer.State.PAID and transfer.amount == 2500 - 375

    # The mentee reads it.
    page.context.clear_cookies()
    log_in(page, base, MAYA)
    page.goto(f"{base}/dashboard/")
    expect(page.locator("#your-questions")).to_be_visible()
    check(page, "dashboard-your-questions")
    page.get_by_role("link", name="Paid question to Omar Haddad").click()
    expect(page.locator(".qa-answer")).to_contain_text("six months")
    check(page, "paid-question-answered")


@pytest.mark.usefixtures("demo_provider")
def test_a_paid_question_not_answered_by_its_deadline_is_refunded_in_full(page: Page, live_server, check):
    mentor = cast()
    base = live_server.url
    log_in(page, base, MAYA)
    page.goto(f"{base}/mentors/{mentor.slug}/ask/")
    page.get_by_label("Paid question, $25").check()
    page.get_by_label("Your question").fill("How do I value start-up equity against a raise?")
    page.get_by_role("button", name="Send the question").click()
    page.get_by_role("button", name="Pay $25").click()
    expect(page.locator("#question-state")).to_have_text("Waiting for the answer")
    question = Question.objects.get(mentee__email=MAYA)

    # Beat's sweep, once the three days have passed (and again: nothing more happens).
    assert questions_expire_overdue(now=question.due_at + timedelta(minutes=1)) == 1
    assert questions_expire_overdue(now=question.due_at + timedelta(minutes=2)) == 0
    refund = Refund.objects.get(payment__question=question)
    assert (refund.amount, refund.state) == (2500, Refund.State.SUCCEEDED)
    assert mail.outbox[-1].to == [MAYA] and "Refund: $25" in mail.outbox[-1].subject

    page.reload()
    expect(page.locator("#question-state")).to_have_text("Not answered in time (refunded)")
    expect(page.locator("#question-status")).to_contain_text("your payment is refunded in full")
    check(page, "paid-question-refunded")
    # The mentor can no longer answer it.
    page.context.clear_cookies()
    log_in(page, base, OMAR)
    page.goto(f"{base}{question.get_absolute_url()}")
    expect(page.locator("#answer-closed")).to_contain_text("cannot be answered")
    assert not Transfer.objects.exists()


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_the_mentor_declines_a_paid_question_with_a_reason_and_it_is_refunded(
    page: Page, live_server, check, screen
):
    mentor = cast()
    base = live_server.url
    log_in(page, base, MAYA)
    page.goto(f"{base}/mentors/{mentor.slug}/ask/")
    page.get_by_label("Paid question, $25").check()
    page.get_by_label("Your question").fill("Can you review my whole 40-page thesis?")
    page.get_by_role("button", name="Send the question").click()
    page.get_by_role("button", name="Pay $25").click()
    expect(page.locator("#question-state")).to_have_text("Waiting for the answer")
    question = Question.objects.get(mentee__email=MAYA)

    # The mentor declines instead of answering: a reason is needed, said next to its field.
    page.context.clear_cookies()
    log_in(page, base, OMAR)
    page.goto(f"{base}{question.get_absolute_url()}")
    page.get_by_text("Decline instead and refund $25").click()
    page.get_by_label("Why you decline (the mentee reads it)").fill("   ")
    page.get_by_role("button", name="Decline and refund").click()
    expect(page.locator("details.decline")).to_contain_text("Say in a line why you decline.")
    check(page, "question-decline-refused")
    page.get_by_label("Why you decline (the mentee reads it)").fill(
        "A thesis review needs a session, not a note."
    )
    page.get_by_role("button", name="Decline and refund").click()
    expect(page.locator("#question-state")).to_have_text("Declined by the mentor")
    refund = Refund.objects.get(payment__question=question)
    assert (refund.amount, refund.state) == (2500, Refund.State.SUCCEEDED)

    # The mentee reads the reason and is pointed to a session.
    page.context.clear_cookies()
    log_in(page, base, MAYA)
    page.goto(f"{base}{question.get_absolute_url()}")
    expect(page.locator("#question-status")).to_contain_text("your payment is refunded in full")
    expect(page.locator(".qa-answer")).to_contain_text("needs a session")
    check(page, "question-declined")
    assert any(m.to == [MAYA] and m.subject == "Omar Haddad declined your question" for m in mail.outbox)
    assert not Transfer.objects.exists()
