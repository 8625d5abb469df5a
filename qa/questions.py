"""Questions a mentee asks a mentor from their profile, outside any booking: the writes.

Rules in one place each: who may ask (`question_ask_refusal`), what a paid question costs and
how long the mentor has (`QuestionOffer`, set by `question_offer_save`), the one answer
(`question_answer`), the deadline (`questions_expire_overdue`: refunded in full, once). The money
is billing's (the question kind of its purchases, qa/purchases.py); every e-mail goes through the
task outbox and is stamped on the question under its lock, so each is sent once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from billing.services import mentor_payouts_ready, refund_in_full
from core import pagecache
from core.emails import RETRYABLE_ERRORS
from core.errors import DomainError
from mentors.models import MentorProfile
from sessions.models import Booking

from . import tasks
from .emails import question_email
from .models import (
    MAX_ANSWER_DAYS,
    MAX_FREE_QUESTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PAID_QUESTION_LENGTH,
    MIN_ANSWER_DAYS,
    Message,
    Question,
    QuestionOffer,
    Thread,
    ThreadReader,
)
from .services import mentor_refresh_response_time

logger = logging.getLogger("qa")

State, Kind = Question.State, Question.Kind
SWEEP_BATCH = 200
# The kinds of e-mail a question sends, and the stamp that makes each one happen once.
# "answered" and "declined" share the mentee's stamp: a question ends one way.
EMAIL_STAMPS = {
    "asked": "mentor_told_at",
    "reminder": "reminder_sent_at",
    "answered": "mentee_told_at",
    "declined": "mentee_told_at",
}


class QuestionError(DomainError):
    """A rule about questions said no."""


def _clean(body: str, *, limit: int) -> str:
    body = (body or "").strip()
    if not body:
        raise QuestionError(gettext("Write your question first."), field="body")
    if len(body) > limit:
        raise QuestionError(
            gettext("Keep it to %(limit)s characters (this one has %(length)s).")
            % {"limit": limit, "length": len(body)},
            field="body",
        )
    if "\x00" in body:
        raise QuestionError(gettext("The question contains a character that cannot be stored."), field="body")
    return body


def question_ask_refusal(*, mentee: User, mentor: MentorProfile, kind: str) -> str:
    """Why `mentee` cannot ask `mentor` a question of `kind` now; empty when they can (a held
    paid question of theirs is taken up again, so it does not refuse)."""
    if mentor.user_id == mentee.pk:
        return gettext("You cannot ask yourself a question.")
    if not mentor.is_approved:
        return gettext("This mentor is not taking questions.")
    if not mentee.emailaddress_set.filter(verified=True).exists():
        return gettext("Please verify your e-mail address before asking.")
    asked = Question.objects.filter(mentee=mentee, mentor=mentor)
    if kind == Kind.FREE:
        if asked.filter(kind=Kind.FREE).exists():
            return gettext("You have asked this mentor your free question already.")
        if Booking.objects.filter(mentee=mentee, mentor=mentor, state__in=Booking.ACTIVE_STATES).exists():
            return gettext("You have a session with this mentor: write to them in its messages.")
        return ""
    offer = QuestionOffer.objects.filter(mentor=mentor, is_active=True).first()
    if offer is None:
        return gettext("This mentor does not answer paid questions at the moment.")
    if asked.filter(kind=Kind.PAID, state=State.OPEN).exists():
        return gettext(
            "Your last paid question to this mentor is waiting for its answer: ask again once it is answered."
        )
    return ""


def question_ask_free(
    *, mentee: User, mentor: MentorProfile, body: str, now: datetime | None = None
) -> Question:
    """The mentee's one free question to this mentor: open at once, in a thread of its own."""
    body = _clean(body, limit=MAX_FREE_QUESTION_LENGTH)
    now = now or timezone.now()
    refusal = question_ask_refusal(mentee=mentee, mentor=mentor, kind=Kind.FREE)
    if refusal:
        raise QuestionError(refusal)
    try:
        with transaction.atomic():
            question = Question.objects.create(
                kind=Kind.FREE, state=State.OPEN, mentee=mentee, mentor=mentor, body=body, asked_at=now
            )
            _open_thread(question, now=now)
    except IntegrityError:  # the same question sent twice at once: the other one stands
        raise QuestionError(gettext("You have asked this mentor your free question already.")) from None
    return question


