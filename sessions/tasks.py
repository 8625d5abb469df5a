from celery import shared_task

from . import emails, services


@shared_task(acks_late=True)
def send_booking_confirmed(booking_id: str) -> None:
    emails.send_booking_confirmed(booking_id=booking_id)


@shared_task(acks_late=True)
def send_booking_cancelled(booking_id: str, reason: str = "") -> None:
    emails.send_booking_cancelled(booking_id=booking_id, reason=reason)


@shared_task(acks_late=True)
def send_booking_cancelled_to_mentee(booking_id: str, reason: str) -> None:
    emails.send_booking_cancelled_to_mentee(booking_id=booking_id, reason=reason)


@shared_task(acks_late=True)
def release_expired_holds() -> int:
    return services.booking_release_expired_holds()


@shared_task(acks_late=True)
def flag_sessions_for_review() -> int:
    return len(services.bookings_flag_for_review())
