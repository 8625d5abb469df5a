"""Subscribing: what we ask Stripe Checkout for, the demo provider's checkout, and the rules
(one subscription per mentor, the plan's cap, a verified e-mail, prices from the server)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from subscriptions import services
from subscriptions.models import Subscription
from subscriptions.selectors import credits_left
from tests.factories import UserFactory
from tests.subscriptions.helpers import make_plan, now_utc, payouts_ready
from tests.support import signed_for

pytestmark = pytest.mark.django_db
Status = Subscription.Status


@pytest.fixture
def plan(db):
    plan = make_plan(price_amount=12000, credits_per_period=3)
    payouts_ready(plan.mentor)
    return plan


def test_subscribing_opens_a_stripe_checkout_in_subscription_mode(client, subscriber, plan, stripe_billing):
    client.force_login(subscriber)
    response = client.post(reverse("subscriptions:subscribe", args=[plan.pk]), {"price_amount": 1})

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_Sub456"
    subscription = Subscription.objects.get()
    assert subscription.status == Status.INCOMPLETE and subscription.mentee == subscriber

    product = stripe_billing.only("post", "/v1/products")
    assert product.idempotency_key == f"plan-{plan.pk}-product"
    price = stripe_billing.only("post", "/v1/prices")
    assert price.params["unit_amount"] == "12000"  # from the plan, never from the form
    assert price.params["currency"] == "usd"
    assert price.params["recurring[interval]"] == "month"
    assert price.params["metadata[plan_id]"] == str(plan.pk)
    assert price.idempotency_key == f"plan-{plan.pk}-price-12000-usd"

    session = stripe_billing.only("post", "/v1/checkout/sessions")
    params = session.params
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == "price_Plan123"
    assert params["subscription_data[application_fee_percent]"] == "15"
    assert params["subscription_data[transfer_data][destination]"] == "acct_1Mentor"
    assert params["subscription_data[metadata][subscription_id]"] == str(subscription.pk)
    assert params["metadata[subscription_id]"] == str(subscription.pk)
    assert params["customer"] == "cus_Test123"
    assert params["success_url"] == f"http://testserver/subscriptions/{subscription.pk}/welcome/"
    cancel = f"/subscriptions/{subscription.pk}/not-paid/"
    assert signed_for(params["cancel_url"], subscription.mentee, cancel)
    assert session.idempotency_key == f"checkout-subscription-{subscription.pk}"


def test_a_second_click_returns_to_the_same_checkout(client, subscriber, plan, stripe_billing):
    client.force_login(subscriber)
    first = client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    second = client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    assert first["Location"] == second["Location"]
    assert stripe_billing.count("post", "/v1/checkout/sessions") == 1
    assert Subscription.objects.count() == 1


def test_the_price_is_made_once_and_again_when_the_mentor_changes_it(subscriber, plan, stripe_billing):
    def subscribe_and_walk_away():
        subscription = services.subscription_start_checkout(
            plan=plan, mentee=subscriber, base_url="http://testserver/"
        )
        services.subscription_checkout_expire(subscription=subscription)

    subscribe_and_walk_away()
    stripe_billing.answer(
        "post", "/v1/checkout/sessions", "response_checkout_session_subscription_second.json"
    )
    subscribe_and_walk_away()
    assert stripe_billing.count("post", "/v1/prices") == 1
    plan.refresh_from_db()
    services.plan_save(mentor=plan.mentor, plan=plan, price_amount=15000)
    stripe_billing.answer("post", "/v1/checkout/sessions", "response_checkout_session.json")
    subscribe_and_walk_away()
    assert stripe_billing.count("post", "/v1/prices") == 2
    assert stripe_billing.count("post", "/v1/products") == 1
    [_, new_price] = [c for c in stripe_billing.calls if c.path == "/v1/prices"]
    assert new_price.params["unit_amount"] == "15000"


def test_coming_back_without_paying_frees_the_place_and_closes_the_checkout(
    client, subscriber, plan, stripe_billing, django_capture_on_commit_callbacks
):
    plan.max_subscribers = 1
    plan.save()
    client.force_login(subscriber)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    other = UserFactory()
    with pytest.raises(services.SubscriptionError, match="full"):
        services.subscription_start_checkout(plan=plan, mentee=other, base_url="http://testserver/")
    assert "This plan is full" in client.get(reverse("subscriptions:plan", args=[plan.pk])).content.decode()

    # Stripe sends the subscriber back to the address it was given, signed for them.
    cancel_url = stripe_billing.only("post", "/v1/checkout/sessions").params["cancel_url"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(cancel_url, follow=True)
    assert "you have not subscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.INCOMPLETE_EXPIRED
    assert stripe_billing.count("post", "/v1/checkout/sessions/cs_test_Sub456/expire") == 1
    assert (
        "This plan is full" not in client.get(reverse("subscriptions:plan", args=[plan.pk])).content.decode()
    )


def test_a_checkout_left_open_past_its_life_no_longer_holds_the_place(subscriber, plan, stripe_billing):
    plan.max_subscribers = 1
    plan.save()
    services.subscription_start_checkout(plan=plan, mentee=subscriber, base_url="http://testserver/")
    assert services.plan_is_full(plan)
    with time_machine.travel(now_utc() + timedelta(hours=2)):
        assert not services.plan_is_full(plan)


def test_one_subscription_per_mentor(subscriber, plan, stripe_billing):
    Subscription.objects.create(
        plan=plan, mentor=plan.mentor, mentee=subscriber, provider="stripe", status=Status.ACTIVE
    )
    bigger = make_plan(mentor=plan.mentor, name="Bigger", price_amount=20000)
    with pytest.raises(services.SubscriptionError, match="already subscribe"):
        services.subscription_start_checkout(plan=bigger, mentee=subscriber, base_url="http://testserver/")
    assert stripe_billing.calls == []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unverified", "verify your e-mail"),
        ("own plan", "your own plan"),
        ("draft", "not open"),
    ],
)
def test_who_cannot_subscribe_is_told_why_and_nothing_is_made(client, plan, stripe_billing, case, message):
    user = UserFactory(verified=False) if case == "unverified" else UserFactory()
    if case == "own plan":
        user = plan.mentor.user
    if case == "draft":
        plan.is_published = False
        plan.save()
        with pytest.raises(services.SubscriptionError, match=message):
            services.subscription_start_checkout(plan=plan, mentee=user, base_url="http://testserver/")
        assert client.get(reverse("subscriptions:plan", args=[plan.pk])).status_code == 404
    else:
        client.force_login(user)
        response = client.post(reverse("subscriptions:subscribe", args=[plan.pk]), follow=True)
        assert message in response.content.decode()
    assert Subscription.objects.count() == 0
    assert stripe_billing.calls == []


def test_a_mentor_without_payouts_cannot_publish_a_plan(stripe_on):
    plan = make_plan(is_published=False)
    with pytest.raises(services.SubscriptionError, match="payouts"):
        services.plan_set_published(plan=plan, by=plan.mentor.user, published=True)


# --- the demo provider -----------------------------------------------------------------------


def test_demo_checkout_subscribes_and_grants_the_first_months_credits(
    client, subscriber, demo_provider, django_capture_on_commit_callbacks
):
    plan = make_plan(credits_per_period=3)
    client.force_login(subscriber)
    response = client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    assert response["Location"] == reverse("subscriptions:demo_checkout", args=[subscription.pk])
    page = client.get(response["Location"])
    assert "Test checkout" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(response["Location"], {"action": "pay"})
    assert paid["Location"] == reverse("subscriptions:welcome", args=[subscription.pk])
    subscription.refresh_from_db()
    assert subscription.status == Status.ACTIVE
    assert subscription.stripe_subscription_id == f"sub_demo_{subscription.pk.hex}"
    assert credits_left(subscription=subscription) == 3
    welcome = client.get(paid["Location"]).content.decode()
    assert "You&#x27;re subscribed" in welcome or "You're subscribed" in welcome

    # The checkout is closed once paid.
    assert "is closed" in client.get(response["Location"]).content.decode()


def test_the_demo_checkout_does_not_exist_with_stripe(client, subscriber, plan, stripe_billing):
    client.force_login(subscriber)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    assert client.get(reverse("subscriptions:demo_checkout", args=[subscription.pk])).status_code == 404


def test_an_unsigned_visit_to_the_cancel_address_asks_first(client, subscriber, plan, stripe_billing):
    client.force_login(subscriber)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]))
    subscription = Subscription.objects.get()
    response = client.get(reverse("subscriptions:checkout_cancel", args=[subscription.pk]))
    assert response.status_code == 200
    assert "Do not subscribe" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.INCOMPLETE
    assert stripe_billing.count("post", "/v1/checkout/sessions/cs_test_Sub456/expire") == 0
