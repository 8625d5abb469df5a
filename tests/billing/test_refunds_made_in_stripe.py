"""Refunds made outside the product (the Stripe Dashboard, Stripe's dispute flow), learnt from
Stripe's signed events: recorded once whatever the order and number of deliveries, a full one
cancels the purchase as staff would (without refunding again), a partial one is shown and shrinks
the mentor's payout, and one that comes before the checkout's completion keeps it unconfirmed."""

import itertools
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from billing import services
from billing.models import ConnectedAccount, Payment, Refund, Transfer, WebhookEvent
from cohorts import services as cohort_services
from cohorts.models import Enrollment
from cohorts.purchases import seat_start_checkout
from sessions import services as booking_services
from sessions.models import Booking
from tests.billing.helpers import book, fixture_text
from tests.cohorts.factories import CohortFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD_REFUND = "re_1Dashboard"
CHECKOUT = {"success_url": "http://testserver/ok", "cancel_url": "http://testserver/no"}


def made_in_stripe(kind: str = "refund.created", *, amount=4500, status="succeeded", failure="null") -> str:
    """A refund event for a refund made in the Dashboard: no metadata of ours, only the charge."""
    return fixture_text(
        "event_refund_made_in_stripe.json",
        type=kind,
        refund_id=DASHBOARD_REFUND,
        amount=amount,
        status=status,
        failure_reason=failure,
    )


def charge_refunded(purchase, *, refunded=4500) -> str:
    """charge.refunded as the pinned API version sends it: the figure, no list of refunds."""
    body = json.loads(
        fixture_text(
            "event_charge_refunded.json", booking_id=purchase.pk, amount=4500, amount_refunded=refunded
        )
    )
    if isinstance(purchase, Enrollment):
        body["data"]["object"]["metadata"] = {"enrollment_id": str(purchase.pk)}
    return json.dumps(body)


def completed(purchase, payment) -> str:
    body = json.loads(
        fixture_text(
            "event_checkout_session_completed.json",
            session_id=payment.checkout_session_id,
            booking_id=purchase.pk,
            payment_id=payment.pk,
            amount=payment.amount,
        )
    )
    if isinstance(purchase, Enrollment):
        body["data"]["object"]["metadata"] = {
            "enrollment_id": str(purchase.pk),
            "payment_id": str(payment.pk),
        }
    return json.dumps(body)


def mentor_payouts_on(mentor) -> None:
    ConnectedAccount.objects.create(
        mentor=mentor,
        stripe_account_id="acct_1Mentor",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
    )


@pytest.fixture
def held_booking(stripe_http, paid_offering):
    """A $45 booking with its Stripe Checkout open (cs_test_a1B2c3); the mentor can be paid."""
    mentor_payouts_on(paid_offering.mentor)
    booking = book(paid_offering)
    payment = services.payment_start_checkout(booking=booking, **CHECKOUT)
    return booking, payment


@pytest.fixture
def held_seat(stripe_http, db):
    """A $45 seat with its Stripe Checkout open, and someone on nobody's waitlist yet."""
    cohort = CohortFactory(published=True, price_amount=4500, seats_min=1, seats_max=1)
    mentor_payouts_on(cohort.facilitator)
    seat = cohort_services.cohort_enroll(cohort=cohort, member=UserFactory(), accept_norms=True)
    payment = seat_start_checkout(enrollment=seat, **CHECKOUT)
    return seat, payment


@pytest.fixture
def confirmed(held_booking, post_event):
    booking, payment = held_booking
    post_event(completed(booking, payment))
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    mail.outbox.clear()
    return booking


def close(booking, capture):
    with capture(execute=True):
        booking_services.booking_close(
            booking=booking,
            by=booking.mentor.user,
            action_item="Send the answer to Acme",
            due_date=booking.ends_at.date() + timedelta(days=7),
            now=booking.ends_at + timedelta(minutes=5),
        )


