"""What an accepted request must have left: a whole change. Each check is a function of the
world, the snapshots before and after (tests/routes/state.py) and the body sent; by default
(`only()`) no row was added or removed anywhere."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress

from billing.models import CodeRedemption
from cohorts.models import Cohort, CohortEvent, Enrollment
from packs.models import Pack, PackPurchase
from qa.models import Message, Question
from sessions.models import Booking, BookingEvent, Offering
from subscriptions.models import Plan, Subscription


def only(*tables: str):
    """An accepted request may change these tables' row counts and nothing else."""

    def check(w, before, after, body):
        changed = before.changed_tables(after) - set(tables)
        assert not changed, f"row counts changed in {sorted(changed)}"

    return check


def booking_made(w, before, after, body):
    """A booking is made whole or not at all: with its outcome, one answer per prompt and its
    first event; a paid one is held while the mentee pays."""
    made = before.grew(after, Booking)
    assert made in (0, 1)
    if made:
        booking = Booking.objects.filter(mentee=w.other_mentee).order_by("-created_at").first()
        assert booking.outcome.strip()
        assert len(booking.prework_answers) == len(w.offering.prework_prompts)
        assert booking.events.count() == 1
        assert booking.state in (Booking.State.HELD, Booking.State.CONFIRMED)
        assert (booking.state == Booking.State.HELD) == (booking.price_amount > 0)
    else:
        assert before.grew(after, BookingEvent) == 0


def state_moved_with_event(name: str):
    """The booking either stays as it was, or its state moved and one event says so."""

    def check(w, before, after, body):
        old, new = before.objects[name], after.objects[name]
        events = before.grew(after, BookingEvent)
        if old["state"] == new["state"] and old["starts_at"] == new["starts_at"]:
            assert events == 0
        else:
            assert events == 1

    return check


def saved_one(model, *also: str):
    """At most one row of `model` added, and no row anywhere else but in `also`."""

    def check(w, before, after, body):
        assert before.grew(after, model) in (0, 1)
        only(model._meta.db_table, *also)(w, before, after, body)

    return check


def account_deleted(w, before, after, body):
    """Either the account is as it was, or it is wholly gone: inactive, renamed, no address."""
    old, new = before.objects["leaver"], after.objects["leaver"]
    if new != old:
        assert not new["is_active"] and new["email"].endswith("@deleted.invalid")
        assert before.grew(after, EmailAddress) == -1


SUBSCRIPTION_CHANGED = only("billing_webhookevent", "subscriptions_historicalsubscription")


def subscription_started(w, before, after, body):
    """A checkout started: at most one subscription, not live until its payment arrives."""
    assert before.grew(after, Subscription) in (0, 1)
    only("subscriptions_subscription", "subscriptions_historicalsubscription", "billing_coderedemption")(
        w, before, after, body
    )
    started = Subscription.objects.filter(mentee=w.other_mentee, plan=w.plan).first()
    assert started is None or started.status not in Subscription.LIVE_STATUSES


def cohort_cancelled(w, before, after, body):
    """A cancelled cohort leaves no open place behind."""
    cohort = Cohort.objects.get(pk=w.cohort.pk)
    if cohort.status == Cohort.Status.CANCELLED:
        assert cohort.cancel_reason.strip()
        assert not cohort.enrollments.filter(state__in=Enrollment.OPEN_STATES).exists()


def offering_saved(w, before, after, body):
    assert before.grew(after, Offering) in (0, 1)
    offerings = Offering.objects.filter(mentor=w.profile)
    for offering in offerings:
        assert offering.title.strip() and offering.duration_minutes in (15, 30, 45, 60)
        assert offering.price_amount >= 0 and len(offering.prework_prompts) <= 5


def plan_saved(w, before, after, body):
    for plan in Plan.objects.filter(mentor=w.profile):
        assert plan.name.strip() and plan.price_amount > 0 and plan.credits_per_period >= 0


def cohort_saved(w, before, after, body):
    for cohort in Cohort.objects.filter(facilitator=w.profile):
        assert cohort.seats_min <= cohort.seats_max
        assert cohort.enrollment_deadline is not None and cohort.title.strip()


def events_made(w, before, after, body):
    """A weekly series is made whole: every event a week after the last, at the same local time."""
    made = before.grew(after, CohortEvent)
    zone = w.cohort.zone
    series = [e.starts_at.astimezone(zone) for e in CohortEvent.objects.order_by("-pk")[:made]][::-1]
    for earlier, later in zip(series, series[1:], strict=False):
        assert later.date() - earlier.date() == timedelta(weeks=1) and later.time() == earlier.time()


def pack_bought(w, before, after, body):
    """A checkout started: at most one pack held, at the pack's own price or after a code's use held
    for it, with nothing to spend until its payment arrives."""
    assert before.grew(after, PackPurchase) in (0, 1)
    only(
        "packs_packpurchase",
        "packs_historicalpackpurchase",
        "billing_payment",
        "billing_historicalpayment",
        "billing_coderedemption",
    )(w, before, after, body)
    for held in PackPurchase.objects.filter(mentee=w.other_mentee):
        redemption = CodeRedemption.objects.filter(purchase_id=str(held.pk)).first()
        price = redemption.amount if redemption else w.pack.price_amount
        assert held.state == PackPurchase.State.HELD and held.price_amount == price
        assert not held.pack_sessions.exists()


def pack_saved(w, before, after, body):
    assert before.grew(after, Pack) in (0, 1)
    only("packs_pack", "packs_historicalpack")(w, before, after, body)
    for pack in Pack.objects.filter(offering__mentor=w.profile):
        assert 2 <= pack.sessions <= 20 and 0 <= pack.discount_percent <= 50 and 1 <= pack.valid_months <= 24
        assert pack.price_amount > 0


PACK_REFUNDED = only("billing_refund", "billing_historicalrefund", "packs_historicalpackpurchase")


def question_asked(w, before, after, body):
    """A question is asked whole: a free one open with its thread and first message, a paid one
    held for payment at the mentor's price, with nothing the mentor can read yet."""
    made = before.grew(after, Question)
    assert made in (0, 1)
    only("qa_question", "qa_thread", "qa_threadreader", "qa_message")(w, before, after, body)
    latest = Question.objects.filter(mentee=w.other_mentee).order_by("-created_at").first()
    if made and latest.kind == Question.Kind.FREE:
        assert latest.state == Question.State.OPEN
        assert [m.body for m in Message.objects.filter(thread__question=latest)] == [latest.body]
    elif latest is not None and latest.kind == Question.Kind.PAID:
        assert latest.state == Question.State.HELD and latest.price_amount == 2500
        assert not Message.objects.filter(thread__question=latest).exists()


def question_declined(w, before, after, body):
    """Declined once: the reason as one message, the question declined (free: nothing to refund)."""
    added = before.grew(after, Message)
    assert added in (0, 1)
    only("qa_message")(w, before, after, body)
    if added:
        assert Question.objects.get(pk=w.question.pk).state == Question.State.DECLINED


def question_answered(w, before, after, body):
    """The one answer: one message, and the question answered."""
    added = before.grew(after, Message)
    assert added in (0, 1)
    only("qa_message")(w, before, after, body)
    if added:
        assert Question.objects.get(pk=w.question.pk).state == Question.State.ANSWERED
