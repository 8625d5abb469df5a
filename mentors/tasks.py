from celery import shared_task

from . import emails, services
from .models import MentorProfile


@shared_task(acks_late=True)
def send_application_decision(mentor_id: int) -> None:
    emails.send_application_decision(mentor_id=mentor_id)


@shared_task(acks_late=True)
def send_suspension_started(suspension_id: int) -> None:
    emails.send_suspension_started(suspension_id=suspension_id)


@shared_task(acks_late=True)
def send_reinstated(mentor_id: int, reason: str) -> None:
    emails.send_reinstated(mentor_id=mentor_id, reason=reason)


@shared_task(acks_late=True)
def refresh_free_slots(mentor_id: int) -> None:
    """One mentor's preview after a booking or availability change; recomputed from scratch."""
    services.mentor_refresh_free_slots(mentor_id=mentor_id)


# Every approved mentor in one run: minutes at scale, past the default 60/90 s limits, and still
# inside its 10-minute beat interval.
@shared_task(acks_late=True, soft_time_limit=540, time_limit=570)
def refresh_next_free_slots() -> None:
    """Time moves on: the minimum notice and the horizon shift every minute."""
    services.mentors_refresh_min_prices()  # cheap, and heals any offering edit made around the services
    for mentor_id in MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED).values_list(
        "pk", flat=True
    ):
        services.mentor_refresh_free_slots(mentor_id=mentor_id)
