"""What we ask Stripe for when a mentee pays, and what the mentee can (not) change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import BillingCustomer, Payment
from core.one_click import one_click_url
from sessions import services as booking_services
from sessions.models import Booking
from tests.billing.helpers import next_weekday_at
from tests.factories import OfferingFactory, UserFactory
from tests.support import signed_for

pytestmark = pytest.mark.django_db


def form(starts_at, **extra):
    return {
        "starts_at": starts_at.isoformat(),
        "outcome": "A decision between two offers",
        "prework_0": "Two offers",
        "prework_1": "Growth",
        "context_notes": "",
        "links": "",
        **extra,
    }


def test_booking_a_paid_slot_redirects_to_a_stripe_checkout_built_from_the_servers_price(
    client, stripe_http, paid_offering
):
    mentee = UserFactory(email="mia@example.com")
    client.force_login(mentee)
    slot = next_weekday_at(10)
    # A tampered form: price, currency and another offering are posted; none is used.
    response = client.post(
        reverse("sessions:book", args=[paid_offering.slug]),
        form(
            slot, price_amount="1", amount="1", unit_amount="1", currency="jpy", offering=OfferingFactory().pk
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_a1B2c3"

    booking = Booking.objects.get(mentee=mentee)
    payment = Payment.objects.get(booking=booking)
    assert booking.state == Booking.State.HELD and booking.offering == paid_offering
    assert (payment.amount, payment.currency, payment.platform_fee) == (4500, "USD", 675)
    assert payment.checkout_session_id == "cs_test_a1B2c3"

    customer = stripe_http.only("post", "/v1/customers")
    assert (
        customer.params["email"] == "mia@example.com" and customer.idempotency_key == f"customer-{mentee.pk}"
    )
    sent = stripe_http.only("post", "/v1/checkout/sessions")
    p = sent.params
    assert sent.idempotency_key == f"checkout-{payment.pk}"
    assert p["mode"] == "payment" and p["customer"] == "cus_Test123"
    assert p["line_items[0][price_data][unit_amount]"] == "4500"
    assert p["line_items[0][price_data][currency]"] == "usd"
    assert p["line_items[0][quantity]"] == "1"
    assert p["metadata[booking_id]"] == str(booking.pk)
    assert p["payment_intent_data[metadata][booking_id]"] == str(booking.pk)
    assert p["payment_intent_data[receipt_email]"] == "mia@example.com"
    assert (
        p["success_url"]
        == f"http://testserver/billing/checkout/{booking.pk}/success/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    # The way back without paying is a link signed for this mentee (a GET that releases the hold).
    cancel = f"/billing/checkout/{booking.pk}/cancel/"
    assert signed_for(p["cancel_url"], booking.mentee, cancel)
    # The checkout expires with the hold, at least 30 minutes from now.
    assert int(p["expires_at"]) == int(booking.hold_expires_at.timestamp())
    assert booking.hold_expires_at >= timezone.now() + timedelta(minutes=30)


def test_the_mentee_is_a_stripe_customer_once(client, stripe_http, paid_offering):
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    stripe_http.answer("post", "/v1/checkout/sessions", "response_checkout_session_second.json")
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(13)))
    assert stripe_http.count("post", "/v1/checkout/sessions") == 2
    assert stripe_http.count("post", "/v1/customers") == 1
    assert BillingCustomer.objects.get(user=mentee).stripe_customer_id == "cus_Test123"


def test_paying_again_for_the_same_hold_reuses_the_checkout(client, stripe_http, paid_offering):
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    booking = Booking.objects.get(mentee=mentee)
    response = client.post(reverse("billing:checkout_start", args=[booking.pk]))
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_a1B2c3"
    assert stripe_http.count("post", "/v1/checkout/sessions") == 1


def test_a_stale_or_foreign_slot_is_refused_before_any_checkout(client, stripe_http, paid_offering):
    client.force_login(UserFactory())
    past = timezone.now() - timedelta(days=1)
    response = client.post(reverse("sessions:book", args=[paid_offering.slug]), form(past))
    assert response.status_code == 400
    weekend = next_weekday_at(10)
    while weekend.weekday() != 5:
        weekend += timedelta(days=1)
    response = client.post(reverse("sessions:book", args=[paid_offering.slug]), form(weekend))
    assert response.status_code == 400 and "just taken" in response.content.decode()
    assert stripe_http.calls == [] and not Payment.objects.exists()


def test_someone_elses_booking_cannot_be_paid_or_cancelled(client, stripe_http, paid_offering):
    from tests.billing.helpers import book

    booking = book(paid_offering)
    client.force_login(UserFactory())
    assert client.post(reverse("billing:checkout_start", args=[booking.pk])).status_code == 404
    assert client.get(reverse("billing:checkout_cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.state == Booking.State.HELD


def test_cancelling_checkout_frees_the_slot_at_once_and_returns_to_the_picker(
    client, stripe_http, paid_offering, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    client.force_login(mentee)
    slot = next_weekday_at(10)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(slot))
    booking = Booking.objects.get(mentee=mentee)

    # Stripe sends the mentee back to the address it was given: a link signed for them.
    cancel_url = stripe_http.only("post", "/v1/checkout/sessions").params["cancel_url"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(cancel_url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{paid_offering.get_absolute_url()}?day=")
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
    # The Stripe session is closed too, so a late payment cannot land on a released slot.
    expire = stripe_http.only("post", "/v1/checkout/sessions/cs_test_a1B2c3/expire")
    assert expire.idempotency_key == "checkout-expire-cs_test_a1B2c3"
    from tests.billing.helpers import book

    assert book(paid_offering, starts_at=slot).state == Booking.State.HELD


def test_cancelling_a_held_booking_from_its_page_closes_the_open_checkout(
    client, stripe_http, paid_offering, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    booking = Booking.objects.get(mentee=mentee)
    assert booking.state == Booking.State.HELD

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:booking_cancel", args=[booking.pk]), {"reason": "changed my mind"}
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTEE
    stripe_http.only("post", "/v1/checkout/sessions/cs_test_a1B2c3/expire")
    assert stripe_http.count("post", "/v1/refunds") == 0


def test_the_worker_releasing_an_expired_hold_closes_its_checkout(
    client, stripe_http, paid_offering, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    booking = Booking.objects.get(mentee=mentee)

    with django_capture_on_commit_callbacks(execute=True):
        released = booking_services.booking_release_expired_holds(
            now=booking.hold_expires_at + timedelta(seconds=1)
        )
    assert released == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
    stripe_http.only("post", "/v1/checkout/sessions/cs_test_a1B2c3/expire")


def test_a_stripe_outage_is_a_message_not_a_500(client, stripe_http, paid_offering):
    stripe_http.answer("post", "/v1/checkout/sessions", "response_error_invalid_request.json", status=400)
    mentee = UserFactory()
    client.force_login(mentee)
    response = client.post(
        reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)), follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not complete this just now" in html and "Pay now" in html


def test_without_a_provider_a_paid_booking_stays_held_with_a_message(client, paid_offering):
    client.force_login(UserFactory())
    response = client.post(
        reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)), follow=True
    )
    assert "Card payments are not set up" in response.content.decode()


def test_enrolling_in_a_paid_cohort_redirects_to_a_stripe_checkout_for_one_seat(client, stripe_http):
    from cohorts.models import Enrollment
    from tests.cohorts.factories import CohortFactory, ModuleFactory

    cohort = CohortFactory(published=True, price_amount=45000, currency="EUR", seats_max=3)
    ModuleFactory(cohort=cohort)
    mentee = UserFactory(email="sam@example.com")
    client.force_login(mentee)
    response = client.post(
        reverse("cohorts:enroll", args=[cohort.slug]), {"accept_norms": "on", "price": "1"}
    )
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_a1B2c3"
    enrollment = Enrollment.objects.get(member=mentee)
    payment = Payment.objects.get(enrollment=enrollment)
    assert (payment.amount, payment.currency, payment.platform_fee) == (45000, "EUR", 6750)
    p = stripe_http.only("post", "/v1/checkout/sessions").params
    assert p["line_items[0][price_data][unit_amount]"] == "45000"
    assert p["line_items[0][price_data][currency]"] == "eur"
    assert p["metadata[enrollment_id]"] == str(enrollment.pk)
    assert p["payment_intent_data[transfer_group]"] == f"cohort-{cohort.pk}"
    cancel = f"/cohorts/{cohort.slug}/checkout-cancelled/"
    assert signed_for(p["cancel_url"], enrollment.member, cancel)
    assert int(p["expires_at"]) == int(enrollment.hold_expires_at.timestamp())


def test_an_unsigned_visit_to_the_cancel_address_asks_first_and_changes_nothing(
    client, stripe_http, paid_offering, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    booking = Booking.objects.get(mentee=mentee)
    cancel = reverse("billing:checkout_cancel", args=[booking.pk])
    # Another site linking (or embedding) the address, an altered signature, or a link signed
    # for someone else: a question only.
    someone_elses = one_click_url(cancel, user=UserFactory())
    for url in (cancel, f"{cancel}?signed=1:forged", someone_elses):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Let this time go" in response.content
        booking.refresh_from_db()
        assert booking.state == Booking.State.HELD

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
