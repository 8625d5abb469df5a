"""Managing a subscription: cancel at period end, resume, switch plan, Stripe's customer portal;
with Stripe (what we ask for) and with the demo provider (the events it emits)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from subscriptions import demo, services
from subscriptions.models import Credit, Subscription
from subscriptions.selectors import credits_left
from tests.subscriptions.helpers import STRIPE_SUB, StripeBilling, make_plan, month, now_utc

pytestmark = pytest.mark.django_db
Status = Subscription.Status


def running(subscriber, *, provider="stripe", credits=2) -> Subscription:
    plan = make_plan(
        credits_per_period=credits, stripe_price_id="price_Plan123", stripe_price_key="12000:USD"
    )
    start = now_utc() - timedelta(days=3)
    subscription = Subscription.objects.create(
        plan=plan,
        mentor=plan.mentor,
        mentee=subscriber,
        provider=provider,
        status=Status.ACTIVE,
        stripe_subscription_id=STRIPE_SUB if provider == "stripe" else None,
        stripe_item_id="si_Test123",
        current_period_start=start,
        current_period_end=start + timedelta(days=30),
    )
    services.credits_grant(
        subscription=subscription, period_start=start, period_end=start + timedelta(days=30), count=credits
    )
    return subscription


def test_cancel_at_period_end_asks_stripe_and_shows_the_end_date(client, subscriber, stripe_billing):
    subscription = running(subscriber)
    client.force_login(subscriber)
    response = client.post(reverse("subscriptions:cancel", args=[subscription.pk]), follow=True)
    call = stripe_billing.only("post", f"/v1/subscriptions/{STRIPE_SUB}")
    assert call.params == {"cancel_at_period_end": "True"} or call.params == {"cancel_at_period_end": "true"}
    assert call.idempotency_key == f"subscription-{subscription.pk}-cancel-0"
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.status == Status.ACTIVE
    page = response.content.decode()
    assert "Keep my subscription" in page
    assert "credits stay usable until then" in page
    assert credits_left(subscription=subscription) == 2


def test_switching_plan_asks_stripe_to_prorate_and_tops_up_credits_when_stripe_confirms(
    client, subscriber, stripe_billing, post_event
):
    subscription = running(subscriber, credits=2)
    bigger = make_plan(
        mentor=subscription.mentor,
        name="Deep work",
        price_amount=20000,
        credits_per_period=4,
        stripe_price_id="price_Big456",
        stripe_price_key="20000:USD",
    )
    client.force_login(subscriber)
    client.post(reverse("subscriptions:switch", args=[subscription.pk]), {"plan": bigger.pk})
    call = stripe_billing.only("post", f"/v1/subscriptions/{STRIPE_SUB}")
    assert call.params["items[0][id]"] == "si_Test123"
    assert call.params["items[0][price]"] == "price_Big456"
    assert call.params["proration_behavior"] == "create_prorations"

    # Stripe's customer.subscription.updated carries the new price: 2 more credits this period.
    billing = StripeBilling(subscription, post_event)
    post_event(
        billing.subscription_event(
            "updated",
            status="active",
            start=subscription.current_period_start,
            end=subscription.current_period_end,
            plan=bigger,
            price_id="price_Big456",
        )
    )
    subscription.refresh_from_db()
    assert subscription.plan == bigger
    assert credits_left(subscription=subscription) == 4
    # A replay tops up nothing more.
    assert Credit.objects.filter(subscription=subscription).count() == 4


def test_switching_to_a_plan_of_another_mentor_is_refused_next_to_the_field(
    client, subscriber, stripe_billing
):
    subscription = running(subscriber)
    elsewhere = make_plan(name="Elsewhere")
    client.force_login(subscriber)
    response = client.post(reverse("subscriptions:switch", args=[subscription.pk]), {"plan": elsewhere.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert stripe_billing.calls == []


def test_the_payment_button_opens_stripes_customer_portal(client, subscriber, stripe_billing):
    subscription = running(subscriber)
    client.force_login(subscriber)
    response = client.post(reverse("subscriptions:portal", args=[subscription.pk]))
    assert response["Location"] == "https://billing.stripe.com/p/session/test_Portal123"
    call = stripe_billing.only("post", "/v1/billing_portal/sessions")
    assert call.params["customer"] == "cus_Test123"
    assert call.params["return_url"] == f"http://testserver/subscriptions/{subscription.pk}/"


# --- the demo provider -----------------------------------------------------------------------


@pytest.fixture
def demo_subscription(subscriber, demo_provider, django_capture_on_commit_callbacks):
    subscription = running(subscriber, provider="demo")
    subscription.stripe_subscription_id = demo.stripe_id(subscription)
    subscription.save()
    return subscription


def test_demo_cancel_and_resume_go_through_the_same_events(
    client, subscriber, demo_subscription, django_capture_on_commit_callbacks
):
    client.force_login(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:cancel", args=[demo_subscription.pk]))
    demo_subscription.refresh_from_db()
    assert demo_subscription.cancel_at_period_end
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:resume", args=[demo_subscription.pk]))
    demo_subscription.refresh_from_db()
    assert not demo_subscription.cancel_at_period_end


def test_demo_advance_period_renews_with_new_credits(
    demo_subscription, covered_offering, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_advance_period")
    demo_subscription.refresh_from_db()
    assert demo_subscription.status == Status.ACTIVE
    assert demo_subscription.current_period_start >= now_utc() - timedelta(minutes=1)
    assert (
        Credit.objects.filter(subscription=demo_subscription).values("period_start").distinct().count() == 2
    )
    assert credits_left(subscription=demo_subscription) == 2  # the old month's credits ended with it


def test_demo_advance_period_can_fail_the_renewal(
    demo_subscription, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_advance_period", "--fail", "--subscription", str(demo_subscription.pk))
    demo_subscription.refresh_from_db()
    assert demo_subscription.status == Status.PAST_DUE
    assert credits_left(subscription=demo_subscription) == 0
    assert len(mailoutbox) == 1


def test_demo_advance_period_ends_a_subscription_cancelled_at_period_end(
    demo_subscription, django_capture_on_commit_callbacks
):
    demo_subscription.cancel_at_period_end = True
    demo_subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_advance_period")
    demo_subscription.refresh_from_db()
    assert demo_subscription.status == Status.CANCELED


def test_beat_renews_demo_subscriptions_whose_month_ended_once(
    demo_subscription, django_capture_on_commit_callbacks
):
    ended = demo_subscription.current_period_end
    with time_machine.travel(ended + timedelta(minutes=5)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.demo_periods_renew_due() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.demo_periods_renew_due() == 0  # the next month has begun
        demo_subscription.refresh_from_db()
        assert demo_subscription.current_period_start == ended
        assert credits_left(subscription=demo_subscription) == 2
    assert Credit.objects.filter(subscription=demo_subscription).count() == 4


def test_demo_advance_period_refuses_without_the_demo_provider(stripe_on):
    with pytest.raises(CommandError, match="demo"):
        call_command("demo_advance_period")


def test_only_a_running_subscription_can_be_cancelled(subscriber, stripe_billing):
    subscription = running(subscriber)
    subscription.status = Status.CANCELED
    subscription.save()
    with pytest.raises(services.SubscriptionError, match="running"):
        services.subscription_set_cancel_at_period_end(subscription=subscription, by=subscriber, cancel=True)
    assert stripe_billing.calls == []


def test_the_demo_renewal_period_is_a_calendar_month():
    start = now_utc().replace(month=1, day=31)
    assert demo.add_month(start).month == 2 and demo.add_month(start).day in (28, 29)
    assert month(start)[1] - start == timedelta(days=30)
