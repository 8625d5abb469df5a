"""Reads for Q&A threads: who may read which thread, its messages, and a person's inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import NoReverseMatch

from billing.models import Payment
from sessions.models import Booking
from subscriptions.models import Subscription

from .models import Message, Question, QuestionOffer, Thread, ThreadReader

# A page shows this many of the newest messages; older ones stay in the admin.
SHOWN_MESSAGES = 200
INBOX_SIZE = 20


def thread_readable(*, thread: Thread, user) -> bool:
    """The one reading rule: the two participants and staff. A subscription's thread needs a plan
    with Q&A, except that a thread which already has messages stays readable after a switch to
    a plan without it (its history is theirs)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not thread.is_participant(user):
        return False
    if thread.subscription_id and not thread.subscription.plan.includes_qa:
        return thread.pk is not None
    return True


def _participants(user) -> Q:
    """Bookings and subscriptions `user` takes part in, as mentee or as mentor."""
    return Q(mentee=user) | Q(mentor__user=user)


def booking_thread_for_viewer(*, user, booking_id) -> Thread:
    """The booking's thread (unsaved when nobody has written yet), if `user` may read it;
    Thread.DoesNotExist otherwise, whether the booking exists or not."""
    bookings = Booking.objects.select_related("offering", "mentor__user", "mentee", "thread")
    if not user.is_staff:
        bookings = bookings.filter(_participants(user))
    booking = bookings.filter(pk=booking_id).first()
    if booking is None:
        raise Thread.DoesNotExist
    thread = getattr(booking, "thread", None) or Thread(booking=booking)
    thread.booking, thread.mentee, thread.mentor = booking, booking.mentee, booking.mentor
    if not thread_readable(thread=thread, user=user):
        raise Thread.DoesNotExist
    return thread


def subscription_thread_for_viewer(*, user, subscription_id) -> Thread:
    subscriptions = Subscription.objects.select_related("plan", "mentor__user", "mentee", "thread")
    if not user.is_staff:
        subscriptions = subscriptions.filter(_participants(user))
    subscription = subscriptions.filter(pk=subscription_id).first()
    if subscription is None:
        raise Thread.DoesNotExist
    thread = getattr(subscription, "thread", None) or Thread(subscription=subscription)
    thread.subscription, thread.mentee, thread.mentor = subscription, subscription.mentee, subscription.mentor
    if not thread_readable(thread=thread, user=user):
        raise Thread.DoesNotExist
    return thread


def thread_messages(*, thread: Thread, limit: int = SHOWN_MESSAGES) -> list[Message]:
    """The newest `limit` messages, oldest first."""
    if thread.pk is None:
        return []
    newest = list(thread.messages.select_related("author").order_by("-created_at", "-pk")[:limit])
    newest.reverse()
    return newest


def thread_reader(*, thread: Thread, user) -> ThreadReader | None:
    if thread.pk is None or not user.is_authenticated:
        return None
    return ThreadReader.objects.filter(thread=thread, user=user).first()


def thread_back_url(thread: Thread) -> str | None:
    """The page of the booking or subscription the thread belongs to (None while that page
    does not exist)."""
    try:
        return thread.subject.get_absolute_url()
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Inbox:
    threads: list[ThreadReader]  # each with `.unread`
    unread: int


def inbox_readers(*, user):
    """The viewer's threads that have a message (as their readers): what the inbox lists."""
    return ThreadReader.objects.filter(user=user, thread__last_message_at__isnull=False)


def inbox_for(*, user, limit: int = INBOX_SIZE) -> Inbox:
    """The viewer's newest threads, each with the number of messages in it the viewer has not
    read, and their total: one query."""
    readers = list(
        inbox_readers(user=user)
        .select_related(
            "thread__mentee",
            "thread__mentor__user",
            "thread__booking__offering",
            "thread__subscription__plan",
            "thread__question",
        )
        .only(  # what the inbox shows: a title, the other person's name, when
            "thread__id",
            "last_read_at",
            "thread__booking_id",
            "thread__subscription_id",
            "thread__last_message_at",
            "thread__mentee__id",
            "thread__mentee__display_name",
            "thread__mentee__email",
            "thread__mentor__id",
            "thread__mentor__user__id",
            "thread__mentor__user__display_name",
            "thread__mentor__user__email",
            "thread__booking__id",
            "thread__booking__offering__id",
            "thread__booking__offering__title",
            "thread__subscription__id",
            "thread__subscription__plan__id",
            "thread__subscription__plan__name",
            "thread__question__id",
            "thread__question__kind",
        )
        .annotate(
            unread=Count(
                "thread__messages",
                filter=(Q(last_read_at__isnull=True) | Q(thread__messages__created_at__gt=F("last_read_at")))
                & ~Q(thread__messages__author=user),
            )
        )
        .order_by("-thread__last_message_at", "-pk")[:limit]
    )
    return Inbox(threads=readers, unread=sum(r.unread for r in readers))


# --- questions asked from a mentor's profile -------------------------------------------------

