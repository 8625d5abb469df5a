"""Money rows keep their change history: each state, when, by whom and why (core/history.py)."""

import json

import pytest
from django.urls import reverse

from billing import services
from billing.models import ConnectedAccount, Payment, Refund, Transfer
from sessions import services as booking_services
from tests.billing.helpers import CONNECT_SECRET, fixture_text

pytestmark = pytest.mark.django_db


def changes(row) -> list[tuple]:
    """The row's history, oldest first: (type, state, user, reason)."""
    return [
        (h.history_type, getattr(h, "state", None), h.history_user, h.history_change_reason)
        for h in row.history.order_by("history_date", "history_id")
    ]


def test_a_refund_from_the_admin_records_who_asked_and_what_the_provider_answered(
    admin_client, admin_user, paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:billing_payment_changelist"),
            {
                "action": "refund",
                "_selected_action": [paid_booking.payment.pk],
                "apply": "1",
                "amount": "1500",
                "reason": "Half the session was lost to a bad connection",
            },
        )
    assert response.status_code == 302
    refund = Refund.objects.get()
    # Written by the staff member's request; executed after commit by the worker (no user).
    assert changes(refund) == [
        ("+", "pending", admin_user, None),
        ("~", "succeeded", None, "the provider answered succeeded"),
    ]
    assert refund.history.earliest().amount == 1500


def test_a_failed_refund_and_its_retry_are_both_in_the_history(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    stripe_http.answer("post", "/v1/refunds", "response_error_invalid_request.json", status=400)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            payment=paid_booking.payment, amount=None, reason="Mentor asked us to", by=None
        )
    stripe_http.answer("post", "/v1/refunds", "response_refund.json")
    services.refund_execute(refund_id=refund.pk)
    assert [(kind, state) for kind, state, *_ in changes(refund)] == [
        ("+", "pending"),
        ("~", "failed"),
        ("~", "succeeded"),
    ]
    failed = refund.history.order_by("history_date", "history_id")[1]
    assert failed.last_error.startswith("Our payment provider could not complete this")


def test_webhook_changes_name_the_stripe_event(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    """Stripe's events change payments and refunds with nobody signed in: the reason says which."""
    payment = paid_booking.payment
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(payment=payment, amount=None, reason="Mentor asked us to", by=None)
    event = json.loads(
        fixture_text(
            "event_charge_refunded.json",
            event_id="evt_1Refunded",
            booking_id=paid_booking.pk,
            amount=4500,
            amount_refunded=4500,
        )
    )
    event["data"]["object"]["refunds"] = {"data": [{"id": "re_3TestPending", "status": "succeeded"}]}
    post_event(json.dumps(event))
    reason = "charge.refunded (evt_1Refunded)"
    assert changes(refund)[1:] == [
        ("~", "pending", None, "the provider answered pending"),
        ("~", "succeeded", None, reason),
    ]
    latest = payment.history.latest()
    assert (latest.amount_refunded, latest.history_user, latest.history_change_reason) == (4500, None, reason)
    # The payment's first rows: created pending, then paid by the checkout's completed event.
    created, paid = payment.history.order_by("history_date", "history_id")[:2]
    assert (created.history_type, created.state) == ("+", Payment.State.PENDING)
    assert paid.state == Payment.State.PAID
    assert paid.history_change_reason.startswith("checkout.session.completed (evt_")


def test_a_connected_account_update_is_recorded(paid_booking, post_event):
    account = ConnectedAccount.objects.create(
        mentor=paid_booking.mentor, stripe_account_id="acct_1Mentor", details_submitted=False
    )
    post_event(
        fixture_text("event_account_updated.json", event_id="evt_1Account", account_id="acct_1Mentor"),
        secret=CONNECT_SECRET,
        path="/billing/stripe/connect-webhook/",
    )
    assert [(h.payouts_enabled, h.history_change_reason) for h in account.history.order_by("history_id")] == [
        (False, None),
        (True, "account.updated (evt_1Account)"),
    ]


def test_a_payout_is_recorded_from_row_to_sent(paid_booking, stripe_http, django_capture_on_commit_callbacks):
    ConnectedAccount.objects.create(
        mentor=paid_booking.mentor, stripe_account_id="acct_1Mentor", payouts_enabled=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_close(
            booking=paid_booking,
            by=paid_booking.mentor.user,
            action_item="Send the answer to Acme",
            due_date=paid_booking.ends_at.date(),
            now=paid_booking.ends_at,
        )
    transfer = Transfer.objects.get()
    assert [(kind, state) for kind, state, *_ in changes(transfer)] == [("+", "pending"), ("~", "paid")]
    assert transfer.history.latest().stripe_transfer_id == transfer.stripe_transfer_id