def question_ask_paid(
    *, mentee: User, mentor: MentorProfile, body: str, now: datetime | None = None
) -> Question:
    """A paid question held while the mentee pays (billing's checkout, at the offer's price and
    days, read now: never from the form). A held one of theirs to this mentor whose checkout is
    still open is taken up again with the new text, so leaving the checkout and asking again
    never makes two."""
    body = _clean(body, limit=MAX_PAID_QUESTION_LENGTH)
    now = now or timezone.now()
    refusal = question_ask_refusal(mentee=mentee, mentor=mentor, kind=Kind.PAID)
    if refusal:
        raise QuestionError(refusal)
    offer = QuestionOffer.objects.get(mentor=mentor, is_active=True)
    hold_until = now + timedelta(minutes=settings.HOLD_MINUTES)
    try:
        with transaction.atomic():
            held = (
                Question.objects.select_for_update()
                .filter(mentee=mentee, mentor=mentor, kind=Kind.PAID, state=State.HELD)
                .first()
            )
            if held is not None and held.hold_expires_at and held.hold_expires_at > now:
                held.body = body  # its checkout, still open, is paid at the price it was asked at
                held.save(update_fields=["body"])
                return held
            if held is not None:  # its checkout ran out: a new question gets a new checkout
                held.state, held.hold_expires_at = State.RELEASED, None
                held.save(update_fields=["state", "hold_expires_at"])
            return Question.objects.create(
                kind=Kind.PAID,
                state=State.HELD,
                mentee=mentee,
                mentor=mentor,
                body=body,
                price_amount=offer.price_amount,
                currency=offer.currency,
                answer_days=offer.answer_days,
                hold_expires_at=hold_until,
            )
    except IntegrityError:
        raise QuestionError(gettext("You have a paid question to this mentor waiting already.")) from None


def _open_thread(question: Question, *, now: datetime) -> Thread:
    """The question's thread, with the question as its first message (inside its transaction)."""
    thread = Thread.objects.create(
        question=question, mentee_id=question.mentee_id, mentor=question.mentor, last_message_at=now
    )
    ThreadReader.objects.bulk_create(
        [
            ThreadReader(thread=thread, user_id=question.mentee_id, last_read_at=now),
            ThreadReader(thread=thread, user_id=question.mentor.user_id),
        ]
    )
    Message.objects.create(thread=thread, author_id=question.mentee_id, body=question.body, created_at=now)
    tasks.send_question_email.delay_on_commit(str(question.pk), "asked")
    return thread


# --- what billing's question kind asks (qa/purchases.py) --------------------------------------


def question_extend_hold(*, question: Question, until: datetime) -> None:
    Question.objects.filter(pk=question.pk).update(hold_expires_at=until)
    question.hold_expires_at = until


def question_confirm_payment(*, question: Question, now: datetime | None = None) -> Question:
    """Paid: the mentor may read it now, and has `answer_days` to answer. Idempotent; a payment
    arriving after the hold ran out still opens it, unless another paid question of the mentee to
    this mentor is waiting (QuestionError: billing refunds it)."""
    now = now or timezone.now()
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("mentor").get(pk=question.pk)
        if question.state not in (State.HELD, State.RELEASED):
            return question  # opened already (a replayed event), or ended
        if (
            question.state == State.RELEASED
            and Question.objects.filter(
                mentee_id=question.mentee_id,
                mentor_id=question.mentor_id,
                kind=Kind.PAID,
                state__in=Question.WAITING_STATES,
            ).exists()
        ):
            raise QuestionError(
                gettext("Your payment arrived after you had asked this mentor another paid question.")
            )
        question.state = State.OPEN
        question.asked_at = now
        question.due_at = now + timedelta(days=question.answer_days)
        question.hold_expires_at = None
        question.save(update_fields=["state", "asked_at", "due_at", "hold_expires_at"])
        _open_thread(question, now=now)
    return question


