"""Ladder up into a plan: the upgrade credit from a well-rated session comes off the first month
(a one-time Stripe coupon; the demo charges less), once; an abandoned checkout gives it back."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from billing.models import UpgradeOffer, WebhookEvent
from subscriptions import services
from subscriptions.models import Subscription
from tests.billing.helpers import paid_session, rate
from tests.subscriptions.helpers import make_plan, now_utc, payouts_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    plan = make_plan(price_amount=12000)
    payouts_ready(plan.mentor)
    return plan


@pytest.fixture
def offer(plan) -> UpgradeOffer:
    """A $45 session with the plan's mentor, rated 5: the mentee's upgrade credit."""
    booking = paid_session(plan.mentor, amount=4500)
    rate(booking, 5)
    return UpgradeOffer.objects.get(booking=booking)


def test_the_credit_is_a_one_time_coupon_on_the_stripe_checkout(client, plan, offer, stripe_billing):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon.json")
    client.force_login(offer.mentee)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Your $45 upgrade credit" in page and "you pay <strong>$75</strong>" in page

    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    coupon = stripe_billing.only("post", "/v1/coupons")
    assert coupon.params["amount_off"] == "4500" and coupon.params["currency"] == "usd"
    assert coupon.params["duration"] == "once" and coupon.params["max_redemptions"] == "1"
    session = stripe_billing.only("post", "/v1/checkout/sessions")
    assert session.params["discounts[0][coupon]"] == "Z4OV52SU"
    offer.refresh_from_db()
    assert offer.is_redeemed and offer.subscription == subscription


def test_an_abandoned_checkout_gives_the_credit_back(
    client, plan, offer, stripe_billing, django_capture_on_commit_callbacks
):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon.json")
    client.force_login(offer.mentee)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:checkout_cancel", args=[subscription.pk]))
    offer.refresh_from_db()
    assert not offer.is_redeemed
    assert "Your $45 upgrade credit" in client.get(plan.get_absolute_url()).content.decode()


def test_the_credit_is_used_once(plan, offer, stripe_billing):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon.json")
    first = services.subscription_start_checkout(
        plan=plan, mentee=offer.mentee, base_url="http://testserver/"
    )
    # That subscription ran and ended; subscribing again later carries no discount.
    Subscription.objects.filter(pk=first.pk).update(status=Subscription.Status.CANCELED)
    stripe_billing.answer(
        "post", "/v1/checkout/sessions", "response_checkout_session_subscription_second.json"
    )
    services.subscription_start_checkout(plan=plan, mentee=offer.mentee, base_url="http://testserver/")
    sessions = [c for c in stripe_billing.calls if c.path == "/v1/checkout/sessions"]
    assert sessions[0].params["discounts[0][coupon]"] == "Z4OV52SU"
    assert "discounts[0][coupon]" not in sessions[1].params
    offer.refresh_from_db()
    assert offer.subscription == first


def test_an_expired_credit_is_not_applied(plan, offer, stripe_billing):
    with time_machine.travel(offer.expires_at + timedelta(minutes=1)):
        services.subscription_start_checkout(plan=plan, mentee=offer.mentee, base_url="http://testserver/")
    assert "discounts[0][coupon]" not in stripe_billing.only("post", "/v1/checkout/sessions").params
    assert stripe_billing.count("post", "/v1/coupons") == 0
    offer.refresh_from_db()
    assert not offer.is_redeemed


def test_the_demo_charges_the_first_month_less(
    client, offer, demo_provider, django_capture_on_commit_callbacks
):
    plan = offer.plan
    client.force_login(offer.mentee)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    checkout = reverse("subscriptions:demo_checkout", args=[subscription.pk])
    assert "Subscribe and pay $75" in client.get(checkout).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checkout, {"action": "pay"})
    invoice = WebhookEvent.objects.get(type="invoice.paid").payload["data"]["object"]
    assert invoice["amount_paid"] == 7500
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert now_utc() - subscription.current_period_start < timedelta(minutes=1)
