"""The money rules: refunds by who cancels and when, payouts after the session minus the fee."""

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from billing import services, tasks
from billing.models import ConnectedAccount, Refund, Transfer, WebhookEvent
from billing.stripe_client import BillingError
from sessions import services as booking_services
from tests.billing.helpers import book, fixture_text, pay, signed_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_booking(paid_booking):
    """The paid booking, with a mentor whose payouts are enabled."""
    ConnectedAccount.objects.create(
        mentor=paid_booking.mentor,
        stripe_account_id="acct_1Mentor",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
    )
    return paid_booking


def close(booking, capture):
    with capture(execute=True):
        booking_services.booking_close(
            booking=booking,
            by=booking.mentor.user,
            action_item="Send the answer to Acme",
            due_date=booking.ends_at.date() + timedelta(days=7),
            now=booking.ends_at + timedelta(minutes=5),
        )


def test_mentee_cancelling_before_the_window_gets_a_full_refund(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    refund = Refund.objects.get()
    assert (refund.amount, refund.currency, refund.state) == (4500, "USD", Refund.State.SUCCEEDED)
    sent = stripe_http.only("post", "/v1/refunds")
    assert sent.params == {
        "payment_intent": "pi_3Test123",
        "amount": "4500",
        "metadata[booking_id]": str(paid_booking.pk),
        "metadata[refund_id]": str(refund.pk),
    }
    assert sent.idempotency_key == f"refund-{refund.pk}"
    [refund_mail] = [m for m in mail.outbox if m.subject.startswith("Refund:")]
    assert refund_mail.to == [paid_booking.mentee.email] and "$45" in refund_mail.body
    assert refund_mail.alternatives[0][1] == "text/html" and "$45" in refund_mail.alternatives[0][0]


def test_mentee_cancelling_inside_the_window_gets_no_refund_and_the_mentor_is_paid(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    paid_booking.offering.cancellation_window_hours = 14 * 24
    paid_booking.offering.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    assert not Refund.objects.exists() and stripe_http.count("post", "/v1/refunds") == 0
    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.state) == (3825, Transfer.State.PAID)
    assert stripe_http.only("post", "/v1/transfers").params["amount"] == "3825"
    # The sweep finds nothing left to pay.
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert stripe_http.count("post", "/v1/transfers") == 1


def test_an_on_time_cancellation_is_never_paid_out_even_before_its_refund_runs(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    # The refund task has not run yet (callbacks not executed): the sweep must not pay the mentor.
    with django_capture_on_commit_callbacks(execute=False):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    assert services.booking_payout(booking_id=paid_booking.pk) is None
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0


def test_mentor_cancelling_always_refunds_in_full(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    paid_booking.offering.cancellation_window_hours = 14 * 24
    paid_booking.offering.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentor.user)
    assert Refund.objects.get().amount == 4500
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_mentor_no_show_refunds_the_mentee_and_pays_the_mentor_nothing(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_report_no_show(
            booking=paid_booking, by=paid_booking.mentee, now=paid_booking.starts_at + timedelta(minutes=15)
        )
    assert Refund.objects.get().amount == 4500
    assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0


def test_a_completed_session_pays_the_mentor_once_minus_the_platform_fee(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, settings
):
    assert settings.PLATFORM_FEE_PERCENT == 15
    close(paid_booking, django_capture_on_commit_callbacks)
    transfer = Transfer.objects.get()
    assert (transfer.amount, transfer.destination, transfer.state) == (
        3825,
        "acct_1Mentor",
        Transfer.State.PAID,
    )
    sent = stripe_http.only("post", "/v1/transfers")
    assert sent.params["amount"] == "3825" and sent.params["currency"] == "usd"
    assert sent.params["destination"] == "acct_1Mentor"
    assert sent.params["metadata[booking_id]"] == str(paid_booking.pk)
    assert sent.idempotency_key == f"transfer-{transfer.pk}"
    # The worker running the payout again (a retry, a second worker) sends nothing new.
    services.booking_payout(booking_id=paid_booking.pk)
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert Transfer.objects.count() == 1 and stripe_http.count("post", "/v1/transfers") == 1


def test_a_mentee_no_show_pays_the_mentor(paid_booking, stripe_http, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_report_no_show(
            booking=paid_booking,
            by=paid_booking.mentor.user,
            now=paid_booking.starts_at + timedelta(minutes=15),
        )
    assert Transfer.objects.get().amount == 3825
    assert not Refund.objects.exists()


def test_no_payout_before_the_session_is_done(paid_booking, stripe_http):
    assert services.booking_payout(booking_id=paid_booking.pk) is None
    assert stripe_http.count("post", "/v1/transfers") == 0


def test_a_refund_after_the_payout_reverses_the_transfer(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, admin_user
):
    close(paid_booking, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid_booking.payment, amount=None, reason="Goodwill", by=admin_user)
    reversal = stripe_http.only("post", "/v1/transfers/tr_1Test123/reversals")
    refund = Refund.objects.get()
    assert reversal.params["amount"] == "3825" and reversal.idempotency_key == f"reversal-{refund.pk}"
    transfer = Transfer.objects.get()
    assert transfer.reversed and transfer.amount_reversed == 3825


def test_a_partial_staff_refund_reverses_the_same_share_of_the_transfer(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, admin_user
):
    close(paid_booking, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(
            payment=paid_booking.payment, amount=1500, reason="Started late", by=admin_user
        )
    assert stripe_http.only("post", "/v1/refunds").params["amount"] == "1500"
    assert stripe_http.only("post", "/v1/transfers/tr_1Test123/reversals").params["amount"] == "1275"
    transfer = Transfer.objects.get()
    assert not transfer.reversed and transfer.amount_reversed == 1275


def test_a_payout_not_sent_yet_sends_only_the_share_of_what_a_refund_left(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, admin_user
):
    stripe_http.answer("post", "/v1/transfers", "response_error_invalid_request.json", status=400)
    close(paid_booking, django_capture_on_commit_callbacks)
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.amount) == (Transfer.State.FAILED, 3825)  # to be retried

    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(
            payment=paid_booking.payment, amount=1500, reason="Started late", by=admin_user
        )
    assert stripe_http.count("post", "/v1/transfers/tr_1Test123/reversals") == 0  # nothing was sent
    stripe_http.answer("post", "/v1/transfers", "response_transfer.json")
    services.retry_stuck_money_movements(older_than=timedelta(0))

    transfer.refresh_from_db()
    # 45.00 paid, 15.00 refunded: the mentor gets 85 % of the 30.00 left, not of the 45.00.
    assert (transfer.state, transfer.amount) == (Transfer.State.PAID, 2550)
    sent = [c for c in stripe_http.calls if c.path == "/v1/transfers"]
    assert sent[-1].params["amount"] == "2550"


def test_a_payout_not_sent_yet_and_refunded_in_full_is_never_sent(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, admin_user
):
    stripe_http.answer("post", "/v1/transfers", "response_error_invalid_request.json", status=400)
    close(paid_booking, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid_booking.payment, amount=None, reason="Goodwill", by=admin_user)
    stripe_http.answer("post", "/v1/transfers", "response_transfer.json")
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert services.booking_payout(booking_id=paid_booking.pk) is None

    assert Transfer.objects.get().state == Transfer.State.FAILED
    assert stripe_http.count("post", "/v1/transfers") == 1  # the first, failed attempt only


def test_stripes_transfer_reversed_counted_before_our_answer_is_not_counted_twice(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, admin_user, post_event
):
    close(paid_booking, django_capture_on_commit_callbacks)

    def stripe_reports(amount_reversed: int):
        """transfer.reversed, delivered while our reversal request waits for its answer."""
        event = fixture_text(
            "event_transfer_reversed_partial.json",
            transfer_id="tr_1Test123",
            transfer_amount=3825,
            amount_reversed=amount_reversed,
            fully_reversed="false",
            booking_id=paid_booking.pk,
        )
        return lambda: post_event(event)

    stripe_http.answer(
        "post", "/v1/transfers/tr_1Test123/reversals", "response_transfer_reversal.json",
        meanwhile=stripe_reports(1275),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(
            payment=paid_booking.payment, amount=1500, reason="Started late", by=admin_user
        )
    transfer = Transfer.objects.get()
    # 15.00 of 45.00 refunded: 12.75 of the 38.25 payout taken back, once (not 25.50).
    assert (transfer.amount_reversed, transfer.reversed) == (1275, False)
    assert Refund.objects.get().payout_reversed_amount == 1275
    # A late copy of the event changes nothing either.
    stripe_reports(1275)()
    transfer.refresh_from_db()
    assert transfer.amount_reversed == 1275


def test_staff_cannot_refund_more_than_was_paid_or_twice_the_whole(
    paid_booking, stripe_http, admin_user, django_capture_on_commit_callbacks
):
    with pytest.raises(BillingError, match="At most \\$45"):
        services.payment_refund(payment=paid_booking.payment, amount=4501, reason="Oops", by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid_booking.payment, amount=None, reason="All of it", by=admin_user)
    with pytest.raises(BillingError, match="Nothing is left|At most"):
        services.payment_refund(payment=paid_booking.payment, amount=None, reason="Again", by=admin_user)
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_cancellation_refund_replayed_by_the_worker_is_sent_once(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    services.booking_refund_in_full(booking_id=paid_booking.pk, reason="again")
    services.refund_execute(refund_id=Refund.objects.get().pk)
    assert Refund.objects.count() == 1 and stripe_http.count("post", "/v1/refunds") == 1


def test_a_failed_refund_is_kept_with_its_error_and_retried_later(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    stripe_http.answer("post", "/v1/refunds", "response_error_invalid_request.json", status=400)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    refund = Refund.objects.get()
    assert refund.state == Refund.State.FAILED and "try again" in refund.last_error
    stripe_http.answer("post", "/v1/refunds", "response_refund.json")
    services.retry_stuck_money_movements(older_than=timedelta(0))
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    sent = [c for c in stripe_http.calls if c.path == "/v1/refunds"]
    assert len({c.idempotency_key for c in sent}) == 1  # the same request, safely repeated


def test_the_booking_page_shows_the_payment_and_refunds(
    paid_booking, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    client.force_login(paid_booking.mentee)
    html = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "Payment" in html and "$45" in html and "Refund" in html and "succeeded" in html


def test_the_earnings_page_totals_pending_paid_out_and_refunded(
    paid_booking, client, django_capture_on_commit_callbacks
):
    close(paid_booking, django_capture_on_commit_callbacks)
    client.force_login(paid_booking.mentor.user)
    html = client.get("/billing/earnings/").content.decode()
    assert "$38.25" in html and "paid out" in html


def test_the_transfer_is_paid_from_the_mentees_charge_in_the_bookings_transfer_group(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    # charge.succeeded never arrived: the charge is read from the PaymentIntent before paying out.
    assert paid_booking.payment.charge_id == ""
    close(paid_booking, django_capture_on_commit_callbacks)
    sent = stripe_http.only("post", "/v1/transfers").params
    assert sent["source_transaction"] == "ch_3Test123"
    assert sent["transfer_group"] == str(paid_booking.pk)
    assert stripe_http.only("get", "/v1/payment_intents/pi_3Test123")
    paid_booking.payment.refresh_from_db()
    assert paid_booking.payment.charge_id == "ch_3Test123"
    checkout = stripe_http.only("post", "/v1/checkout/sessions").params
    assert checkout["payment_intent_data[transfer_group]"] == str(paid_booking.pk)


def _receipt(page: str) -> str:
    start = page.index('id="receipt"')
    return page[start : page.index("</div>", start)]


def test_right_after_cancelling_the_payment_box_says_the_refund_was_requested(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, client
):
    # The refund task runs once the cancellation commits; the page can be asked for before.
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    assert not Refund.objects.exists()
    client.force_login(paid_booking.mentee)
    receipt = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert "<strong>$45 refund requested.</strong> We e-mail you when it is complete." in receipt
    client.force_login(paid_booking.mentor.user)
    mentor_sees = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert f"{paid_booking.mentee.name} is e-mailed when it is complete" in mentor_sees

    with django_capture_on_commit_callbacks(execute=True):  # the refund task, and what it queues
        for callback in waiting:
            callback()
    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    client.force_login(paid_booking.mentee)
    receipt = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert "<strong>$45 refunded — completed.</strong>" in receipt and "requested" not in receipt


def test_a_late_cancellation_promises_no_refund_in_the_payment_box(
    paid_booking, stripe_http, django_capture_on_commit_callbacks, client
):
    paid_booking.offering.cancellation_window_hours = 14 * 24
    paid_booking.offering.save()
    with django_capture_on_commit_callbacks(execute=False):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    client.force_login(paid_booking.mentee)
    receipt = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert "refund" not in receipt.lower()


def test_a_refund_stripe_reports_pending_is_shown_pending_until_stripe_says_it_succeeded(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks, client
):
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    refund = Refund.objects.get()
    assert refund.state == Refund.State.PENDING and refund.stripe_refund_id == "re_3TestPending"
    client.force_login(paid_booking.mentee)
    receipt = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert "<strong>$45 refund requested</strong> on " in receipt and "refunded — completed" not in receipt
    # Not retried as if it were lost: Stripe has it.
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert stripe_http.count("post", "/v1/refunds") == 1

    values = dict(
        refund_id="re_3TestPending",
        amount=4500,
        booking_id=paid_booking.pk,
        our_refund_id=refund.pk,
        failure_reason="null",
    )
    post_event(fixture_text("event_refund_updated.json", status="succeeded", **values))
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    receipt = _receipt(client.get(paid_booking.get_absolute_url()).content.decode())
    assert "<strong>$45 refunded — completed.</strong>" in receipt and "requested" not in receipt
    # A stale "pending" delivered late does not undo it.
    post_event(fixture_text("event_refund_updated.json", status="pending", **values))
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED


def test_a_refund_that_fails_at_stripe_later_is_marked_failed_for_staff(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    refund = Refund.objects.get()
    post_event(
        fixture_text(
            "event_refund_updated.json",
            status="failed",
            failure_reason='"expired_or_canceled_card"',
            refund_id="re_3TestPending",
            amount=4500,
            booking_id=paid_booking.pk,
            our_refund_id=refund.pk,
        )
    )
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED and "expired_or_canceled_card" in refund.last_error
    assert paid_booking.payment.refundable == 4500  # staff can refund again from the admin


def test_the_mentor_sees_the_fee_and_their_share_on_the_booking_page_the_mentee_does_not(
    paid_booking, client, django_capture_on_commit_callbacks
):
    client.force_login(paid_booking.mentee)
    html = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "$45" in html and "Platform fee" not in html and "Stripe has e-mailed your receipt" in html

    client.force_login(paid_booking.mentor.user)
    html = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "Platform fee" in html and "$6.75" in html
    assert "Your share" in html and "$38.25" in html and "sent after the session" in html
    close(paid_booking, django_capture_on_commit_callbacks)
    html = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "Paid out to you" in html and "$38.25" in html


def test_earnings_list_each_booking_as_pending_paid_out_or_refunded_with_totals(
    paid_booking, stripe_http, post_event, client, django_capture_on_commit_callbacks, paid_offering
):
    from billing import selectors
    from tests.billing.helpers import next_weekday_at

    def another(hour):
        booking = book(paid_offering, mentee=paid_booking.mentee, starts_at=next_weekday_at(hour))
        pay(booking, post_event)
        return booking

    stripe_http.answer("post", "/v1/checkout/sessions", "response_checkout_session_second.json")
    pending = another(13)
    close(paid_booking, django_capture_on_commit_callbacks)  # paid out: 38.25
    stripe_http.answer("post", "/v1/checkout/sessions", "response_checkout_session_third.json")
    refunded = another(15)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=refunded, by=refunded.mentor.user)

    earnings = selectors.mentor_earnings(mentor=paid_booking.mentor)
    status = {row["booking"].pk: row["status"] for row in earnings["rows"]}
    assert status == {paid_booking.pk: "paid out", pending.pk: "pending", refunded.pk: "refunded"}
    assert earnings["totals"] == {
        "gross": 13500,
        "fees": 1350,
        "refunded": 4500,
        "pending": 3825,
        "paid_out": 3825,
    }
    client.force_login(paid_booking.mentor.user)
    html = client.get("/billing/earnings/").content.decode()
    assert html.count("$38.25") >= 4 and "<dd>$45</dd>" in html and "<dd>$13.50</dd>" in html


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_disputed_payment_holds_the_payout_until_the_dispute_is_won(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks, outcome
):
    post_event(fixture_text("event_charge_dispute_created.json", amount=4500))
    close(paid_booking, django_capture_on_commit_callbacks)
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0

    post_event(fixture_text("event_charge_dispute_closed.json", amount=4500, status=outcome))
    services.retry_stuck_money_movements(older_than=timedelta(0))
    if outcome == "won":
        assert Transfer.objects.get().amount == 3825
        assert stripe_http.count("post", "/v1/transfers") == 1
    else:
        assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0


def test_the_payout_task_run_three_times_sends_one_transfer(
    paid_booking, stripe_http, django_capture_on_commit_callbacks
):
    close(paid_booking, django_capture_on_commit_callbacks)  # completing it queues the payout once
    for _ in range(3):  # the task retried, or run again by the sweep
        services.booking_payout(booking_id=paid_booking.pk)

    assert stripe_http.count("post", "/v1/transfers") == 1
    transfer = Transfer.objects.get()
    assert stripe_http.only("post", "/v1/transfers").idempotency_key == f"transfer-{transfer.pk}"


def refund_event(booking, status: str, failure_reason: str = "null") -> str:
    """Stripe's refund.updated for the booking's one refund, as response_refund_pending.json made it."""
    return fixture_text(
        "event_refund_updated.json",
        status=status,
        failure_reason=failure_reason,
        refund_id="re_3TestPending",
        amount=4500,
        booking_id=booking.pk,
        our_refund_id=Refund.objects.get().pk,
    )


def refund_emails() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Refund:")]


def test_stripe_saying_succeeded_before_its_pending_answer_arrives_leaves_the_refund_succeeded(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks, client
):
    """Stripe's event (succeeded) is processed while our request still waits for its answer, which
    then says pending: the late answer does not take the refund back to pending."""
    stripe_http.answer(
        "post",
        "/v1/refunds",
        "response_refund_pending.json",
        meanwhile=lambda: post_event(refund_event(paid_booking, "succeeded")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)

    refund = Refund.objects.get()
    assert (refund.state, refund.stripe_refund_id) == (Refund.State.SUCCEEDED, "re_3TestPending")
    assert len(refund_emails()) == 1
    client.force_login(paid_booking.mentee)
    html = client.get(paid_booking.get_absolute_url()).content.decode()
    assert "refunded — completed." in html and "refund requested" not in html


def test_stripe_saying_failed_before_its_pending_answer_arrives_leaves_the_refund_failed_and_unannounced(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    stripe_http.answer(
        "post",
        "/v1/refunds",
        "response_refund_pending.json",
        meanwhile=lambda: post_event(refund_event(paid_booking, "failed", '"expired_or_canceled_card"')),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)

    refund = Refund.objects.get()
    assert (refund.state, refund.stripe_refund_id) == (Refund.State.FAILED, "re_3TestPending")
    assert "expired_or_canceled_card" in refund.last_error
    assert refund_emails() == []  # nobody is told money is on its way
    assert paid_booking.payment.refundable == 4500  # staff can refund again from the admin


def test_a_refund_stripe_took_is_not_marked_failed_when_our_request_then_errs(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    """Stripe creates the refund and says so by its event, but our request ends in an error (its
    answer lost): the refund stays succeeded, is announced once, and is not asked for again."""
    stripe_http.answer(
        "post",
        "/v1/refunds",
        "response_error_invalid_request.json",
        status=500,
        meanwhile=lambda: post_event(refund_event(paid_booking, "succeeded")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)

    refund = Refund.objects.get()
    assert (refund.state, refund.last_error) == (Refund.State.SUCCEEDED, "")
    assert len(refund_emails()) == 1
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_late_charge_refunded_does_not_bring_back_a_refund_stripe_then_failed(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    charge_refunded = json.loads(
        fixture_text(
            "event_charge_refunded.json", booking_id=paid_booking.pk, amount=4500, amount_refunded=4500
        )
    )
    listed = {"id": "re_3TestPending", "object": "refund", "amount": 4500, "status": "succeeded"}
    charge_refunded["data"]["object"]["refunds"] = {"object": "list", "data": [listed]}

    post_event(json.dumps(charge_refunded))
    refund = Refund.objects.get()
    assert refund.state == Refund.State.SUCCEEDED  # pending, then succeeded: forward

    post_event(refund_event(paid_booking, "failed", '"expired_or_canceled_card"'))
    charge_refunded["id"] = "evt_sent_before_the_failure_delivered_after_it"
    post_event(json.dumps(charge_refunded))
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED and "expired_or_canceled_card" in refund.last_error


def reversal_requests(stripe_http) -> list:
    return [c for c in stripe_http.calls if c.path == "/v1/transfers/tr_1Test123/reversals"]


@pytest.fixture
def paid_out(paid_booking, django_capture_on_commit_callbacks):
    """The paid booking after its session: the mentor's $38.25 has been sent."""
    close(paid_booking, django_capture_on_commit_callbacks)
    assert Transfer.objects.get().state == Transfer.State.PAID
    return paid_booking


def test_a_pending_refund_run_again_tells_the_buyer_once_and_takes_the_mentors_share_back_once(
    paid_out, stripe_http, django_capture_on_commit_callbacks, admin_user, admin_client
):
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            payment=paid_out.payment, amount=1500, reason="Started late", by=admin_user
        )
    refund.refresh_from_db()
    assert (refund.state, refund.stripe_refund_id) == (Refund.State.PENDING, "re_3TestPending")

    # The task delivered again (acks_late, the task outbox), then staff pressing "Retry".
    with django_capture_on_commit_callbacks(execute=True):
        tasks.execute_refund(refund.pk)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:billing_refund_changelist"), {"action": "retry", "_selected_action": [refund.pk]}
        )

    assert len(refund_emails()) == 1
    transfer = Transfer.objects.get()
    assert (transfer.amount_reversed, transfer.reversed) == (1275, False)
    assert [c.params["amount"] for c in reversal_requests(stripe_http)] == ["1275"]
    # Stripe has the refund: it is not asked for again.
    assert stripe_http.count("post", "/v1/refunds") == 1


def errs_then_succeeds(paid_booking, stripe_http, admin_user, capture) -> Refund:
    """A staff refund whose request ends in an error (its answer lost); Stripe did take it."""
    stripe_http.answer("post", "/v1/refunds", "response_error_invalid_request.json", status=500)
    with capture(execute=True):
        refund = services.payment_refund(
            payment=paid_booking.payment, amount=1500, reason="Started late", by=admin_user
        )
    refund.refresh_from_db()
    assert (refund.state, refund.stripe_refund_id) == (Refund.State.FAILED, None)
    assert refund_emails() == [] and reversal_requests(stripe_http) == []
    return refund


def took_it(booking, refund: Refund, status: str = "succeeded", failure_reason: str = "null") -> str:
    """Stripe's refund.updated, sent after our request had ended in an error."""
    return fixture_text(
        "event_refund_updated.json",
        status=status,
        failure_reason=failure_reason,
        refund_id="re_3TestPending",
        amount=refund.amount,
        booking_id=booking.pk,
        our_refund_id=refund.pk,
    )


def test_a_refund_our_request_lost_but_stripe_says_it_took_is_announced_and_reversed_once(
    paid_out, stripe_http, post_event, django_capture_on_commit_callbacks, admin_user
):
    refund = errs_then_succeeds(paid_out, stripe_http, admin_user, django_capture_on_commit_callbacks)

    post_event(took_it(paid_out, refund))

    refund.refresh_from_db()
    assert (refund.state, refund.stripe_refund_id) == (Refund.State.SUCCEEDED, "re_3TestPending")
    [email] = refund_emails()
    assert email.to == [paid_out.mentee.email] and "$15" in email.subject
    assert Transfer.objects.get().amount_reversed == 1275
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert len(refund_emails()) == 1 and Transfer.objects.get().amount_reversed == 1275
    assert [c.idempotency_key for c in reversal_requests(stripe_http)] == [f"reversal-{refund.pk}"]
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_the_sweep_follows_up_a_refund_stripe_took_when_the_events_task_was_lost(
    paid_out, stripe_http, client, django_capture_on_commit_callbacks, admin_user
):
    refund = errs_then_succeeds(paid_out, stripe_http, admin_user, django_capture_on_commit_callbacks)
    payload = took_it(paid_out, refund)
    with django_capture_on_commit_callbacks(execute=False):  # every task it queues is lost
        client.post(
            "/billing/stripe/webhook/",
            data=payload,
            content_type="application/json",
            **signed_headers(payload),
        )
        services.event_process(event_id=WebhookEvent.objects.get(type="refund.updated").pk)
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert refund_emails() == [] and Transfer.objects.get().amount_reversed == 0

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.retry_stuck_money_movements(older_than=timedelta(0))

    assert len(refund_emails()) == 1
    assert Transfer.objects.get().amount_reversed == 1275
    assert [c.params["amount"] for c in reversal_requests(stripe_http)] == ["1275"]
    assert stripe_http.count("post", "/v1/refunds") == 1


def test_a_refund_stripe_fails_before_its_follow_ups_tells_nobody_and_keeps_the_payout(
    paid_out, stripe_http, post_event, django_capture_on_commit_callbacks, admin_user
):
    refund = errs_then_succeeds(paid_out, stripe_http, admin_user, django_capture_on_commit_callbacks)
    post_event(took_it(paid_out, refund, "failed", '"expired_or_canceled_card"'))

    services.retry_stuck_money_movements(older_than=timedelta(0))
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED and "expired_or_canceled_card" in refund.last_error
    assert refund_emails() == [] and reversal_requests(stripe_http) == []
    assert Transfer.objects.get().amount_reversed == 0


def test_a_refund_stripe_fails_after_its_follow_ups_leaves_them_done_once(
    paid_out, stripe_http, post_event, django_capture_on_commit_callbacks, admin_user
):
    """Stripe can fail a refund it first took: the buyer was told and the mentor's share taken
    back; nothing is sent or reversed again, and nothing is given back to the mentor on its own
    (staff refund again, or pay the mentor, from what they see on the refund and the transfer)."""
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            payment=paid_out.payment, amount=1500, reason="Started late", by=admin_user
        )
    post_event(took_it(paid_out, refund, "failed", '"expired_or_canceled_card"'))
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_execute(refund_id=refund.pk)
        services.retry_stuck_money_movements(older_than=timedelta(0))

    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED
    assert len(refund_emails()) == 1 and len(reversal_requests(stripe_http)) == 1
    assert Transfer.objects.get().amount_reversed == 1275


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_following_up_one_refund_at_once_tell_the_buyer_once_and_reverse_once(
    paid_out, stripe_http
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    # As Stripe's "pending" answer left it, before its follow-ups ran.
    refund = Refund.objects.create(
        payment=paid_out.payment,
        key=f"payment-{paid_out.payment.pk}-staff-1",
        amount=1500,
        currency="USD",
        reason="Started late",
        stripe_refund_id="re_3TestPending",
    )
    # Both workers' reversal requests are in flight together, as when they overlap at Stripe.
    in_flight, answer = threading.Barrier(2), stripe_http.request

    def request(method, url, headers, post_data=None, *, _usage=None):
        if url.endswith("/reversals"):
            with contextlib.suppress(threading.BrokenBarrierError):  # only one asked: fine too
                in_flight.wait(timeout=30)
        return answer(method, url, headers, post_data, _usage=_usage)

    stripe_http.request = request
    start, errors = threading.Barrier(2), []

    def follow_up() -> None:
        try:
            start.wait(timeout=30)
            services.refund_follow_up(refund_id=refund.pk)
        except Exception as error:  # noqa: BLE001 - asserted on below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=follow_up) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    assert len(refund_emails()) == 1
    assert Transfer.objects.get().amount_reversed == 1275
    sent = reversal_requests(stripe_http)
    assert sent and {(c.params["amount"], c.idempotency_key) for c in sent} == {
        ("1275", f"reversal-{refund.pk}")
    }