def question_release_hold(*, question: Question, note: str = "") -> Question:
    """Its checkout will not be paid (abandoned, expired, declined) or its payment was refused."""
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.state == State.HELD:
            question.state = State.RELEASED
            question.hold_expires_at = None
            question.save(update_fields=["state", "hold_expires_at"])
            logger.info("question %s released: %s", question.pk, note)
    return question


def question_cancel_refunded(*, question: Question, reason: str) -> Question:
    """Its price went back in full in Stripe: a question not answered yet is cancelled (nothing
    refunded again); an answered one stays answered (the payout is reversed by billing)."""
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.state in (State.HELD, State.OPEN):
            question.state = State.CANCELLED
            question.closed_at = timezone.now()
            question.save(update_fields=["state", "closed_at"])
        else:
            logger.info(
                "question %s refunded in full in Stripe stays %s: %s", question.pk, question.state, reason
            )
    return question


# --- the answer ------------------------------------------------------------------------------


def question_answer_refusal(*, question: Question, user: User, now: datetime | None = None) -> str:
    """Why `user` cannot answer the question now; empty when they can."""
    now = now or timezone.now()
    if user.pk != question.mentor.user_id:
        return gettext("Only the mentor answers here; staff can read.")
    if question.state == State.ANSWERED:
        return gettext("You have answered this question.")
    if question.state != State.OPEN:
        return gettext("This question cannot be answered: %(state)s.") % {
            "state": question.get_state_display().lower()
        }
    if question.due_at and question.due_at <= now:
        return gettext("The time to answer has passed: the mentee is refunded in full.")
    return ""


def question_answer(*, question: Question, by: User, body: str, now: datetime | None = None) -> Message:
    """The mentor's one answer: the question is answered, the mentee told, and a paid question's
    money goes to the mentor (a payout task after commit). The question's lock orders the answer
    and the deadline's sweep, so a question is either answered or refunded, never both."""
    body = _clean(body, limit=MAX_MESSAGE_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=question.pk)
        )
        refusal = question_answer_refusal(question=question, user=by, now=now)
        if refusal:
            answerable = question.state == State.OPEN and by.pk == question.mentor.user_id
            raise QuestionError(refusal, field="body" if answerable else None)
        thread = Thread.objects.select_for_update().get(question=question)
        message = Message.objects.create(thread=thread, author=by, body=body, created_at=now)
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        ThreadReader.objects.filter(thread=thread, user=by).update(last_read_at=now)
        question.state = State.ANSWERED
        question.answered_at = now
        question.save(update_fields=["state", "answered_at"])
        tasks.send_question_email.delay_on_commit(str(question.pk), "answered")
        if question.is_paid:
            tasks.pay_out_question.delay_on_commit(str(question.pk))
        mentor_refresh_response_time(mentor_id=question.mentor_id, now=now)
    return message


def question_decline(*, question: Question, by: User, reason: str, now: datetime | None = None) -> Message:
    """The mentor declines instead of answering, saying why (the reason is their one message in
    the thread): the question ends, a paid one is refunded in full at once (its one policy refund,
    so the deadline's sweep, which takes only open questions, refunds nothing more), and the
    mentee is told. Under the question's lock, like the answer: answered or declined, never both."""
    try:
        reason = _clean(reason, limit=500)
    except QuestionError as error:
        message = error.message if (reason or "").strip() else gettext("Say in a line why you decline.")
        raise QuestionError(message, field="reason") from error
    now = now or timezone.now()
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(of=("self",))
            .select_related("mentor__user")
            .get(pk=question.pk)
        )
        refusal = question_answer_refusal(question=question, user=by, now=now)
        if refusal:
            raise QuestionError(refusal)
        thread = Thread.objects.select_for_update().get(question=question)
        message = Message.objects.create(thread=thread, author=by, body=reason, created_at=now)
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        question.state = State.DECLINED
        question.closed_at = now
        question.save(update_fields=["state", "closed_at"])
        if question.is_paid:
            refund_in_full(
                kind="question",
                purchase_id=question.pk,
                reason=f"{question.mentor.user.name} declined your question: {reason}"[:300],
            )
        tasks.send_question_email.delay_on_commit(str(question.pk), "declined")
    return message


# --- the deadline ----------------------------------------------------------------------------


