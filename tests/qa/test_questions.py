"""Questions asked from a mentor's profile: the free one before booking, paid ones through Stripe
Checkout, the one answer that pays the mentor, and the refund when the deadline passes — money
moving exactly once under replayed and reordered webhooks."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from billing.models import ConnectedAccount, Payment, Refund, Transfer
from qa import questions as q
from qa.models import Message, Question, QuestionOffer, Thread
from qa.purchases import question_payout, question_start_checkout
from qa.tasks import sweep_questions
from tests.billing.helpers import fixture_text
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db
State = Question.State


@pytest.fixture
def mentor(db):
    mentor = MentorFactory(user__display_name="Omar Mentor")
    QuestionOffer.objects.create(
        mentor=mentor, is_active=True, price_amount=3000, currency="USD", answer_days=3
    )
    ConnectedAccount.objects.create(mentor=mentor, stripe_account_id="acct_1Mentor", payouts_enabled=True)
    return mentor


@pytest.fixture
def mentee(db):
    return UserFactory(display_name="Maya Mentee")


def ask_and_pay(mentor, mentee, post_event, *, event="event_checkout_session_completed_question.json"):
    question = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Should I take the staff role?")
    payment = question_start_checkout(
        question=question, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    body = fixture_text(
        event,
        session_id=payment.checkout_session_id,
        question_id=question.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )
    post_event(body)
    question.refresh_from_db()
    payment.refresh_from_db()
    return question, payment, body


# --- the free question -----------------------------------------------------------------------


def test_a_free_question_opens_a_thread_the_mentor_is_emailed_about(
    mentor, mentee, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        question = q.question_ask_free(mentee=mentee, mentor=mentor, body="Is a PhD worth it for ML roles?")
    assert question.state == State.OPEN and question.price_amount == 0
    assert [m.body for m in question.thread.messages.all()] == ["Is a PhD worth it for ML roles?"]
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]
    assert mail.outbox[0].subject == "Maya Mentee asked you a question"
    # The outbox task delivered twice sends one e-mail.
    assert q.question_email_send(question_id=str(question.pk), what="asked") is False
    assert len(mail.outbox) == 1


def test_one_free_question_per_mentee_and_mentor(mentor, mentee):
    q.question_ask_free(mentee=mentee, mentor=mentor, body="First")
    with pytest.raises(q.QuestionError, match="free question already"):
        q.question_ask_free(mentee=mentee, mentor=mentor, body="Second")
    assert Question.objects.count() == 1
    q.question_ask_free(mentee=mentee, mentor=MentorFactory(), body="Another mentor is fine")


def test_a_mentee_with_a_booking_writes_in_its_thread_instead(mentor, mentee):
    BookingFactory(offering__mentor=mentor, mentee=mentee)
    with pytest.raises(q.QuestionError, match="write to them in its messages"):
        q.question_ask_free(mentee=mentee, mentor=mentor, body="Hi")


def test_bad_questions_are_refused_and_nothing_is_saved(mentor, mentee):
    for body, message in [
        ("  ", "Write your question"),
        ("x" * 601, "600 characters"),
        ("a\x00b", "cannot be stored"),
    ]:
        with pytest.raises(q.QuestionError, match=message):
            q.question_ask_free(mentee=mentee, mentor=mentor, body=body)
    with pytest.raises(q.QuestionError, match="yourself"):
        q.question_ask_free(mentee=mentor.user, mentor=mentor, body="Me?")
    assert not Question.objects.exists() and not Thread.objects.exists()


def test_the_mentor_answers_once_and_the_mentee_is_emailed(
    mentor, mentee, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    question = q.question_ask_free(mentee=mentee, mentor=mentor, body="Is a PhD worth it?")
    with pytest.raises(q.QuestionError, match="Only the mentor"):
        q.question_answer(question=question, by=mentee, body="Answering myself")
    with django_capture_on_commit_callbacks(execute=True):
        q.question_answer(question=question, by=mentor.user, body="Not for most product roles.")
    question.refresh_from_db()
    assert question.state == State.ANSWERED
    assert [m.to for m in mail.outbox][-1] == [mentee.email]
    with pytest.raises(q.QuestionError, match="answered this question"):
        q.question_answer(question=question, by=mentor.user, body="And another thing")
    assert Message.objects.filter(thread__question=question).count() == 2
    assert not Payment.objects.exists()


# --- the paid question -----------------------------------------------------------------------


def test_a_paid_question_is_held_at_the_offers_price_until_paid(mentor, mentee, stripe_http):
    question = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Staff or manager?")
    mentor.question_offer.price_amount = 9900
    mentor.question_offer.save()
    payment = question_start_checkout(question=question, success_url="http://t/ok", cancel_url="http://t/no")
    assert (question.state, payment.amount, payment.currency) == (State.HELD, 3000, "USD")
    sent = stripe_http.only("post", "/v1/checkout/sessions").params
    assert sent["line_items[0][price_data][unit_amount]"] == "3000"
    assert sent["metadata[question_id]"] == str(question.pk)
    assert not Thread.objects.exists()  # the mentor reads nothing before it is paid
    # Asking again while it is held takes it up again: never two.
    again = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Staff or manager, really?")
    assert again.pk == question.pk and Question.objects.count() == 1


def test_paying_opens_the_question_with_its_deadline_once_even_when_the_event_is_replayed(
    mentor, mentee, stripe_http, post_event
):
    question, payment, body = ask_and_pay(mentor, mentee, post_event)
    assert payment.state == Payment.State.PAID and question.state == State.OPEN
    assert question.due_at == question.asked_at + timedelta(days=3)
    post_event(body)  # the same event again
    post_event(body.replace('"id": "evt_', '"id": "evt_again', 1))  # a second delivery under a new id
    assert Message.objects.filter(thread__question=question).count() == 1
    assert Thread.objects.filter(question=question).count() == 1


def test_an_expired_checkout_arriving_after_the_payment_changes_nothing(
    mentor, mentee, stripe_http, post_event
):
    question, payment, _ = ask_and_pay(mentor, mentee, post_event)
    post_event(
        fixture_text(
            "event_checkout_session_expired_question.json",
            session_id=payment.checkout_session_id,
            question_id=question.pk,
            payment_id=payment.pk,
            amount=payment.amount,
        )
    )
    question.refresh_from_db()
    assert question.state == State.OPEN


def test_a_payment_arriving_after_the_checkout_expired_still_opens_the_question(
    mentor, mentee, stripe_http, post_event
):
    question = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Late payer")
    payment = question_start_checkout(question=question, success_url="http://t/ok", cancel_url="http://t/no")
    ids = {"session_id": payment.checkout_session_id, "question_id": question.pk, "payment_id": payment.pk}
    post_event(fixture_text("event_checkout_session_expired_question.json", amount=payment.amount, **ids))
    question.refresh_from_db()
    assert question.state == State.RELEASED
    post_event(fixture_text("event_checkout_session_completed_question.json", amount=payment.amount, **ids))
    question.refresh_from_db()
    assert question.state == State.OPEN and not Refund.objects.exists()


def test_answering_a_paid_question_pays_the_mentor_their_share_once(
    mentor, mentee, stripe_http, post_event, django_capture_on_commit_callbacks
):
    question, payment, _ = ask_and_pay(mentor, mentee, post_event)
    with django_capture_on_commit_callbacks(execute=True):
        q.question_answer(question=question, by=mentor.user, body="Staff, for these reasons…")
    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.state) == (3000 - 450, Transfer.State.PAID)
    call = stripe_http.only("post", "/v1/transfers")
    assert call.params["metadata[question_id]"] == str(question.pk)
    question_payout(question_id=question.pk)  # the task delivered again
    assert stripe_http.count("post", "/v1/transfers") == 1 and Transfer.objects.count() == 1
    # The deadline passing after the answer refunds nothing.
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        sweep_questions()
    assert not Refund.objects.exists()


def test_the_deadline_passing_refunds_in_full_exactly_once(
    mentor, mentee, stripe_http, post_event, settings, django_capture_on_commit_callbacks
):
    question, payment, _ = ask_and_pay(mentor, mentee, post_event)
    with time_machine.travel(question.due_at - timedelta(minutes=1)):
        assert sweep_questions()["expired"] == 0
    with time_machine.travel(question.due_at + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_questions()["expired"] == 1
        assert sweep_questions()["expired"] == 0  # beat running twice
        question.refresh_from_db()
        assert question.state == State.EXPIRED
        refund = Refund.objects.get()
        assert (refund.amount, refund.key) == (3000, f"question-{question.pk}-policy")
        assert "did not answer within 3 days" in refund.reason
        assert stripe_http.count("post", "/v1/refunds") == 1
        with pytest.raises(q.QuestionError, match="cannot be answered"):
            q.question_answer(question=question, by=mentor.user, body="Sorry, late")
    assert not Transfer.objects.exists()


def test_an_answer_after_the_deadline_is_refused_before_the_sweep_has_run(
    mentor, mentee, stripe_http, post_event
):
    question, _, _ = ask_and_pay(mentor, mentee, post_event)
    with time_machine.travel(question.due_at + timedelta(seconds=1)):
        with pytest.raises(q.QuestionError, match="time to answer has passed"):
            q.question_answer(question=question, by=mentor.user, body="Just in time?")
    question.refresh_from_db()
    assert question.state == State.OPEN and not Transfer.objects.exists()


def test_the_mentor_is_reminded_a_day_before_the_deadline_once(
    mentor, mentee, stripe_http, post_event, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    question, _, _ = ask_and_pay(mentor, mentee, post_event)
    mail.outbox.clear()
    with time_machine.travel(question.due_at - timedelta(days=1, minutes=1)):
        assert sweep_questions()["reminded"] == 0
    with time_machine.travel(question.due_at - timedelta(hours=23)):
        assert sweep_questions()["reminded"] == 1
        assert sweep_questions()["reminded"] == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([mentor.user.email], "Reminder: Maya Mentee's paid question is due tomorrow")
    ]


def test_a_second_paid_question_waits_for_the_first_answer(mentor, mentee, stripe_http, post_event):
    question, _, _ = ask_and_pay(mentor, mentee, post_event)
    with pytest.raises(q.QuestionError, match="waiting for its answer"):
        q.question_ask_paid(mentee=mentee, mentor=mentor, body="Another")
    q.question_answer(question=question, by=mentor.user, body="Answer")
    assert q.question_ask_paid(mentee=mentee, mentor=mentor, body="Another").state == State.HELD


def test_paid_questions_need_the_mentor_to_offer_them(mentor, mentee):
    QuestionOffer.objects.filter(mentor=mentor).update(is_active=False)
    with pytest.raises(q.QuestionError, match="does not answer paid questions"):
        q.question_ask_paid(mentee=mentee, mentor=mentor, body="Hello?")


def test_held_questions_whose_checkout_time_ran_out_are_let_go(mentor, mentee):
    question = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Later")
    with time_machine.travel(question.hold_expires_at + timedelta(seconds=1)):
        assert sweep_questions()["released"] == 1
    question.refresh_from_db()
    assert question.state == State.RELEASED


def test_the_mentors_offer_is_checked_by_the_service(mentor):
    with pytest.raises(q.QuestionError, match="above zero"):
        q.question_offer_save(mentor=mentor, is_active=True, price_amount=0, currency="USD", answer_days=3)
    with pytest.raises(q.QuestionError, match="1 to 14 days"):
        q.question_offer_save(mentor=mentor, is_active=True, price_amount=100, currency="USD", answer_days=30)
    offer = q.question_offer_save(
        mentor=mentor, is_active=False, price_amount=5000, currency="EUR", answer_days=7
    )
    assert (offer.price_amount, offer.currency, offer.answer_days, offer.is_active) == (5000, "EUR", 7, False)


def test_asking_again_after_the_checkout_ran_out_makes_a_new_question_with_a_new_checkout(mentor, mentee):
    first = q.question_ask_paid(mentee=mentee, mentor=mentor, body="First try")
    with time_machine.travel(first.hold_expires_at + timedelta(seconds=1)):
        second = q.question_ask_paid(mentee=mentee, mentor=mentor, body="Second try")
    first.refresh_from_db()
    assert second.pk != first.pk and first.state == State.RELEASED and second.state == State.HELD


def test_a_full_refund_made_in_stripe_cancels_an_unanswered_question_and_nothing_is_refunded_again(
    mentor, mentee, stripe_http, post_event
):
    question, payment, _ = ask_and_pay(mentor, mentee, post_event)
    post_event(
        fixture_text(
            "event_refund_made_in_stripe.json",
            type="refund.created",
            refund_id="re_1Dashboard",
            amount=3000,
            status="succeeded",
            failure_reason="null",
        )
    )
    question.refresh_from_db()
    assert question.state == State.CANCELLED
    with time_machine.travel(question.due_at + timedelta(minutes=1)):
        assert sweep_questions()["expired"] == 0
    assert list(Refund.objects.values_list("amount", "made_in_stripe")) == [(3000, True)]
    assert stripe_http.count("post", "/v1/refunds") == 0
    with pytest.raises(q.QuestionError, match="cannot be answered"):
        q.question_answer(question=question, by=mentor.user, body="Too late")
