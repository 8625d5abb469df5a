"""The demo's questions: the demo mentor (and every fifth mentor) answers paid questions; the demo
mentee has one paid question answered and one waiting for its answer with the demo mentor, and a
mentee's free question waits in the demo mentor's list. Written as the demo payment provider and
the services would leave them (a paid question's Payment, the answered one's payout); a second
run finds them and adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from billing.models import Payment, Transfer
from billing.services import platform_fee
from mentors.models import MentorProfile
from qa.models import Message, Question, QuestionOffer, Thread, ThreadReader

ANSWERED = (
    "I lead a team of five and keep being asked to step into a manager role. I love the technical "
    "work. How do I decide between the staff-engineer track and management?",
    "Write down the last three weeks and mark what gave you energy. If it was unblocking people and "
    "shaping the roadmap, try a **six-month manager trial** your director agrees to undo; if it was "
    "the hardest design problems, ask for the staff scope explicitly.\n\n"
    "Either way, decide by one test: *which work would you do unpaid on a Saturday?*",
)
WAITING = (
    "My company offers a 15% raise to stay, and a start-up offers equity plus 5%. How should I "
    "value the equity, and what should I ask them before I decide?"
)
FREE = "Do you take mentees moving from QA into backend engineering? What would we work on first?"


def seed_questions(
    *, now: datetime, mentors: list[MentorProfile], mentees: list, demo_mentor: MentorProfile, demo_mentee
) -> None:
    for mentor in [demo_mentor, *mentors[::5]]:
        _offer(mentor)
    offer = QuestionOffer.objects.get(mentor=demo_mentor)
    answered = _paid(demo_mentee, demo_mentor, offer, body=ANSWERED[0], asked_at=now - timedelta(days=9))
    if answered.state == Question.State.OPEN:
        _answer(answered, body=ANSWERED[1], at=answered.asked_at + timedelta(days=1, hours=3))
    _paid(demo_mentee, demo_mentor, offer, body=WAITING, asked_at=now - timedelta(hours=30))
    asker = next(m for m in mentees if m.pk != demo_mentee.pk)
    if not Question.objects.filter(mentee=asker, mentor=demo_mentor, kind=Question.Kind.FREE).exists():
        question = Question.objects.create(
            kind=Question.Kind.FREE,
            state=Question.State.OPEN,
            mentee=asker,
            mentor=demo_mentor,
            body=FREE,
            asked_at=now - timedelta(hours=5),
        )
        _thread(question)


def _offer(mentor: MentorProfile) -> None:
    cheapest = mentor.offerings.filter(price_amount__gt=0).order_by("price_amount").first()
    if cheapest is None:
        return
    QuestionOffer.objects.get_or_create(
        mentor=mentor,
        defaults={
            "is_active": True,
            "price_amount": max(cheapest.price_amount // 2, 500),
            "currency": cheapest.currency,
            "answer_days": 3,
        },
    )


def _paid(mentee, mentor: MentorProfile, offer: QuestionOffer, *, body: str, asked_at: datetime) -> Question:
    existing = Question.objects.filter(
        mentee=mentee, mentor=mentor, kind=Question.Kind.PAID, body=body
    ).first()
    if existing is not None:
        return existing
    question = Question.objects.create(
        kind=Question.Kind.PAID,
        state=Question.State.OPEN,
        mentee=mentee,
        mentor=mentor,
        body=body,
        price_amount=offer.price_amount,
        currency=offer.currency,
        answer_days=offer.answer_days,
        asked_at=asked_at,
        due_at=asked_at + timedelta(days=offer.answer_days),
        mentor_told_at=asked_at,
    )
    payment = Payment.objects.create(
        question=question,
        provider=Payment.Provider.DEMO,
        checkout_session_id=f"cs_demo_question_{question.pk.hex}",
        payment_intent_id=f"pi_demo_question_{question.pk.hex}",
        amount=question.price_amount,
        currency=question.currency,
        platform_fee=platform_fee(question.price_amount),
        state=Payment.State.PAID,
        paid_at=asked_at,
    )
    Payment.objects.filter(pk=payment.pk).update(created_at=asked_at - timedelta(minutes=2))
    _thread(question)
    return question


def _thread(question: Question) -> Thread:
    thread = Thread.objects.create(
        question=question, mentee=question.mentee, mentor=question.mentor, last_message_at=question.asked_at
    )
    ThreadReader.objects.bulk_create(
        [
            ThreadReader(thread=thread, user=question.mentee, last_read_at=question.asked_at),
            ThreadReader(thread=thread, user=question.mentor.user),
        ]
    )
    Message.objects.create(
        thread=thread, author=question.mentee, body=question.body, created_at=question.asked_at
    )
    return thread


def _answer(question: Question, *, body: str, at: datetime) -> None:
    thread = question.thread
    Message.objects.create(thread=thread, author=question.mentor.user, body=body, created_at=at)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=at)
    ThreadReader.objects.filter(thread=thread).update(last_read_at=at)
    Question.objects.filter(pk=question.pk).update(
        state=Question.State.ANSWERED, answered_at=at, mentee_told_at=at
    )
    payment = question.payment
    share = payment.amount - payment.platform_fee
    transfer = Transfer.objects.create(
        payment=payment,
        amount=share,
        currency=payment.currency,
        destination=f"acct_demo_{question.mentor_id}",
        state=Transfer.State.PAID,
    )
    Transfer.objects.filter(pk=transfer.pk).update(stripe_transfer_id=f"tr_demo_{transfer.pk}")
