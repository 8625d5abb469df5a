"""A mentor declines a question instead of answering, with a reason the mentee reads: a paid one
is refunded in full at once and never paid out, the deadline's sweep refunds nothing more, the
mentee is e-mailed once; only the mentor declines, and only an open question."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import Refund, Transfer
from qa import questions as q
from qa.models import Message, Question
from qa.tasks import sweep_questions
from tests.qa import test_questions
from tests.qa.test_questions import ask_and_pay

pytestmark = pytest.mark.django_db
State = Question.State
mentor, mentee = test_questions.mentor, test_questions.mentee  # the same fixtures


def test_declining_a_paid_question_refunds_it_in_full_once_and_tells_the_mentee(
    mentor,
    mentee,
    stripe_http,
    post_event,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    question, payment, _ = ask_and_pay(mentor, mentee, post_event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        q.question_decline(
            question=question, by=mentor.user, reason="  This needs a session: too much context.  "
        )

    question.refresh_from_db()
    assert question.state == State.DECLINED and question.closed_at is not None
    assert question.thread.messages.last().body == "This needs a session: too much context."
    refund = Refund.objects.get()
    assert (refund.amount, refund.key) == (3000, f"question-{question.pk}-policy")
    assert refund.reason == "Omar Mentor declined your question: This needs a session: too much context."
    declined = [m for m in mail.outbox if m.subject == "Omar Mentor declined your question"]
    assert [m.to for m in declined] == [[mentee.email]]
    assert "refunded in full" in declined[0].body
    assert q.question_email_send(question_id=str(question.pk), what="declined") is False  # once

    with pytest.raises(q.QuestionError, match="cannot be answered"):
        q.question_answer(question=question, by=mentor.user, body="Actually…")
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        sweep_questions()
    assert Refund.objects.count() == 1 and not Transfer.objects.exists()
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_free_question_is_declined_without_a_refund(mentor, mentee):
    question = q.question_ask_free(mentee=mentee, mentor=mentor, body="Is a PhD worth it?")
    q.question_decline(question=question, by=mentor.user, reason="Outside what I know.")
    question.refresh_from_db()
    assert question.state == State.DECLINED and not Refund.objects.exists()


def test_only_the_mentor_declines_only_an_open_question_and_a_reason_is_needed(mentor, mentee):
    question = q.question_ask_free(mentee=mentee, mentor=mentor, body="Is a PhD worth it?")
    with pytest.raises(q.QuestionError, match="Only the mentor"):
        q.question_decline(question=question, by=mentee, reason="No")
    with pytest.raises(q.QuestionError, match="why you decline") as refused:
        q.question_decline(question=question, by=mentor.user, reason="   ")
    assert refused.value.field == "reason"
    q.question_answer(question=question, by=mentor.user, body="Yes, for research roles.")
    with pytest.raises(q.QuestionError, match="answered this question"):
        q.question_decline(question=question, by=mentor.user, reason="Changed my mind")
    question.refresh_from_db()
    assert question.state == State.ANSWERED and Message.objects.count() == 2


def test_the_mentor_declines_from_the_question_page_and_an_empty_reason_is_said_next_to_it(
    client,
    mentor,
    mentee,
):
    question = q.question_ask_free(mentee=mentee, mentor=mentor, body="Is a PhD worth it?")
    client.force_login(mentor.user)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "Decline instead" in page

    refused = client.post(reverse("qa:question_decline", args=[question.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "Say in a line why you decline." in refused.content.decode()
    question.refresh_from_db()
    assert question.state == State.OPEN

    done = client.post(reverse("qa:question_decline", args=[question.pk]), {"reason": "Outside what I know."})
    assert done.status_code == 302
    client.force_login(mentee)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "Omar Mentor declined it" in page and "Outside what I know." in page
    assert "why it was declined" in page
