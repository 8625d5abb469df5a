"""The demo provider (DEBUG only) and mentor payout onboarding."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from billing.models import ConnectedAccount, Payment, WebhookEvent
from billing.services.payments import check_provider_settings
from sessions import services as booking_services
from sessions.models import Booking
from tests.billing.helpers import next_weekday_at
from tests.factories import MentorFactory, OfferingFactory, UserFactory
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db


def form(starts_at):
    return {"starts_at": starts_at.isoformat(), "outcome": "A decision", "prework_0": "a", "prework_1": "b"}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"
    settings.STRIPE_SECRET_KEY = ""


def test_the_demo_provider_cannot_start_without_debug():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        check_provider_settings(provider="demo", debug=False, secret_key="")
    check_provider_settings(provider="demo", debug=True, secret_key="")
    with pytest.raises(ImproperlyConfigured):
        check_provider_settings(provider="stripe", debug=False, secret_key="")


def test_the_test_checkout_page_refuses_when_debug_is_off(demo, settings, client, paid_offering):
    client.force_login(UserFactory())
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    payment = Payment.objects.get()
    settings.DEBUG = False
    assert client.get(reverse("billing:demo_checkout", args=[payment.pk])).status_code == 404
    assert (
        client.post(reverse("billing:demo_checkout", args=[payment.pk]), {"action": "pay"}).status_code == 404
    )
    assert Booking.objects.get().state == Booking.State.HELD


def test_demo_pay_confirms_through_the_same_event_processing(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    response = client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    payment = Payment.objects.get()
    assert response["Location"] == reverse("billing:demo_checkout", args=[payment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Test checkout — no real money" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"action": "pay"})
    booking = Booking.objects.get()
    assert response["Location"] == reverse("billing:checkout_success", args=[booking.pk])
    assert booking.state == Booking.State.CONFIRMED
    event = WebhookEvent.objects.get()
    assert (event.type, event.endpoint, event.state) == ("checkout.session.completed", "demo", "processed")


def test_after_paying_the_mentee_lands_on_the_confirmation_with_what_was_paid(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    response = client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    success = reverse("billing:checkout_success", args=[Booking.objects.get().pk])
    # Until the payment is confirmed, the return page polls.
    assert 'hx-trigger="every 2s"' in client.get(success).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "pay"})
    booking = Booking.objects.get()
    confirmation = f"{booking.get_absolute_url()}?confirmed=1"

    assert client.get(success)["Location"] == confirmation
    polled = client.get(success, headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == confirmation
    page = client.get(confirmation).content.decode()
    section = page[page.index('id="confirmation"') : page.index("</section>")]
    assert "Payment received. We've e-mailed you the details and a calendar file." in section
    assert "$45 on " in section and 'href="#receipt">receipt</a>' in section
    assert 'id="receipt"' in page


def test_the_return_page_of_a_session_since_held_or_cancelled_is_the_booking_page(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    response = client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "pay"})
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.COMPLETED)  # it took place since

    success = reverse("billing:checkout_success", args=[booking.pk])
    assert client.get(success)["Location"] == booking.get_absolute_url()
    assert client.get(success, headers={"HX-Request": "true"})["HX-Redirect"] == booking.get_absolute_url()


def test_the_return_page_of_a_hold_that_ran_out_says_it_was_not_confirmed(demo, client, paid_offering):
    client.force_login(UserFactory())
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.EXPIRED)

    page = client.get(reverse("billing:checkout_success", args=[booking.pk])).content.decode()
    assert "This booking was not confirmed" in page


def test_demo_decline_keeps_the_hold_and_abandon_frees_the_slot(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    slot = next_weekday_at(10)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(slot))
    url = reverse("billing:demo_checkout", args=[Payment.objects.get().pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "decline"})
    assert Booking.objects.get().state == Booking.State.HELD
    assert Payment.objects.get().last_error == "Your card was declined."
    response = client.post(url, {"action": "abandon"}, follow=True)
    assert Booking.objects.get().state == Booking.State.EXPIRED
    assert response.request["PATH_INFO"] == paid_offering.get_absolute_url()


def test_a_demo_refund_and_payout_move_no_real_money(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:demo_checkout", args=[Payment.objects.get().pk]), {"action": "pay"})
    booking = Booking.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_close(
            booking=booking,
            by=booking.mentor.user,
            action_item="Do it",
            due_date=booking.ends_at.date() + timedelta(days=3),
            now=booking.ends_at + timedelta(minutes=1),
        )
    transfer = Payment.objects.get().transfer
    assert transfer.amount == 3825 and transfer.stripe_transfer_id.startswith("tr_demo_")


def test_a_paid_offering_needs_payouts_enabled_to_publish_with_stripe(stripe_http):
    mentor = MentorFactory()
    paid = OfferingFactory(mentor=mentor, price_amount=5000, is_published=False)
    free = OfferingFactory(mentor=mentor, price_amount=0, is_published=False)
    booking_services.offering_set_published(offering=free, by=mentor.user, published=True)
    with pytest.raises(booking_services.BookingError, match="Set up payouts"):
        booking_services.offering_set_published(offering=paid, by=mentor.user, published=True)
    ConnectedAccount.objects.create(mentor=mentor, stripe_account_id="acct_1Mentor", details_submitted=True)
    with pytest.raises(booking_services.BookingError):
        booking_services.offering_set_published(offering=paid, by=mentor.user, published=True)
    ConnectedAccount.objects.filter(mentor=mentor).update(payouts_enabled=True, charges_enabled=True)
    assert booking_services.offering_set_published(offering=paid, by=mentor.user, published=True).is_published


def test_payout_onboarding_creates_an_express_account_once_and_a_fresh_link(stripe_http, client):
    mentor = MentorFactory(user__email="greta@example.com")
    client.force_login(mentor.user)
    assert "Set up payouts" in client.get("/billing/payouts/").content.decode()
    asked = client.post("/billing/payouts/")  # where the money goes: the password again first
    assert asked["Location"].startswith(reverse("account_reauthenticate")) and not stripe_http.calls
    reauthenticated(client)
    response = client.post("/billing/payouts/")
    assert response["Location"] == "https://connect.stripe.com/setup/e/acct_1Mentor/abc123"
    created = stripe_http.only("post", "/v1/accounts")
    assert created.params["type"] == "express" and created.params["email"] == "greta@example.com"
    assert created.params["capabilities[transfers][requested]"] == "true"
    assert created.idempotency_key == f"account-{mentor.pk}"
    link = stripe_http.calls[-1]
    assert link.path == "/v1/account_links" and link.params["type"] == "account_onboarding"
    assert link.params["return_url"] == "http://testserver/billing/payouts/return/"
    assert link.params["refresh_url"] == "http://testserver/billing/payouts/refresh/"
    client.get("/billing/payouts/refresh/")
    assert (
        stripe_http.count("post", "/v1/accounts") == 1 and stripe_http.count("post", "/v1/account_links") == 2
    )
    client.get("/billing/payouts/return/")
    page = client.get("/billing/payouts/").content.decode()
    assert "Details missing" in page


def test_demo_payouts_are_enabled_at_once(demo, client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    reauthenticated(client)  # connecting payouts asks for the password again
    client.post("/billing/payouts/")
    assert mentor.connected_account.state == ConnectedAccount.State.PAYOUTS_ENABLED


def test_an_abandoned_test_checkout_cannot_be_paid_afterwards(
    demo, client, paid_offering, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    client.post(reverse("sessions:book", args=[paid_offering.slug]), form(next_weekday_at(10)))
    url = reverse("billing:demo_checkout", args=[Payment.objects.get().pk])
    client.post(url, {"action": "abandon"}, follow=True)
    page = client.get(url).content.decode()
    assert "This test checkout is closed" in page and 'value="pay"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "pay"})
    assert Booking.objects.get().state == Booking.State.EXPIRED
    assert Payment.objects.get().state == Payment.State.PENDING and not WebhookEvent.objects.exists()


def test_a_stripe_error_during_payout_onboarding_is_a_message_not_a_500(stripe_http, client):
    stripe_http.answer("post", "/v1/accounts", "response_error_invalid_request.json", status=400)
    mentor = MentorFactory()
    client.force_login(mentor.user)
    reauthenticated(client)  # connecting payouts asks for the password again
    response = client.post("/billing/payouts/", follow=True)
    assert response.status_code == 200
    assert "could not complete this just now" in response.content.decode()
    assert not ConnectedAccount.objects.exists()

    ConnectedAccount.objects.create(mentor=mentor, stripe_account_id="acct_1Mentor")
    stripe_http.answer("get", "/v1/accounts/acct_1Mentor", "response_error_invalid_request.json", status=404)
    response = client.get("/billing/payouts/return/", follow=True)
    assert response.status_code == 200 and "could not complete this just now" in response.content.decode()
    stripe_http.answer("post", "/v1/account_links", "response_error_invalid_request.json", status=400)
    response = client.get("/billing/payouts/refresh/", follow=True)
    assert response.status_code == 200 and "could not complete this just now" in response.content.decode()


def test_returning_from_onboarding_reads_the_account_state_from_stripe(stripe_http, client):
    stripe_http.answer("get", "/v1/accounts/acct_1Mentor", "response_account_enabled.json")
    mentor = MentorFactory()
    ConnectedAccount.objects.create(mentor=mentor, stripe_account_id="acct_1Mentor")
    client.force_login(mentor.user)
    client.get("/billing/payouts/return/")
    assert ConnectedAccount.objects.get().state == ConnectedAccount.State.PAYOUTS_ENABLED
    assert "Payouts enabled" in client.get("/billing/payouts/").content.decode()
