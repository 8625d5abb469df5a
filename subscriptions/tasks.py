from celery import shared_task

from billing.stripe_client import BillingError


@shared_task(acks_late=True)
def expire_checkout(session_id: str) -> None:
    from .services import checkout_session_close

    checkout_session_close(session_id=session_id)


@shared_task(acks_late=True)
def send_payment_failed(subscription_id: str) -> None:
    from .services import payment_failed_notify

    payment_failed_notify(subscription_id=subscription_id)


@shared_task(acks_late=True)
def renew_demo_subscriptions() -> int:
    from .services import demo_periods_renew_due

    return demo_periods_renew_due()


@shared_task(acks_late=True, autoretry_for=(BillingError,), retry_backoff=True, max_retries=5)
def stop_renewals_of(mentor_id: int) -> int:
    """The mentor was suspended: their subscribers are no longer charged."""
    from .services import subscriptions_stop_renewing

    return subscriptions_stop_renewing(mentor_id=mentor_id)


@shared_task(acks_late=True, autoretry_for=(BillingError,), retry_backoff=True, max_retries=8)
def cancel_refused(subscription_id: str) -> None:
    """A subscription whose first payment was refused: cancelled at Stripe, so never charged again."""
    from .services import subscription_cancel_at_stripe

    subscription_cancel_at_stripe(subscription_id=subscription_id)