def subjects_to(address: str) -> list[str]:
    return sorted(m.subject for m in mail.outbox if address in m.to)


def refund_rows() -> list[tuple]:
    return list(
        Refund.objects.order_by("pk").values_list("stripe_refund_id", "amount", "state", "made_in_stripe")
    )


# --- a full refund ---------------------------------------------------------------------------


def test_a_full_refund_made_in_the_dashboard_cancels_the_booking_as_staff_would_without_refunding_again(
    confirmed, stripe_http, post_event, paid_offering
):
    booking = confirmed
    assert post_event(made_in_stripe()).status_code == 200

    assert refund_rows() == [(DASHBOARD_REFUND, 4500, Refund.State.SUCCEEDED, True)]
    refund = Refund.objects.get()
    assert refund.reason == "Refunded in Stripe (requested by customer)" and refund.requested_by is None
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTOR
    assert booking.events.order_by("pk").last().note.startswith("refunded in Stripe: ")
    assert stripe_http.count("post", "/v1/refunds") == 0  # the money is back already
    title = paid_offering.title
    assert subjects_to(booking.mentee.email) == [f"Cancelled: {title}", f"Refund: $45 for {title}"]
    [to_mentor] = [m for m in mail.outbox if booking.mentor.user.email in m.to]
    assert to_mentor.subject == f"Cancelled: {title}" and "not paid out" in to_mentor.body
    # The slot is free again, and nothing is ever paid out for it.
    assert book(paid_offering, starts_at=booking.starts_at).state == Booking.State.HELD
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0


def test_a_full_refund_made_in_stripe_after_the_payout_takes_the_payout_back(
    confirmed, stripe_http, post_event, django_capture_on_commit_callbacks
):
    booking = confirmed
    close(booking, django_capture_on_commit_callbacks)
    assert Transfer.objects.get().state == Transfer.State.PAID

    post_event(made_in_stripe())

    booking.refresh_from_db()
    assert booking.state == Booking.State.COMPLETED  # the session happened; the money went back
    reversal = stripe_http.only("post", "/v1/transfers/tr_1Test123/reversals")
    assert reversal.params["amount"] == "3825"
    assert reversal.idempotency_key == f"reversal-{Refund.objects.get().pk}"
    assert Transfer.objects.get().reversed
    assert len([m for m in mail.outbox if m.subject.startswith("Refund:")]) == 1


def test_charge_refunded_alone_records_the_refund_by_reading_the_charges_refunds_from_stripe(
    confirmed, stripe_http, post_event
):
    """Endpoints set up before refund.created was asked for get only charge.refunded, which in the
    pinned API version lists no refunds: the charge's refunds are read from Stripe."""
    stripe_http.answer("get", "/v1/refunds", "response_refund_list_made_in_stripe.json")
    post_event(charge_refunded(confirmed))

    listing = stripe_http.only("get", "/v1/refunds")
    assert listing.params == {"charge": "ch_3Test123", "limit": "100"}
    assert refund_rows() == [(DASHBOARD_REFUND, 4500, Refund.State.SUCCEEDED, True)]
    confirmed.refresh_from_db()
    assert confirmed.state == Booking.State.CANCELLED_BY_MENTOR
    assert stripe_http.count("post", "/v1/refunds") == 0


