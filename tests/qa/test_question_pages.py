"""The pages of questions: asking from a profile, the demo checkout of a paid one, the one
answer, who may read a question, and the mentor's page to set paid questions up."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from billing.models import Payment
from qa.models import Question, QuestionOffer
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def mentor(db):
    mentor = MentorFactory(user__display_name="Omar Mentor")
    QuestionOffer.objects.create(
        mentor=mentor, is_active=True, price_amount=3000, currency="USD", answer_days=3
    )
    return mentor


@pytest.fixture
def mentee(db):
    return UserFactory(display_name="Maya Mentee")


def ask(client, mentor, **body):
    return client.post(
        reverse("qa:ask", args=[mentor.slug]), {"kind": "free", "body": "Is a PhD worth it?", **body}
    )


def test_the_profile_invites_a_question_and_shows_the_paid_offer(client, mentor):
    page = client.get(mentor.get_absolute_url()).content.decode()
    assert reverse("qa:ask", args=[mentor.slug]) in page
    assert "Paid question, $30" in page and "within 3 days" in page


def test_a_free_question_is_asked_and_only_its_two_people_and_staff_read_it(client, mentor, mentee):
    client.force_login(mentee)
    response = ask(client, mentor)
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == question.get_absolute_url()
    assert "Is a PhD worth it?" in client.get(question.get_absolute_url()).content.decode()
    for reader, status in [(mentor.user, 200), (UserFactory(is_staff=True), 200), (UserFactory(), 404)]:
        client.force_login(reader)
        assert client.get(question.get_absolute_url()).status_code == status
    client.logout()
    assert client.get(question.get_absolute_url()).status_code == 302  # to log in


def test_the_mentor_answers_on_the_page_once_and_the_mentee_reads_it(client, mentor, mentee):
    client.force_login(mentee)
    ask(client, mentor)
    question = Question.objects.get()
    client.force_login(mentor.user)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "Send the answer" in page
    response = client.post(question.get_absolute_url(), {"body": "Not for most **product** roles."})
    assert response.status_code == 302
    page = client.get(question.get_absolute_url()).content.decode()
    assert "Send the answer" not in page and "You have answered this question." in page
    client.force_login(mentee)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "<strong>product</strong>" in page and "Answered" in page
    # The mentee cannot answer their own question.
    response = client.post(question.get_absolute_url(), {"body": "Me too"})
    assert response.status_code == 400 and "Only the mentor answers here" in response.content.decode()


def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(client, mentor, mentee):
    client.force_login(mentee)
    for body, message in [
        ({"body": ""}, "Write your question first."),
        ({"body": "x" * 700}, "Keep it to 600 characters"),
        ({"kind": "nonsense"}, "Choose the free question or a paid one."),
        ({"body": "a\x00b"}, "Null characters are not allowed."),
    ]:
        response = ask(client, mentor, **body)
        assert response.status_code == 400, body
        assert message in response.content.decode()
    assert not Question.objects.exists()
    assert client.get(reverse("qa:ask", args=["no-such-mentor"])).status_code == 404


def test_questions_are_rate_limited_per_person(client, mentor, mentee, settings):
    settings.RATELIMIT_QUESTION_PER_USER = "1/h"
    cache.clear()
    client.force_login(mentee)
    assert ask(client, mentor).status_code == 302
    response = ask(client, MentorFactory(), body="Another mentor")
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Question.objects.count() == 1


def test_a_paid_question_goes_through_the_demo_checkout_and_opens_when_paid(
    demo, client, mentor, mentee, django_capture_on_commit_callbacks
):
    client.force_login(mentee)
    response = ask(client, mentor, kind="paid", body="Staff or manager?")
    payment = Payment.objects.get()
    question = Question.objects.get()
    assert response["Location"] == reverse("billing:demo_checkout", args=[payment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Paid question" in page and "$30" in page
    # The mentor cannot see it before it is paid.
    client.force_login(mentor.user)
    assert client.get(question.get_absolute_url()).status_code == 404
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:demo_checkout", args=[payment.pk]), {"action": "pay"})
    assert response["Location"] == f"{question.get_absolute_url()}?paid=1"
    question.refresh_from_db()
    assert question.state == Question.State.OPEN
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the answer" in page and "or you are refunded in full" in page
    client.force_login(mentor.user)
    assert "Answer by" in client.get(question.get_absolute_url()).content.decode()


def test_while_the_payment_is_confirmed_the_page_polls(demo, client, mentor, mentee):
    client.force_login(mentee)
    ask(client, mentor, kind="paid", body="Staff or manager?")
    question = Question.objects.get()
    page = client.get(f"{question.get_absolute_url()}?paid=1").content.decode()
    assert "Confirming your payment" in page and 'hx-trigger="every 2s"' in page
    Question.objects.filter(pk=question.pk).update(state=Question.State.OPEN)
    response = client.get(f"{question.get_absolute_url()}?paid=1&part=status", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == question.get_absolute_url()


def test_the_mentor_sets_up_paid_questions(client, mentor):
    client.force_login(mentor.user)
    url = reverse("qa:mentor_questions")
    assert client.get(url).status_code == 200
    response = client.post(url, {"is_active": "on", "price": "49.50", "currency": "EUR", "answer_days": "5"})
    assert response.status_code == 302
    offer = QuestionOffer.objects.get(mentor=mentor)
    assert (offer.price_amount, offer.currency, offer.answer_days, offer.is_active) == (4950, "EUR", 5, True)
    response = client.post(url, {"is_active": "on", "price": "10", "currency": "EUR", "answer_days": "30"})
    assert response.status_code == 400
    offer.refresh_from_db()
    assert offer.answer_days == 5
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_with_stripe_paid_questions_need_payouts_connected(client, mentor, settings):
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    client.force_login(mentor.user)
    response = client.post(
        reverse("qa:mentor_questions"),
        {"is_active": "on", "price": "20", "currency": "USD", "answer_days": "3"},
    )
    assert response.status_code == 400 and "Connect payouts first" in response.content.decode()
    assert QuestionOffer.objects.get(mentor=mentor).price_amount == 3000
