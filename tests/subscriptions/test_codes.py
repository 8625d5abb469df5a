"""Promotion codes on monthly plans: a code comes off the first month as a one-time Stripe coupon
(the demo charges less), its use counts once when the first payment is reported as asked, an
abandoned checkout gives it back, and a code that cannot be used is said next to its field."""

from datetime import timedelta

import pytest
from django.urls import reverse

from billing.models import CodeRedemption, Payment, WebhookEvent
from billing.services.codes import code_create
from subscriptions import services
from subscriptions.models import Subscription
from subscriptions.selectors import subscription_first_charge
from tests.billing.helpers import paid_session, rate
from tests.factories import UserFactory
from tests.subscriptions.helpers import STRIPE_SUB, StripeBilling, make_plan, month, now_utc, payouts_ready

pytestmark = pytest.mark.django_db
Redemption = CodeRedemption.State


@pytest.fixture
def plan(db):
    plan = make_plan(price_amount=12000)
    payouts_ready(plan.mentor)
    return plan


def mentor_code(plan, **fields):
    fields.setdefault("percent_off", 25)
    return code_create(by=plan.mentor.user, mentor=plan.mentor, code=fields.pop("code", "FIRST25"), **fields)


def test_a_code_comes_off_the_first_month_as_a_one_time_coupon_on_the_stripe_checkout(
    client, plan, stripe_billing
):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon_code.json")
    mentor_code(plan)
    client.force_login(UserFactory())
    assert "Have a promotion code?" in client.get(plan.get_absolute_url()).content.decode()

    client.post(reverse("subscriptions:subscribe", args=[plan.pk]), {"code": "first25"})

    subscription = Subscription.objects.get()
    assert subscription_first_charge(subscription) == (9000, "USD")
    coupon = stripe_billing.only("post", "/v1/coupons")
    assert (coupon.params["amount_off"], coupon.params["duration"]) == ("3000", "once")
    session = stripe_billing.only("post", "/v1/checkout/sessions")
    assert session.params["discounts[0][coupon]"] == "SAVE20_r1"
    assert session.params["mode"] == "subscription"
    assert session.params["metadata[promotion_code]"] == "FIRST25"
    assert CodeRedemption.objects.get().state == Redemption.HELD


def test_the_use_counts_once_when_the_first_payment_is_as_asked_however_often_it_is_reported(
    plan, stripe_billing, post_event
):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon_code.json")
    code = mentor_code(plan, max_uses=2)
    subscription = services.subscription_start_checkout(
        plan=plan, mentee=UserFactory(), base_url="http://testserver/", code="FIRST25"
    )
    billing = StripeBilling(subscription, post_event)
    first = month(now_utc())
    completed = billing.checkout_completed(amount_total=9000)
    paid = billing.invoice_event(
        "paid", start=first[0], end=first[1], reason="subscription_create", amount_paid=9000
    )
    for body in (completed, paid, completed, paid):  # each delivered twice
        assert post_event(body).status_code == 200

    assert code.redemptions.get().state == Redemption.REDEEMED
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert not Payment.objects.filter(subscription=subscription).exists()  # nothing refused


def test_a_first_payment_of_the_full_price_is_refused_and_gives_the_use_back(
    plan, stripe_billing, post_event
):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon_code.json")
    stripe_billing.answer("post", "/v1/refunds", "response_refund.json")
    stripe_billing.answer("delete", f"/v1/subscriptions/{STRIPE_SUB}", "response_subscription_canceled.json")
    mentor_code(plan)
    subscription = services.subscription_start_checkout(
        plan=plan, mentee=UserFactory(), base_url="http://testserver/", code="FIRST25"
    )
    post_event(StripeBilling(subscription, post_event).checkout_completed(amount_total=12000))
    assert CodeRedemption.objects.get().state == Redemption.RELEASED
    assert Payment.objects.get(subscription=subscription).amount_mismatch


def test_an_abandoned_checkout_gives_the_use_back(
    client, plan, stripe_billing, django_capture_on_commit_callbacks
):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon_code.json")
    mentor_code(plan, max_uses=1)
    mentee = UserFactory()
    client.force_login(mentee)
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]), {"code": "FIRST25"})
    subscription = Subscription.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:checkout_cancel", args=[subscription.pk]))
    assert CodeRedemption.objects.get().state == Redemption.RELEASED


def test_subscribing_again_with_another_code_gives_up_the_open_checkout(plan, stripe_billing):
    stripe_billing.answer("post", "/v1/coupons", "response_coupon_code.json")
    mentor_code(plan)
    mentor_code(plan, code="HALF", percent_off=50)
    mentee = UserFactory()
    first = services.subscription_start_checkout(
        plan=plan, mentee=mentee, base_url="http://testserver/", code="FIRST25"
    )
    again = services.subscription_start_checkout(plan=plan, mentee=mentee, base_url="http://testserver/")
    assert again.pk == first.pk  # no code asked: back to the checkout already open
    stripe_billing.answer(
        "post", "/v1/checkout/sessions", "response_checkout_session_subscription_second.json"
    )
    other = services.subscription_start_checkout(
        plan=plan, mentee=mentee, base_url="http://testserver/", code="HALF"
    )
    first.refresh_from_db()
    assert other.pk != first.pk and first.status == Subscription.Status.INCOMPLETE_EXPIRED
    assert subscription_first_charge(other) == (6000, "USD")
    assert dict(CodeRedemption.objects.values_list("code__code", "state")) == {
        "FIRST25": Redemption.RELEASED,
        "HALF": Redemption.HELD,
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [("NOPE", "There is no code NOPE"), ("OLD", "expired on")],
)
def test_a_code_that_cannot_be_used_is_said_next_to_the_field_and_nothing_starts(
    client, plan, demo_provider, code, message
):
    old = mentor_code(plan, code="OLD", expires_at=now_utc() + timedelta(days=1))
    type(old).objects.filter(pk=old.pk).update(expires_at=now_utc() - timedelta(days=1))
    client.force_login(UserFactory())

    response = client.post(reverse("subscriptions:subscribe", args=[plan.pk]), {"code": code})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_plan_code_error"' in page and message in page
    assert not Subscription.objects.exists() and not CodeRedemption.objects.exists()


def test_a_code_is_refused_with_an_upgrade_credit_which_comes_off_the_first_month_already(
    plan, demo_provider
):
    booking = paid_session(plan.mentor, amount=4500)
    rate(booking, 5)
    mentor_code(plan)
    with pytest.raises(services.SubscriptionError, match="upgrade credit") as refused:
        services.subscription_start_checkout(
            plan=plan, mentee=booking.mentee, base_url="http://testserver/", code="FIRST25"
        )
    assert refused.value.field == "code"
    assert not Subscription.objects.exists() and not CodeRedemption.objects.exists()


def test_the_demo_checkout_charges_the_first_month_less_and_counts_the_use(
    client, plan, demo_provider, django_capture_on_commit_callbacks
):
    mentor_code(plan)
    client.force_login(UserFactory())
    client.post(reverse("subscriptions:subscribe", args=[plan.pk]), {"code": "FIRST25"})
    subscription = Subscription.objects.get()
    checkout = reverse("subscriptions:demo_checkout", args=[subscription.pk])
    page = client.get(checkout).content.decode()
    assert "with the code FIRST25" in page and "Subscribe and pay $90" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checkout, {"action": "pay"})
    invoice = WebhookEvent.objects.get(type="invoice.paid").payload["data"]["object"]
    assert invoice["amount_paid"] == 9000
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert CodeRedemption.objects.get().state == Redemption.REDEEMED
