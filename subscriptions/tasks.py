from celery import shared_task


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
