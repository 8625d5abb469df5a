from celery import shared_task

from . import services
from .stripe_client import BillingError


@shared_task(acks_late=True)
def process_event(event_id: int) -> None:
    services.event_process(event_id=event_id)


@shared_task(acks_late=True)
def refund_booking(booking_id: str, reason: str) -> None:
    services.booking_refund_in_full(booking_id=booking_id, reason=reason)


@shared_task(acks_late=True)
def execute_refund(refund_id: int) -> None:
    services.refund_execute(refund_id=refund_id)


@shared_task(acks_late=True)
def follow_up_refund(refund_id: int) -> None:
    services.refund_follow_up(refund_id=refund_id)


@shared_task(acks_late=True)
def sync_refunds(payment_id: str) -> None:
    services.payment_sync_refunds(payment_id=payment_id)


@shared_task(acks_late=True)
def payout_booking(booking_id: str) -> None:
    services.booking_payout(booking_id=booking_id)


@shared_task(acks_late=True)
def expire_checkout(booking_id: str) -> None:
    services.checkout_expire(purchase_id=booking_id)


@shared_task(acks_late=True)
def expire_seat_checkout(enrollment_id: str) -> None:
    services.checkout_expire(purchase_id=enrollment_id)


@shared_task(acks_late=True)
def refund_seat(enrollment_id: str, reason: str) -> None:
    services.refund_in_full(kind="seat", purchase_id=enrollment_id, reason=reason)


@shared_task(acks_late=True, autoretry_for=(BillingError,), max_retries=5, retry_backoff=60)
def capture_request_payment(booking_id: str) -> None:
    """A request to book was accepted: capture its card (retried: Stripe may be away a moment)."""
    services.authorisation_capture(booking_id=booking_id)


@shared_task(acks_late=True)
def release_authorisation(booking_id: str) -> None:
    services.authorisation_release(booking_id=booking_id)


@shared_task(acks_late=True)
def retry_stuck_money_movements() -> int:
    return services.retry_stuck_money_movements()


# What sessions asks of billing (sessions/hooks.py): the money it decides to move, once its
# transaction commits.


def refund_booking_after_commit(*, booking_id: str, reason: str) -> None:
    refund_booking.delay_on_commit(booking_id, reason)


def payout_booking_after_commit(*, booking_id: str) -> None:
    payout_booking.delay_on_commit(booking_id)


def expire_checkout_after_commit(*, booking_id: str) -> None:
    expire_checkout.delay_on_commit(booking_id)


def capture_request_payment_after_commit(*, booking_id: str) -> None:
    capture_request_payment.delay_on_commit(booking_id)


def release_authorisation_after_commit(*, booking_id: str) -> None:
    release_authorisation.delay_on_commit(booking_id)