def test_a_full_refund_of_a_seat_made_in_stripe_cancels_it_offers_it_on_and_tells_both_sides(
    held_seat, stripe_http, post_event, client
):
    seat, payment = held_seat
    cohort = seat.cohort
    post_event(completed(seat, payment))
    seat.refresh_from_db()
    assert seat.state == Enrollment.State.ACTIVE
    waiting = cohort_services.cohort_enroll(cohort=cohort, member=UserFactory(), accept_norms=True)
    assert waiting.state == Enrollment.State.WAITLISTED
    mail.outbox.clear()

    post_event(made_in_stripe())

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.state == Enrollment.State.CANCELLED and waiting.state == Enrollment.State.OFFERED
    assert refund_rows() == [(DASHBOARD_REFUND, 4500, Refund.State.SUCCEEDED, True)]
    assert stripe_http.count("post", "/v1/refunds") == 0
    assert subjects_to(seat.member.email) == [
        f"Cancelled: your seat in “{cohort.title}”",
        f"Refund: $45 for your seat in {cohort.title}",
    ]
    facilitator = cohort.facilitator.user
    assert subjects_to(facilitator.email) == [f"Cancelled: {seat.member.name}'s seat in “{cohort.title}”"]
    # The member sees it on the cohort's page.
    client.force_login(seat.member)
    html = client.get(cohort.get_absolute_url()).content.decode()
    assert "Refunded in Stripe (requested by customer)" in html and "<dd>Cancelled</dd>" in html


# --- a partial refund ------------------------------------------------------------------------


def test_a_partial_refund_made_in_stripe_is_shown_and_pays_the_mentor_only_what_is_left(
    confirmed, stripe_http, post_event, client, admin_client, django_capture_on_commit_callbacks
):
    booking = confirmed
    post_event(made_in_stripe(amount=1500))

    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED  # a partial refund does not cancel
    assert refund_rows() == [(DASHBOARD_REFUND, 1500, Refund.State.SUCCEEDED, True)]
    assert subjects_to(booking.mentee.email) == [f"Refund: $15 for {booking.offering.title}"]
    for viewer in (booking.mentee, booking.mentor.user):
        client.force_login(viewer)
        html = client.get(booking.get_absolute_url()).content.decode()
        assert "<strong>$15 refunded — completed.</strong>" in html
        assert "Why: Refunded in Stripe (requested by customer)" in html
    changelist = reverse("admin:billing_refund_changelist")
    for made_in_stripe_filter, listed in (("1", [Refund.objects.get()]), ("0", [])):
        page = admin_client.get(f"{changelist}?made_in_stripe__exact={made_in_stripe_filter}")
        assert list(page.context["cl"].result_list) == listed

    close(booking, django_capture_on_commit_callbacks)
    # 30.00 left, less the 15% fee: the mentor gets 25.50, as after a partial refund of ours.
    assert stripe_http.only("post", "/v1/transfers").params["amount"] == "2550"
    assert Transfer.objects.get().amount == 2550


def test_a_partial_refund_made_in_stripe_after_the_payout_takes_back_the_same_share(
    confirmed, stripe_http, post_event, django_capture_on_commit_callbacks
):
    close(confirmed, django_capture_on_commit_callbacks)
    post_event(made_in_stripe(amount=1500))
    assert stripe_http.only("post", "/v1/transfers/tr_1Test123/reversals").params["amount"] == "1275"
    transfer = Transfer.objects.get()
    assert (transfer.amount_reversed, transfer.reversed) == (1275, False)
    confirmed.refresh_from_db()
    assert confirmed.state == Booking.State.COMPLETED


def test_a_partial_refund_made_in_stripe_is_shown_on_the_seat_page(held_seat, post_event, client):
    seat, payment = held_seat
    post_event(completed(seat, payment))
    post_event(made_in_stripe(amount=1500))
    seat.refresh_from_db()
    assert seat.state == Enrollment.State.ACTIVE
    client.force_login(seat.member)
    html = client.get(seat.cohort.get_absolute_url()).content.decode()
    assert "<strong>$15 refunded — completed.</strong>" in html
    assert "Why: Refunded in Stripe (requested by customer)" in html
    assert "a member" in html


# --- before the checkout's completion --------------------------------------------------------