def questions_expire_overdue(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Beat: paid questions whose deadline passed unanswered are refunded in full, each once (the
    question's state moves under its lock, and its refund has one key, ever). Two sweeps at once
    take different rows."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = list(
            Question.objects.select_for_update(skip_locked=True)
            .filter(kind=Kind.PAID, state=State.OPEN, due_at__lte=now)
            .select_related("mentor__user")
            .order_by("due_at")[:limit]
        )
        for question in due:
            question.state = State.EXPIRED
            question.closed_at = now
            question.save(update_fields=["state", "closed_at"])
            days = f"{question.answer_days} day{'s' if question.answer_days != 1 else ''}"
            refund_in_full(
                kind="question",
                purchase_id=question.pk,
                reason=f"{question.mentor.user.name} did not answer within {days}.",
            )
            expired += 1
    return expired


def questions_release_expired_holds(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Beat: held questions whose checkout time ran out are let go (a payment that still comes
    opens them: question_confirm_payment)."""
    now = now or timezone.now()
    return Question.objects.filter(
        pk__in=Question.objects.filter(state=State.HELD, hold_expires_at__lte=now).values("pk")[:limit]
    ).update(state=State.RELEASED, hold_expires_at=None)


def questions_remind_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Beat: the reminder to the mentor a day before a paid question's deadline, once each."""
    now = now or timezone.now()
    due = Question.objects.filter(
        kind=Kind.PAID,
        state=State.OPEN,
        reminder_sent_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + Question.REMIND_BEFORE,
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for pk in list(due):
        try:
            sent += question_email_send(question_id=str(pk), what="reminder", now=now)
        except RETRYABLE_ERRORS:
            break  # the mail server refuses: the next sweep tries these again
    return sent


# --- e-mails, once each ----------------------------------------------------------------------


def question_email_send(*, question_id: str, what: str, now: datetime | None = None) -> bool:
    """One of a question's e-mails (`EMAIL_STAMPS`), sent at most once: the question stays locked
    while it goes out and is stamped in the same transaction, so a redelivered task or a second
    sweep finds it sent. Skipped when it no longer makes sense (a reminder for an answered
    question). A mail server that refuses leaves it unstamped, for the task's retry or the sweep."""
    stamp = EMAIL_STAMPS[what]
    now = now or timezone.now()
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("mentee", "mentor__user")
            .filter(pk=question_id, **{f"{stamp}__isnull": True})
            .first()
        )
        if question is None:
            return False
        wanted = {
            "asked": State.OPEN,
            "reminder": State.OPEN,
            "answered": State.ANSWERED,
            "declined": State.DECLINED,
        }[what]
        if question.state == wanted:
            try:
                question_email(question=question, what=what).send()
            except RETRYABLE_ERRORS as error:
                logger.warning("question %s e-mail %s failed (%s)", question_id, what, error)
                raise
        setattr(question, stamp, now)
        question.save(update_fields=[stamp])
    return question.state == wanted


# --- the mentor's offer ----------------------------------------------------------------------


def question_offer_save(
    *, mentor: MentorProfile, is_active: bool, price_amount: int, currency: str, answer_days: int
) -> QuestionOffer:
    """What the mentor charges for a paid question and how long they take; shown on their profile.
    Questions already asked keep the price and days they were asked at."""
    if price_amount <= 0:
        raise QuestionError(gettext("Set a price above zero."), field="price")
    if not MIN_ANSWER_DAYS <= answer_days <= MAX_ANSWER_DAYS:
        raise QuestionError(
            gettext("Promise an answer within %(least)s to %(most)s days.")
            % {"least": MIN_ANSWER_DAYS, "most": MAX_ANSWER_DAYS},
            field="answer_days",
        )
    if is_active and not mentor_payouts_ready(mentor=mentor):
        raise QuestionError(
            gettext("Connect payouts first (Payouts, in the menu): paid questions pay you there.")
        )
    with transaction.atomic():
        offer, _ = QuestionOffer.objects.update_or_create(
            mentor=mentor,
            defaults={
                "is_active": is_active,
                "price_amount": price_amount,
                "currency": currency,
                "answer_days": answer_days,
            },
        )
        pagecache.changed(pagecache.mentor(mentor.pk))
    return offer
