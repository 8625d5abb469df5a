from celery import shared_task

from billing.stripe_client import BillingError

from . import services


@shared_task(acks_late=True)
def expire_checkout(session_id: str) -> None:
    services.checkout_session_close(session_id=session_id)


@shared_task(acks_late=True)
def send_payment_failed(subscription_id: str) -> None:
    services.payment_failed_notify(subscription_id=subscription_id)


@shared_task(acks_late=True)
def renew_demo_subscriptions() -> int:
    return services.demo_periods_renew_due()


@shared_task(acks_late=True, autoretry_for=(BillingError,), retry_backoff=True, max_retries=5)
def stop_renewals_of(mentor_id: int) -> int:
    """The mentor was suspended: their subscribers are no longer charged."""
    return services.subscriptions_stop_renewing(mentor_id=mentor_id)


@shared_task(acks_late=True, autoretry_for=(BillingError,), retry_backoff=True, max_retries=8)
def cancel_refused(subscription_id: str) -> None:
    """A subscription whose first payment was refused: cancelled at Stripe, so never charged again."""
    services.subscription_cancel_at_stripe(subscription_id=subscription_id)
