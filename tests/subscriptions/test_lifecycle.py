"""Stripe Billing's events for one subscription, signed and POSTed to the real webhook view:
created → paid → past due → recovered → cancelled, in order, replayed and reordered. Credits are
granted exactly once per paid period whatever happens."""

import itertools
import random
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from billing.models import WebhookEvent
from subscriptions.models import Credit, Subscription
from subscriptions.selectors import credits_left
from tests.subscriptions.helpers import STRIPE_SUB, StripeBilling, make_plan, month, now_utc

pytestmark = pytest.mark.django_db
Status = Subscription.Status


@pytest.fixture
def subscription(stripe_on, subscriber):
    plan = make_plan()
    return Subscription.objects.create(
        plan=plan,
        mentor=plan.mentor,
        mentee=subscriber,
        provider="stripe",
        status=Status.INCOMPLETE,
        checkout_session_id="cs_test_Sub456",
        checkout_expires_at=now_utc() + timedelta(hours=1),
    )


def lifecycle(billing: StripeBilling, start=None) -> list[tuple[str, str]]:
    """The events of a subscription's life, in the order Stripe sends them, each (name, body):
    a first month from `start`, a second one whose renewal fails, then succeeds."""
    first = month(start or now_utc())
    second = month(first[1])
    return [
        ("checkout completed", billing.checkout_completed()),
        ("created", billing.subscription_event("created", status="active", start=first[0], end=first[1])),
        (
            "first invoice paid",
            billing.invoice_event(
                "paid", start=first[0], end=first[1], reason="subscription_create", suffix="first"
            ),
        ),
        (
            "renewal failed",
            billing.invoice_event("payment_failed", start=second[0], end=second[1], suffix="second"),
        ),
        (
            "past due",
            billing.subscription_event("updated", status="past_due", start=second[0], end=second[1]),
        ),
        ("renewal paid", billing.invoice_event("paid", start=second[0], end=second[1], suffix="second")),
        ("recovered", billing.subscription_event("updated", status="active", start=second[0], end=second[1])),
        (
            "cancel at period end",
            billing.subscription_event(
                "updated", status="active", start=second[0], end=second[1], cancel_at_period_end=True
            ),
        ),
        (
            "deleted",
            billing.subscription_event(
                "deleted", status="canceled", start=second[0], end=second[1], cancel_at_period_end=True
            ),
        ),
    ]


def final_state(subscription: Subscription) -> dict:
    subscription.refresh_from_db()
    credits = Credit.objects.filter(subscription=subscription)
    return {
        "status": subscription.status,
        "stripe_id": subscription.stripe_subscription_id,
        "period": (subscription.current_period_start, subscription.current_period_end),
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "past_due_since": subscription.past_due_since,
        "ended": subscription.ended_at is not None,
        "credits": sorted(credits.values_list("period_start", "number")),
    }


def test_the_whole_life_in_order(subscription, post_event):
    start = now_utc()
    billing = StripeBilling(subscription, post_event)
    events = dict(lifecycle(billing, start))

    for name in ["checkout completed", "created"]:
        assert post_event(events[name]).status_code == 200
    subscription.refresh_from_db()
    assert subscription.stripe_subscription_id == STRIPE_SUB
    assert subscription.status == Status.ACTIVE
    assert credits_left(subscription=subscription) == 0  # nothing paid yet: no credits

    post_event(events["first invoice paid"])
    assert credits_left(subscription=subscription) == 2

    with time_machine.travel(start + timedelta(days=30, hours=1), tick=False):
        # The first month is over: its credits have expired; the renewal fails.
        assert credits_left(subscription=subscription) == 0
        post_event(events["renewal failed"])
        post_event(events["past due"])
        subscription.refresh_from_db()
        assert subscription.status == Status.PAST_DUE
        assert subscription.past_due_since is not None
        [failed_mail] = mail.outbox
        assert "did not go through" in failed_mail.subject and failed_mail.to == [subscription.mentee.email]
        # No credits for the unpaid month; the grace period keeps the account usable, then it freezes.
        assert Credit.objects.filter(subscription=subscription).count() == 2
        assert subscription.credits_usable()
    with time_machine.travel(subscription.grace_ends_at + timedelta(minutes=1), tick=False):
        assert not subscription.credits_usable()

        post_event(events["renewal paid"])
        post_event(events["recovered"])
        subscription.refresh_from_db()
        assert subscription.status == Status.ACTIVE and subscription.past_due_since is None
        assert subscription.credits_usable()
        assert Credit.objects.filter(subscription=subscription).count() == 4
        assert credits_left(subscription=subscription) == 2

        post_event(events["cancel at period end"])
        subscription.refresh_from_db()
        assert subscription.cancel_at_period_end and subscription.status == Status.ACTIVE
        post_event(events["deleted"])
    state = final_state(subscription)
    assert state["status"] == Status.CANCELED and state["ended"]
    assert not subscription.credits_usable()
    assert len(mail.outbox) == 1