def test_a_refund_made_in_stripe_before_the_checkout_completed_keeps_the_booking_unconfirmed(
    held_booking, stripe_http, post_event, django_capture_on_commit_callbacks
):
    booking, payment = held_booking
    post_event(made_in_stripe())  # names only the charge and the payment intent, unknown here yet
    assert not Refund.objects.exists()
    assert WebhookEvent.objects.get().state == WebhookEvent.State.PROCESSED

    post_event(completed(booking, payment))

    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTOR
    assert payment.state == Payment.State.PAID
    assert refund_rows() == [(DASHBOARD_REFUND, 4500, Refund.State.SUCCEEDED, True)]
    assert not [m for m in mail.outbox if m.subject.startswith("Booked:")]
    assert subjects_to(booking.mentor.user.email) == []  # never confirmed: nothing to tell them
    assert subjects_to(booking.mentee.email) == [
        f"Cancelled: {booking.offering.title}",
        f"Refund: $45 for {booking.offering.title}",
    ]
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert stripe_http.count("post", "/v1/refunds") == 0 and not Transfer.objects.exists()


# --- refunds we asked for, and what is not a session or a seat ----------------------------------


def test_refund_created_for_a_refund_we_asked_for_is_ours_not_one_made_in_stripe(
    confirmed, stripe_http, post_event, django_capture_on_commit_callbacks
):
    """Our refund's own refund.created, delivered while our request waits for its answer."""
    stripe_http.answer(
        "post",
        "/v1/refunds",
        "response_refund_pending.json",
        meanwhile=lambda: post_event(
            fixture_text(
                "event_refund_updated.json",
                status="succeeded",
                failure_reason="null",
                refund_id="re_3TestPending",
                amount=4500,
                booking_id=confirmed.pk,
                our_refund_id=Refund.objects.get().pk,
            ).replace('"refund.updated"', '"refund.created"')
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=confirmed, by=confirmed.mentee)

    assert refund_rows() == [("re_3TestPending", 4500, Refund.State.SUCCEEDED, False)]
    assert stripe_http.count("post", "/v1/refunds") == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Refund:")]) == 1


def test_a_refunded_subscription_invoice_is_processed_without_error_and_records_nothing(
    stripe_on, stripe_http, post_event
):
    """A subscription's invoice has no payment row of ours (Payment is for a session or a seat):
    its refund is logged and the events are processed, not failed and retried."""
    charge = json.loads(
        fixture_text("event_charge_refunded.json", booking_id="", amount=4500, amount_refunded=4500)
    )
    charge["data"]["object"].update(id="ch_3Invoice", payment_intent="pi_3Invoice", metadata={})
    refund = json.loads(made_in_stripe())
    refund["data"]["object"].update(charge="ch_3Invoice", payment_intent="pi_3Invoice")
    for body in (charge, refund):
        assert post_event(json.dumps(body)).status_code == 200
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {WebhookEvent.State.PROCESSED}
    assert not Refund.objects.exists() and stripe_http.calls == []


def test_a_refund_made_in_stripe_is_never_asked_of_stripe_again(
    confirmed, stripe_http, post_event, admin_client
):
    """Stripe failed it (the card was closed): staff retrying refunds, and the sweep, leave it be."""
    post_event(made_in_stripe(status="failed", failure='"expired_or_canceled_card"'))
    refund = Refund.objects.get()
    assert (refund.state, refund.made_in_stripe) == (Refund.State.FAILED, True)
    assert "expired_or_canceled_card" in refund.last_error
    confirmed.refresh_from_db()
    assert confirmed.state == Booking.State.CONFIRMED  # no money went back

    admin_client.post(
        reverse("admin:billing_refund_changelist"), {"action": "retry", "_selected_action": [refund.pk]}
    )
    services.refund_execute(refund_id=refund.pk)
    services.retry_stuck_money_movements(older_than=timedelta(0))
    assert stripe_http.count("post", "/v1/refunds") == 0
    assert [m for m in mail.outbox if m.subject.startswith("Refund:")] == []


def test_a_pending_refund_made_in_stripe_that_then_succeeds_is_one_refund_told_once(confirmed, post_event):
    post_event(made_in_stripe("refund.created", status="pending", amount=1500))
    assert refund_rows() == [(DASHBOARD_REFUND, 1500, Refund.State.PENDING, True)]
    post_event(made_in_stripe("refund.updated", status="succeeded", amount=1500))
    post_event(made_in_stripe("charge.refund.updated", status="pending", amount=1500))  # late: no change
    assert refund_rows() == [(DASHBOARD_REFUND, 1500, Refund.State.SUCCEEDED, True)]
    assert len([m for m in mail.outbox if m.subject.startswith("Refund:")]) == 1


# --- every order -----------------------------------------------------------------------------

EVENTS = ("checkout completed", "charge.refunded", "refund.created", "refund.updated")


@pytest.mark.parametrize("kind", ["session", "seat"])
@pytest.mark.parametrize("order", list(itertools.permutations(EVENTS)), ids=" then ".join)
def test_every_order_of_a_full_refund_made_in_stripe_and_the_checkout_ends_the_same(
    kind, order, request, stripe_http, post_event
):
    """The checkout's completion and a Dashboard refund's three events (created pending, updated
    succeeded, and the charge's, which lists no refunds), in each of their 24 orders, each then
    delivered again under a new event id: one refund, one cancellation, one e-mail of each kind
    per person, nothing asked of Stripe, nothing paid out; confirmed (and said so) only when the
    completion came before any news of the refund."""
    purchase, payment = request.getfixturevalue("held_booking" if kind == "session" else "held_seat")
    stripe_http.answer("get", "/v1/refunds", "response_refund_list_made_in_stripe.json")
    bodies = {
        "checkout completed": lambda: completed(purchase, payment),
        "charge.refunded": lambda: charge_refunded(purchase),
        "refund.created": lambda: made_in_stripe("refund.created", status="pending"),
        "refund.updated": lambda: made_in_stripe("refund.updated", status="succeeded"),
    }
    for _ in range(2):
        for name in order:
            assert post_event(bodies[name]()).status_code == 200
    services.retry_stuck_money_movements(older_than=timedelta(0))
    purchase.refresh_from_db()
    payment.refresh_from_db()

    cancelled = Booking.State.CANCELLED_BY_MENTOR if kind == "session" else Enrollment.State.CANCELLED
    assert purchase.state == cancelled
    assert (payment.state, payment.amount_refunded, payment.payment_intent_id, payment.charge_id) == (
        Payment.State.PAID,
        4500,
        "pi_3Test123",
        "ch_3Test123",
    )
    assert refund_rows() == [(DASHBOARD_REFUND, 4500, Refund.State.SUCCEEDED, True)]
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {WebhookEvent.State.PROCESSED}
    assert stripe_http.count("post", "/v1/refunds") == 0 and not Transfer.objects.exists()

    confirmed_first = order[0] == "checkout completed"
    if kind == "session":
        buyer, seller, title = purchase.mentee, purchase.mentor.user, purchase.offering.title
        told_buyer = [f"Cancelled: {title}", f"Refund: $45 for {title}"]
        told_seller = [f"Cancelled: {title}"]
        confirmation = [f"Booked: {title}"]
    else:
        buyer, seller, title = purchase.member, purchase.cohort.facilitator.user, purchase.cohort.title
        told_buyer = [f"Cancelled: your seat in “{title}”", f"Refund: $45 for your seat in {title}"]
        told_seller = [f"Cancelled: {buyer.name}'s seat in “{title}”"]
        confirmation = [f"Welcome to “{title}”"]
    if confirmed_first:
        assert subjects_to(buyer.email) == sorted(told_buyer + confirmation)
        assert subjects_to(seller.email) == sorted(told_seller + (confirmation if kind == "session" else []))
    else:
        assert subjects_to(buyer.email) == sorted(told_buyer)
        assert subjects_to(seller.email) == []
