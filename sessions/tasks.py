from celery import shared_task

from mentors.models import MentorProfile

from . import emails, previews, series_emails, services


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
def sweep_requests() -> int:
    """Requests to book: mentors reminded a day before a request lapses, then what is due lapses."""
    services.booking_requests_remind()
    return services.booking_requests_lapse_due()


@shared_task(acks_late=True)
def flag_sessions_for_review() -> int:
    return len(services.bookings_flag_for_review())


# Queued by name: they kept the names they had in mentors (messages queued before an upgrade, the
# beat schedule).
@shared_task(acks_late=True, name="mentors.tasks.refresh_free_slots")
def refresh_free_slots(mentor_id: int) -> None:
    """One mentor's preview after a booking or availability change; recomputed from scratch."""
    previews.mentor_refresh_free_slots(mentor_id=mentor_id)


# Every approved mentor in one run: minutes at scale, past the default 60/90 s limits, and still
# inside its 10-minute beat interval.
@shared_task(
    acks_late=True, soft_time_limit=540, time_limit=570, name="mentors.tasks.refresh_next_free_slots"
)
def refresh_next_free_slots() -> None:
    """Time moves on: the minimum notice and the horizon shift every minute."""
    previews.mentors_refresh_min_prices()  # cheap, and heals any offering edit made around the services
    for mentor_id in MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED).values_list(
        "pk", flat=True
    ):
        previews.mentor_refresh_free_slots(mentor_id=mentor_id)


@shared_task(acks_late=True)
def send_series_confirmed(series_id: str) -> None:
    series_emails.send_series_confirmed(series_id=series_id)


@shared_task(acks_late=True)
def send_series_cancelled(series_id: str, booking_ids: list[str]) -> None:
    series_emails.send_series_cancelled(series_id=series_id, booking_ids=booking_ids)