QUESTION_LIST_SIZE = 20


def question_for_viewer(*, user, question_id) -> Question:
    """The question, if `user` may read it: its mentee, staff, and its mentor once it is asked
    (paid, for a paid one). Question.DoesNotExist otherwise, whether it exists or not."""
    if not user.is_authenticated:
        raise Question.DoesNotExist
    questions = Question.objects.select_related("mentee", "mentor__user", "thread", "payment")
    if not user.is_staff:
        questions = questions.filter(Q(mentee=user) | Q(mentor__user=user, asked_at__isnull=False))
    return questions.get(pk=question_id)


def question_offer_of(*, mentor_id: int) -> QuestionOffer | None:
    """The mentor's paid questions, if they offer them now."""
    return QuestionOffer.objects.filter(mentor_id=mentor_id, is_active=True).first()


def question_offer_for_editing(*, mentor) -> QuestionOffer:
    """The mentor's offer, or an unsaved one with the defaults, priced like their cheapest session."""
    offer = QuestionOffer.objects.filter(mentor=mentor).first()
    if offer is not None:
        return offer
    cheapest = mentor.offerings.filter(price_amount__gt=0).order_by("price_amount").first()
    return QuestionOffer(
        mentor=mentor,
        price_amount=cheapest.price_amount // 2 if cheapest else 2500,
        currency=cheapest.currency if cheapest else "USD",
    )


def questions_asked_by(*, user, limit: int = QUESTION_LIST_SIZE) -> list[Question]:
    """The mentee's questions the dashboard lists: waiting ones first, then the newest others."""
    return list(
        Question.objects.filter(mentee=user)
        .exclude(state=Question.State.RELEASED)
        .select_related("mentor__user")
        .order_by("answered_at", "-created_at")[:limit]
    )


def questions_to_answer(*, mentor, limit: int = QUESTION_LIST_SIZE) -> list[Question]:
    """The mentor's open questions, the soonest deadline first (free questions, which have none,
    after them)."""
    return list(
        Question.objects.filter(mentor=mentor, state=Question.State.OPEN)
        .select_related("mentee")
        .order_by(F("due_at").asc(nulls_last=True), "asked_at")[:limit]
    )


def questions_answered_recently(*, mentor, limit: int = QUESTION_LIST_SIZE) -> list[Question]:
    return list(
        Question.objects.filter(mentor=mentor, asked_at__isnull=False)
        .exclude(state=Question.State.OPEN)
        .select_related("mentee", "payment")
        .order_by("-asked_at")[:limit]
    )


def question_figures(*, mentor) -> dict:
    """What the mentor's questions page counts: answered, and paid questions' revenue by currency
    (answered ones whose payment was kept)."""
    counts = Question.objects.filter(mentor=mentor).aggregate(
        answered=Count("pk", filter=Q(state=Question.State.ANSWERED)),
        open=Count("pk", filter=Q(state=Question.State.OPEN)),
        expired=Count("pk", filter=Q(state=Question.State.EXPIRED)),
    )
    revenue = (
        Question.objects.filter(
            mentor=mentor,
            state=Question.State.ANSWERED,
            kind=Question.Kind.PAID,
            payment__state="paid",
            payment__amount_mismatch=False,
        )
        .values("currency")
        .annotate(total=Sum("payment__amount"), fees=Sum("payment__platform_fee"))
        .order_by("currency")
    )
    return {**counts, "revenue": [{**r, "share": r["total"] - r["fees"]} for r in revenue]}


def questions_by_month() -> list[dict]:
    """Questions asked from mentors' profiles, by the month they were asked (UTC), free and paid.

    Asked: questions the mentor could read (paid ones once paid). Answered: those answered since.
    Refunded: paid questions whose deadline passed unanswered. Revenue: what mentees paid for the
    paid questions that were answered (minor units, by currency; a payment refused for its amount
    sold nothing). Answer rate = answered / asked.
    """
    rows = (
        Question.objects.filter(asked_at__isnull=False)
        .annotate(month=TruncMonth("asked_at", tzinfo=dt.UTC))
        .values("month", "kind", "currency")
        .annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(state=Question.State.ANSWERED)),
            refunded=Count("pk", filter=Q(state=Question.State.EXPIRED)),
            revenue=Coalesce(
                Sum(
                    "payment__amount",
                    filter=Q(
                        state=Question.State.ANSWERED,
                        payment__state=Payment.State.PAID,
                        payment__amount_mismatch=False,
                    ),
                ),
                0,
            ),
        )
        .order_by("month", "kind", "currency")
    )
    return [
        {
            "month": (month := r["month"].strftime("%Y-%m") if r["month"] else ""),
            "kind": r["kind"],
            "label": f"{month} {r['kind']}",
            "currency": r["currency"],
            "asked": r["asked"],
            "answered": r["answered"],
            "refunded": r["refunded"],
            "revenue": r["revenue"],
            "rate": round(100 * r["answered"] / r["asked"], 1) if r["asked"] else None,
        }
        for r in rows
    ]
