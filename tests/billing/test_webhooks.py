"""Signed Stripe events posted to the real webhook views."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing.models import ConnectedAccount, Payment, Refund, WebhookEvent
from sessions.models import Booking
from tests.billing.helpers import CONNECT_SECRET, book, fixture_text, next_weekday_at, signed_headers
from tests.factories import MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db

CHECKOUT = {"success_url": "http://testserver/ok", "cancel_url": "http://testserver/cancel"}


@pytest.fixture
def checkout(stripe_http, paid_offering):
    """A held booking with an open Stripe Checkout Session (cs_test_a1B2c3)."""
    from billing.services import payment_start_checkout

    booking = book(paid_offering)
    payment = payment_start_checkout(booking=booking, **CHECKOUT)
    return booking, payment


def completed(booking, payment, **extra):
    return fixture_text(
        "event_checkout_session_completed.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
        **extra,
    )


def expired(booking, payment, **extra):
    return fixture_text(
        "event_checkout_session_expired.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
        **extra,
    )


def test_a_signed_completed_checkout_confirms_the_booking(checkout, post_event):
    booking, payment = checkout
    response = post_event(completed(booking, payment))
    assert response.status_code == 200
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert payment.state == Payment.State.PAID and payment.payment_intent_id == "pi_3Test123"
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.PROCESSED and event.attempts == 1
    assert any("Booked:" in m.subject for m in mail.outbox)


def test_only_the_payment_event_confirms_not_the_return_to_the_success_page(checkout, client):
    booking, _ = checkout
    client.force_login(booking.mentee)
    response = client.get(f"/billing/checkout/{booking.pk}/success/?session_id=cs_test_a1B2c3")
    assert "Confirming your payment" in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == Booking.State.HELD


def test_the_success_page_moves_to_the_confirmation_once_confirmed(checkout, client, post_event):
    booking, payment = checkout
    post_event(completed(booking, payment))
    client.force_login(booking.mentee)
    response = client.get(f"/billing/checkout/{booking.pk}/success/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/bookings/{booking.pk}/?confirmed=1"
    assert "hx-trigger" not in response.content.decode()
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "You're booked" in page and "Payment received." in page


@pytest.mark.parametrize(
    "how",
    ["wrong_secret", "tampered_body", "stale_timestamp", "no_signature"],
)
def test_a_forged_or_stale_event_is_refused_and_nothing_is_stored(checkout, client, post_event, how):
    booking, payment = checkout
    payload = completed(booking, payment)
    if how == "wrong_secret":
        response = post_event(payload, secret="whsec_someone_else")
    elif how == "tampered_body":
        response = post_event(payload, body=payload.replace('"paid"', '"paid" '))
    elif how == "stale_timestamp":
        response = post_event(payload, timestamp=int(time.time()) - 301)
    else:
        response = client.post("/billing/stripe/webhook/", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    booking.refresh_from_db()
    assert booking.state == Booking.State.HELD


def test_platform_events_signed_with_the_connect_secret_are_refused(checkout, post_event):
    booking, payment = checkout
    assert post_event(completed(booking, payment), secret=CONNECT_SECRET).status_code == 400


def test_the_same_event_three_times_changes_things_once(checkout, post_event):
    booking, payment = checkout
    payload = completed(booking, payment, event_id="evt_1SameEvent")
    answers = [post_event(payload) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    assert WebhookEvent.objects.count() == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert booking.events.filter(to_state=Booking.State.CONFIRMED).count() == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Booked:")]) == 2  # mentee + mentor, once


def test_the_same_payment_under_new_event_ids_confirms_once_and_never_refunds(
    checkout, post_event, stripe_http
):
    booking, payment = checkout
    post_event(completed(booking, payment))
    post_event(completed(booking, payment))
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert not Refund.objects.exists() and stripe_http.count("post", "/v1/refunds") == 0


def test_expired_after_completed_keeps_the_booking(checkout, post_event):
    booking, payment = checkout
    post_event(completed(booking, payment))
    post_event(expired(booking, payment))
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED and payment.state == Payment.State.PAID


def test_completed_after_expired_confirms_when_the_slot_is_still_free(checkout, post_event, stripe_http):
    booking, payment = checkout
    post_event(expired(booking, payment))
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
    post_event(completed(booking, payment))
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert stripe_http.count("post", "/v1/refunds") == 0


def test_a_late_payment_for_a_slot_taken_meanwhile_is_refunded_in_full_never_double_booked(
    checkout, post_event, stripe_http, paid_offering
):
    booking, payment = checkout
    # The hold runs out and someone else books the same time.
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    rival = book(paid_offering, starts_at=booking.starts_at)
    assert rival.state == Booking.State.HELD
    post_event(completed(booking, payment))

    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
    active = Booking.objects.filter(
        mentor=booking.mentor, starts_at=booking.starts_at, state__in=Booking.ACTIVE_STATES
    )
    assert list(active) == [rival]
    refund = Refund.objects.get()
    assert refund.amount == 4500 and refund.state == Refund.State.SUCCEEDED
    sent = stripe_http.only("post", "/v1/refunds")
    assert sent.params["payment_intent"] == "pi_3Test123" and sent.params["amount"] == "4500"
    assert sent.idempotency_key == f"refund-{refund.pk}"
    assert any(m.subject.startswith("Refund: $45") and booking.mentee.email in m.to for m in mail.outbox)
    # Replayed, the late payment is still refunded exactly once.
    post_event(completed(booking, payment))
    assert Refund.objects.count() == 1 and stripe_http.count("post", "/v1/refunds") == 1


def test_an_expired_checkout_frees_the_slot_at_once(checkout, post_event):
    booking, payment = checkout
    post_event(expired(booking, payment))
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED and payment.state == Payment.State.EXPIRED
    again = book(booking.offering, starts_at=booking.starts_at)
    assert again.state == Booking.State.HELD


def test_asynchronous_payments_confirm_on_success_and_release_on_failure(
    stripe_http, paid_offering, post_event
):
    from billing.services import payment_start_checkout

    first = book(paid_offering)
    payment = payment_start_checkout(booking=first, **CHECKOUT)
    values = {
        "session_id": payment.checkout_session_id,
        "booking_id": first.pk,
        "payment_id": payment.pk,
        "amount": 4500,
    }
    post_event(fixture_text("event_checkout_session_completed_unpaid.json", **values))
    first.refresh_from_db()
    assert first.state == Booking.State.HELD
    post_event(fixture_text("event_checkout_session_async_payment_succeeded.json", **values))
    first.refresh_from_db()
    assert first.state == Booking.State.CONFIRMED

    Payment.objects.filter(pk=payment.pk).delete()  # start over with a second booking
    second = book(paid_offering, mentee=first.mentee, starts_at=next_weekday_at(12))
    payment = payment_start_checkout(booking=second, **CHECKOUT)
    values = {
        "session_id": payment.checkout_session_id,
        "booking_id": second.pk,
        "payment_id": payment.pk,
        "amount": 4500,
    }
    post_event(fixture_text("event_checkout_session_async_payment_failed.json", **values))
    second.refresh_from_db()
    payment.refresh_from_db()
    assert second.state == Booking.State.EXPIRED and payment.state == Payment.State.FAILED


def test_a_declined_card_is_recorded_and_the_hold_stays_for_another_try(checkout, post_event):
    booking, payment = checkout
    post_event(
        fixture_text(
            "event_payment_intent_payment_failed.json",
            booking_id=booking.pk,
            payment_id=payment.pk,
            amount=4500,
        )
    )
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.last_error == "Your card has insufficient funds."
    assert booking.state == Booking.State.HELD


def test_a_dispute_flags_the_payment_for_staff(checkout, post_event):
    booking, payment = checkout
    post_event(completed(booking, payment))
    post_event(fixture_text("event_charge_dispute_created.json", amount=4500))
    payment.refresh_from_db()
    assert payment.is_disputed
    assert any("Dispute" in m.subject and "staff@example.com" in m.to for m in mail.outbox)


def test_charge_refunded_records_what_stripe_refunded(checkout, post_event):
    booking, payment = checkout
    post_event(completed(booking, payment))
    post_event(
        fixture_text("event_charge_refunded.json", booking_id=booking.pk, amount=4500, amount_refunded=1500)
    )
    payment.refresh_from_db()
    assert payment.amount_refunded == 1500 and payment.charge_id == "ch_3Test123"
    assert payment.refundable == 3000


def test_an_event_for_an_unknown_payment_is_stored_failed_and_can_be_reprocessed(checkout, post_event):
    from billing.services import event_reprocess

    booking, payment = checkout
    payload = completed(booking, payment).replace(str(booking.pk), "00000000-0000-0000-0000-000000000000")
    payload = payload.replace(payment.checkout_session_id, "cs_test_unknown").replace(str(payment.pk), "x")
    assert post_event(payload).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.FAILED and "no payment" in event.last_error
    event = event_reprocess(event=event)
    assert event.state == WebhookEvent.State.FAILED and event.attempts == 2


def test_account_updated_on_the_connect_endpoint_enables_payouts(stripe_on, post_event):
    mentor = MentorFactory()
    account = ConnectedAccount.objects.create(mentor=mentor, stripe_account_id="acct_1Mentor")
    assert account.state == ConnectedAccount.State.DETAILS_MISSING
    payload = fixture_text("event_account_updated.json", account_id="acct_1Mentor")
    assert (
        post_event(payload, secret=CONNECT_SECRET).status_code == 400
    )  # the platform endpoint's secret differs
    response = post_event(payload, secret=CONNECT_SECRET, path="/billing/stripe/connect-webhook/")
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.state == ConnectedAccount.State.PAYOUTS_ENABLED
    assert WebhookEvent.objects.get().endpoint == WebhookEvent.Endpoint.CONNECT


def test_a_webhook_without_a_configured_secret_is_refused(settings, client):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post("/billing/stripe/webhook/", data="{}", content_type="application/json")
    assert response.status_code == 400


def test_free_offerings_never_touch_payments(stripe_http, client):
    offering = OfferingFactory(price_amount=0)
    booking = book(offering)
    assert booking.state == Booking.State.CONFIRMED
    assert not Payment.objects.exists() and stripe_http.calls == []


def test_a_broker_outage_still_answers_200_and_the_sweep_confirms_later(checkout, post_event, monkeypatch):
    from kombu.exceptions import OperationalError

    from billing import services, tasks

    booking, payment = checkout

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.process_event, "delay", broker_down)
    response = post_event(completed(booking, payment))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.RECEIVED
    booking.refresh_from_db()
    assert booking.state == Booking.State.HELD
    monkeypatch.undo()

    # Not yet due: a task may still be on its way.
    assert services.events_process_pending() == 0
    assert services.retry_stuck_money_movements(older_than=timedelta(0)) >= 1
    event.refresh_from_db()
    booking.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED and booking.state == Booking.State.CONFIRMED


def test_a_replayed_event_whose_task_was_lost_is_queued_again_and_applied_once(
    checkout, post_event, monkeypatch
):
    from billing import tasks

    booking, payment = checkout
    payload = completed(booking, payment, event_id="evt_1LostTask")
    monkeypatch.setattr(tasks.process_event, "delay", lambda *a, **k: None)  # the task is lost
    post_event(payload)
    monkeypatch.undo()
    assert WebhookEvent.objects.get().state == WebhookEvent.State.RECEIVED
    assert post_event(payload).json()["duplicate"] is True
    post_event(payload)
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.PROCESSED and event.attempts == 1
    booking.refresh_from_db()
    assert booking.events.filter(to_state=Booking.State.CONFIRMED).count() == 1


def test_an_event_that_came_too_early_is_applied_by_the_sweep_then_left_alone(checkout, post_event):
    from billing import services
    from billing.models import Transfer

    booking, payment = checkout
    post_event(completed(booking, payment))
    post_event(
        fixture_text(
            "event_transfer_reversed.json",
            transfer_id="tr_1Test123",
            transfer_amount=3825,
            booking_id=booking.pk,
        )
    )
    early = WebhookEvent.objects.get(type="transfer.reversed")
    assert early.state == WebhookEvent.State.FAILED
    transfer = Transfer.objects.create(
        payment=payment,
        amount=3825,
        currency="USD",
        destination="acct_1Mentor",
        stripe_transfer_id="tr_1Test123",
        state=Transfer.State.PAID,
    )
    services.events_process_pending(older_than=timedelta(0))
    early.refresh_from_db()
    transfer.refresh_from_db()
    assert early.state == WebhookEvent.State.PROCESSED and transfer.reversed

    # One that keeps failing is tried a few times, then left for staff.
    post_event(
        fixture_text("event_transfer_reversed.json", transfer_id="tr_nope", transfer_amount=1, booking_id=1)
    )
    for _ in range(10):
        services.events_process_pending(older_than=timedelta(0))
    stuck = WebhookEvent.objects.get(payload__data__object__id="tr_nope")
    assert stuck.state == WebhookEvent.State.FAILED and stuck.attempts == services.MAX_EVENT_ATTEMPTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_event_three_times_at_once_confirms_once_and_emails_once(stripe_http, paid_offering):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    from billing.services import payment_start_checkout

    booking = book(paid_offering)
    payment = payment_start_checkout(booking=booking, **CHECKOUT)
    payload = fixture_text(
        "event_checkout_session_completed.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
        event_id="evt_1DeliveredThrice",
    )
    barrier = threading.Barrier(3)
    answers: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=30)
            response = Client().post(
                "/billing/stripe/webhook/",
                data=payload,
                content_type="application/json",
                **signed_headers(payload),
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == [200, 200, 200]
    assert WebhookEvent.objects.filter(stripe_event_id="evt_1DeliveredThrice").count() == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert booking.events.filter(to_state=Booking.State.CONFIRMED).count() == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Booked:")]) == 2  # mentee + mentor, once
