from celery import shared_task

from . import services
from .models import Intake


@shared_task(acks_late=True)
def refresh_recommendations(user_id: int) -> int:
    return len(services.recommendations_refresh(user_id=user_id))


NIGHTLY_BATCH = 200


@shared_task(acks_late=True)
def refresh_all_recommendations() -> int:
    """Nightly: every mentee with an intake gets a fresh ranking, in batches that each read the
    catalogue once."""
    user_ids = list(Intake.objects.order_by("user_id").values_list("user_id", flat=True))
    for start in range(0, len(user_ids), NIGHTLY_BATCH):
        refresh_recommendations_batch.delay(user_ids[start : start + NIGHTLY_BATCH])
    return len(user_ids)


@shared_task(acks_late=True)
def refresh_recommendations_batch(user_ids: list[int]) -> int:
    return services.recommendations_refresh_many(user_ids=user_ids)


@shared_task(acks_late=True)
def retrain_ranking_model() -> None:
    services.ranking_model_retrain()


@shared_task(acks_late=True)
def refresh_for_mentor(mentor_id: int) -> int:
    return services.recommendations_refresh_for_mentor(mentor_id=mentor_id)


def refresh_for_mentor_after_commit(*, mentor_id: int) -> None:
    """mentors.hooks.availability_changed: a mentor's free time inside a mentee's hours is one of
    the ranking's reasons, so the rankings that show them follow once the change commits."""
    refresh_for_mentor.delay_on_commit(mentor_id)