def test_every_event_delivered_three_times_changes_things_once(subscription, post_event):
    billing = StripeBilling(subscription, post_event)
    events = lifecycle(billing)
    for _, body in events:
        for _ in range(3):
            assert post_event(body).status_code == 200
    assert WebhookEvent.objects.count() == len(events)
    state = final_state(subscription)
    assert state["status"] == Status.CANCELED
    assert len(state["credits"]) == 4
    assert len(mail.outbox) == 1


def test_a_period_paid_twice_under_different_event_ids_grants_its_credits_once(subscription, post_event):
    billing = StripeBilling(subscription, post_event)
    start, end = month(now_utc() - timedelta(days=3))
    for suffix in ("a", "b"):  # two deliveries of the same invoice with different event ids
        post_event(
            billing.invoice_event("paid", start=start, end=end, reason="subscription_create", suffix=suffix)
        )
    assert Credit.objects.filter(subscription=subscription).count() == 2


def expected_final(subscription, post_event) -> dict:
    billing = StripeBilling(subscription, post_event)
    for _, body in lifecycle(billing):
        post_event(body)
    return final_state(subscription)


@pytest.mark.parametrize("seed", range(12))
def test_any_order_of_delivery_ends_in_the_same_state(subscription, post_event, seed):
    billing = StripeBilling(subscription, post_event)
    events = lifecycle(billing)  # `created` times fixed in the life's order
    in_order = [body for _, body in events]
    shuffled = list(reversed(in_order)) if seed == 0 else random.Random(seed).sample(in_order, len(in_order))
    for body in shuffled:
        assert post_event(body).status_code == 200
    state = final_state(subscription)

    assert state["status"] == Status.CANCELED
    assert state["stripe_id"] == STRIPE_SUB
    assert state["cancel_at_period_end"] is True
    assert state["past_due_since"] is None
    assert state["ended"]
    # Two paid periods, two credits each, granted once.
    periods = {start for start, _ in state["credits"]}
    assert len(periods) == 2 and len(state["credits"]) == 4
    assert state["period"][1] - state["period"][0] == timedelta(days=30)
    assert state["period"][0] == max(periods)


CREATION = ("checkout completed", "created", "first invoice paid")


@pytest.mark.parametrize("order", list(itertools.permutations(CREATION)), ids=" then ".join)
def test_every_order_of_the_creation_events_ends_in_the_same_state(subscription, post_event, order):
    """The three events that start a subscription, in each of their six
    orders, leave exactly what they leave in Stripe's own order (state, credits, e-mails)."""
    events = dict(lifecycle(StripeBilling(subscription, post_event)))

    def play(names) -> tuple[dict, list[str]]:
        mail.outbox.clear()
        for name in names:
            assert post_event(events[name]).status_code == 200
        return final_state(subscription), sorted(m.subject for m in mail.outbox)

    with transaction.atomic():
        in_stripes_order = play(CREATION)
        transaction.set_rollback(True)
    state, emails = play(order)

    assert (state, emails) == in_stripes_order
    assert state["status"] == Status.ACTIVE and state["stripe_id"] == STRIPE_SUB
    assert len(state["credits"]) == subscription.plan.credits_per_period


def test_out_of_order_news_does_not_undo_a_recovery(subscription, post_event):
    """past_due (older) arrives after the recovery (newer): the subscription stays active."""
    billing = StripeBilling(subscription, post_event)
    start, end = month(now_utc() - timedelta(days=2))
    past_due = billing.subscription_event("updated", status="past_due", start=start, end=end)
    paid = billing.invoice_event("paid", start=start, end=end)
    active = billing.subscription_event("updated", status="active", start=start, end=end)
    for body in (active, paid, past_due):
        post_event(body)
    subscription.refresh_from_db()
    assert subscription.status == Status.ACTIVE
    assert subscription.past_due_since is None
    assert credits_left(subscription=subscription) == 2


def test_an_invoice_for_a_subscription_we_do_not_know_yet_is_kept_and_applied_later(
    subscriber, post_event, stripe_on
):
    """invoice.paid before our row exists (e.g. delivered before the checkout was stored) fails,
    is kept, and the periodic sweep applies it once the subscription is there."""
    from billing.services import events_process_pending

    plan = make_plan()
    ghost = Subscription(plan=plan, mentor=plan.mentor, mentee=subscriber, provider="stripe")
    billing = StripeBilling(ghost, post_event)
    start, end = month(now_utc())
    post_event(billing.invoice_event("paid", start=start, end=end, reason="subscription_create"))
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.FAILED
    ghost.save()
    events_process_pending(older_than=timedelta(0))
    event.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED
    assert credits_left(subscription=ghost) == 2
