"""SPEC §2 money rules: refunds by who cancels and when, payouts after the session minus the fee."""

import json
from datetime import timedelta

import pytest
from django.core import mail

from billing import services
from billing.models import ConnectedAccount, Refund, Transfer
from billing.stripe_client import BillingError
from sessions import services as booking_services

from .conftest import book, fixture_text, pay

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


def test_a_refund_stripe_reports_pending_is_shown_pending_until_stripe_says_it_succeeded(
    paid_booking, stripe_http, post_event, django_capture_on_commit_callbacks, client
):
    stripe_http.answer("post", "/v1/refunds", "response_refund_pending.json")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=paid_booking, by=paid_booking.mentee)
    refund = Refund.objects.get()
    assert refund.state == Refund.State.PENDING and refund.stripe_refund_id == "re_3TestPending"
    client.force_login(paid_booking.mentee)
    assert "pending" in client.get(paid_booking.get_absolute_url()).content.decode()
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

    from .conftest import next_weekday_at

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
    assert "— succeeded (" in html and "— pending (" not in html


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
