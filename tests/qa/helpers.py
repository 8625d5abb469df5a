"""A Q&A subscription made directly, and a thread's address."""

from subscriptions.models import Plan, Subscription


def subscribe(*, mentor, mentee, includes_qa=True, status="active") -> Subscription:
    plan = Plan.objects.create(
        mentor=mentor,
        name="Monthly career coaching",
        price_amount=9900,
        currency="USD",
        credits_per_period=2,
        includes_qa=includes_qa,
        is_published=True,
    )
    return Subscription.objects.create(
        plan=plan, mentor=plan.mentor, mentee=mentee, provider="demo", status=status
    )


def thread_url(subject) -> str:
    kind = "bookings" if subject.__class__.__name__ == "Booking" else "subscriptions"
    return f"/{kind}/{subject.pk}/messages/"
