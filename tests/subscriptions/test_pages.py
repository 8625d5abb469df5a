"""Who sees what: a subscription is the subscriber's, the mentor's and staff's; mentors manage
only their own plans; bad input is answered next to the field and saves nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from subscriptions.models import Plan, Subscription
from tests.factories import MentorFactory, UserFactory
from tests.subscriptions.helpers import make_plan, now_utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(subscriber):
    plan = make_plan()
    start = now_utc()
    return Subscription.objects.create(
        plan=plan,
        mentor=plan.mentor,
        mentee=subscriber,
        provider="demo",
        status=Subscription.Status.ACTIVE,
        current_period_start=start,
        current_period_end=start + timedelta(days=30),
    )


def viewer(kind: str, subscription: Subscription):
    return {
        "subscriber": lambda: subscription.mentee,
        "mentor": lambda: subscription.mentor.user,
        "staff": lambda: UserFactory(is_staff=True),
        "another mentee": lambda: UserFactory(),
        "another mentor": lambda: MentorFactory().user,
        "anonymous": lambda: None,
    }[kind]()


@pytest.mark.parametrize(
    ("who", "page", "manage"),
    [
        ("subscriber", 200, 302),
        ("mentor", 200, 404),
        ("staff", 200, 404),
        ("another mentee", 404, 404),
        ("another mentor", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_a_subscription_is_seen_by_its_two_people_and_staff_and_managed_by_the_subscriber(
    client, subscription, who, page, manage
):
    user = viewer(who, subscription)
    if user:
        client.force_login(user)
    assert client.get(reverse("subscriptions:detail", args=[subscription.pk])).status_code == page
    response = client.post(reverse("subscriptions:cancel", args=[subscription.pk]))
    assert response.status_code == manage
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False or who == "subscriber"


def test_the_subscription_page_shows_credits_and_the_renewal_in_the_viewers_zone(client, subscription):
    client.force_login(subscription.mentee)  # Europe/Berlin
    page = client.get(reverse("subscriptions:detail", args=[subscription.pk])).content.decode()
    assert '<strong id="credits-left">0</strong> of 2 this month' in page
    renews = subscription.current_period_end.astimezone(subscription.mentee.zone)
    assert f"{renews:%H:%M}" in page and "Europe/Berlin" in page


def test_the_profile_lists_published_plans_only(client):
    plan = make_plan(name="Two calls a month")
    make_plan(mentor=plan.mentor, name="Secret draft", is_published=False)
    page = client.get(plan.mentor.get_absolute_url()).content.decode()
    assert "Two calls a month" in page and "Secret draft" not in page
    assert client.get(plan.get_absolute_url()).status_code == 200


def test_a_mentor_creates_and_publishes_a_plan(client, settings):
    settings.BILLING_PROVIDER, settings.DEBUG = "demo", True
    mentor = MentorFactory()
    client.force_login(mentor.user)
    response = client.post(
        reverse("subscriptions:plan_new"),
        {
            "name": "Steady progress",
            "description": "Two calls a month.",
            "currency": "EUR",
            "price": "99.50",
            "credits_per_period": "2",
            "max_session_minutes": "45",
            "includes_qa": "on",
            "max_subscribers": "",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert (plan.price_amount, plan.currency, plan.max_session_minutes) == (9950, "EUR", 45)
    assert not plan.is_published
    client.post(reverse("subscriptions:plan_publish", args=[plan.pk]), {"published": "1"})
    plan.refresh_from_db()
    assert plan.is_published
    page = client.get(reverse("subscriptions:mentor_plans")).content.decode()
    assert "Steady progress" in page and "€99.50/month" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "greater than or equal to 1"),
        ("price", "12.345", "decimal places"),
        ("credits_per_period", "50", "less than or equal to 20"),
        ("max_session_minutes", "25", "Select a valid choice"),
        ("max_subscribers", "0", "at least one"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_plan_input_is_answered_next_to_the_field(client, field, value, message):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    data = {
        "name": "Steady",
        "currency": "USD",
        "price": "50",
        "credits_per_period": "2",
        "max_session_minutes": "30",
        "max_subscribers": "",
        field: value,
    }
    response = client.post(reverse("subscriptions:plan_new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_a_mentor_cannot_touch_another_mentors_plan(client):
    plan = make_plan(is_published=False)
    client.force_login(MentorFactory().user)
    assert client.get(reverse("subscriptions:plan_edit", args=[plan.pk])).status_code == 404
    assert (
        client.post(reverse("subscriptions:plan_publish", args=[plan.pk]), {"published": "1"}).status_code
        == 404
    )
    plan.refresh_from_db()
    assert not plan.is_published
    # Only mentors have plan pages.
    client.force_login(UserFactory())
    assert client.get(reverse("subscriptions:mentor_plans")).status_code == 404
